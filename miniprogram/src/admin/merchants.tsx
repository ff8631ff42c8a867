import Taro from '@tarojs/taro'
import { View, Text, Image, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { FarmingView, MerchantPrivate, SubMchCheck } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { formatDateTime, formatPoints, formatYuan } from '../utils/format'
import AdminGate from '../components/AdminGate'
import { px } from '../utils/px'

export default function AdminMerchantsPage() {
  return (
    <PageShell>
      <AdminGate>
        <Merchants />
      </AdminGate>
    </PageShell>
  )
}

function Merchants() {
  const q = useQuery(() => call('admin', 'pendingMerchants', {}), [])
  const drop = (id: string) => q.data && q.setData({ ...q.data, items: q.data.items.filter((m) => m.id !== id) })
  return (
    <View className='page admin-merchants-page'>
      <Suspension />
      <Farming />
      <QueryView q={q} empty='没有待审核的申请' isEmpty={(d) => d.items.length === 0}>
        {(d) => <View>{d.items.map((m) => <Application key={m.id} m={m} onDone={() => drop(m.id)} />)}</View>}
      </QueryView>
    </View>
  )
}

/** Suspend a store (no new orders; its open orders go on) or reinstate it, each with a reason the owner sees. */
function Suspension() {
  const [merchantId, setMerchantId] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [last, setLast] = useState<MerchantPrivate | null>(null)
  const act = async (action: 'suspendMerchant' | 'reinstateMerchant') => {
    if (!merchantId.trim() || reason.trim().length < 2) return Taro.showToast({ title: '请填写店铺编号和原因', icon: 'none' })
    setBusy(true)
    try {
      setLast(await call('admin', action, { merchantId: merchantId.trim(), reason: reason.trim() }))
      Taro.showToast({ title: action === 'suspendMerchant' ? '已暂停' : '已恢复', icon: 'success' })
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card store-suspension'>
      <View className='card-title'>暂停 / 恢复店铺</View>
      <Input className='input suspend-merchant-id' placeholder='店铺编号，如 m100002' value={merchantId} onInput={(e) => setMerchantId(e.detail.value)} />
      <Input className='input suspend-reason' placeholder='原因（店主可见，2–200 字）' value={reason} onInput={(e) => setReason(e.detail.value)} />
      <View className='btn-row'>
        <Button className='reinstate-btn' loading={busy} onClick={() => act('reinstateMerchant')}>恢复营业</Button>
        <Button type='danger' className='suspend-btn' loading={busy} onClick={() => act('suspendMerchant')}>暂停接单</Button>
      </View>
      {last && <View className='small muted'>{last.name}（{last.id}）：{last.status === 'suspended' ? `已暂停：${last.suspension?.reason ?? ''}` : `状态 ${last.status}`}</View>}
    </View>
  )
}

const LINK_LABEL = { referral: '推荐关系', repeat: '反复互相交易', reciprocal: '互相消费' } as const

/** What looks like farming in the last 7 days (admin.farming): flags for a person to judge, nothing is refused. */
function Farming() {
  const [v, setV] = useState<FarmingView | null>(null)
  const [busy, setBusy] = useState(false)
  const load = async () => {
    setBusy(true)
    try {
      setV(await call('admin', 'farming', { days: 7 }))
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card farming'>
      <View className='card-title flex-between'><Text>刷单与对敲（近 7 天）</Text><Button size='small' className='farming-load' loading={busy} onClick={load}>查看</Button></View>
      {v && (
        <View className='small'>
          <View className='muted'>已检查 {v.scanned.orders} 笔订单、{v.scanned.trades} 笔成交{v.scanned.truncated ? '（只看了最新的一部分）' : ''}；互相关联的账户之间的成交不计入指导价。</View>
          {v.repeatedPayers.length + v.selfDealing.length + v.pairTrades.length === 0 && <View className='muted'>未发现可疑情况</View>}
          {v.repeatedPayers.map((x) => <View key={`p${x.buyerUserNo}${x.merchantId}`}>用户 {x.buyerUserNo} 在店铺 {x.merchantId} 付款 {x.orders} 次，共 {formatYuan(x.cashFen)}，得共享值 {formatPoints(x.userSv)}</View>)}
          {v.selfDealing.map((x) => <View key={`s${x.buyerUserNo}${x.merchantId}`}>店主 {x.ownerUserNo} 与顾客 {x.buyerUserNo}（{LINK_LABEL[x.kind]}）：{x.orders} 笔，{formatYuan(x.cashFen)}</View>)}
          {v.pairTrades.map((x) => <View key={`t${x.aUserNo}${x.bUserNo}`}>用户 {x.aUserNo} 与 {x.bUserNo}（{LINK_LABEL[x.link]}）：成交 {x.trades} 笔，{formatPoints(x.volume)} 积分，均价 {formatYuan(x.avgPriceFen)}</View>)}
        </View>
      )}
    </View>
  )
}

const CHECK_LABEL: Record<SubMchCheck['status'], { text: string; cls: string }> = {
  bound: { text: '已绑定，可收款', cls: 'tag success' },
  not_bound: { text: '未绑定，不能收款', cls: 'tag danger' },
  unknown: { text: '未能确认', cls: 'tag warn' },
}

function Application({ m: initial, onDone }: { m: MerchantPrivate; onDone: () => void }) {
  const [m, setM] = useState(initial)
  const [checking, setChecking] = useState(false)
  /** Ask WeChat Pay whether the sub-merchant id is bound to this environment (approval checks it again). */
  const check = async () => {
    setChecking(true)
    try {
      setM(await call('admin', 'checkSubMerchant', { merchantId: m.id }))
    } catch (e) {
      showError(e)
    } finally {
      setChecking(false)
    }
  }
  const [rejecting, setRejecting] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const approve = async () => {
    const r = await Taro.showModal({ title: '通过申请', content: `通过「${m.name}」的入驻申请？`, confirmText: '通过', cancelText: '取消' })
    if (!r.confirm) return
    setBusy(true)
    try {
      await call('admin', 'approveMerchant', { merchantId: m.id })
      Taro.showToast({ title: '已通过', icon: 'success' })
      onDone()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  const reject = async () => {
    if (!reason.trim()) return Taro.showToast({ title: '请填写驳回原因', icon: 'none' })
    setBusy(true)
    try {
      await call('admin', 'rejectMerchant', { merchantId: m.id, reason: reason.trim() })
      Taro.showToast({ title: '已驳回', icon: 'success' })
      onDone()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card application'>
      <View className='card-title'><Text className='app-name'>{m.name}</Text><Text className='tag warn'>待审核</Text></View>
      <View className='row'><Text className='label'>类目</Text><Text className='value'>{m.category}</Text></View>
      <View className='row'><Text className='label'>地址</Text><Text className='value'>{m.address}</Text></View>
      <View className='row'><Text className='label'>联系方式</Text><Text className='value'>{m.contact}</Text></View>
      <View className='row'><Text className='label'>子商户号</Text><Text className='value'>{m.subMchId}</Text></View>
      <View className='row sub-mch-check'>
        <Text className='label'>收款检查</Text>
        <View className='flex' style={{ alignItems: 'center', gap: px(16) }}>
          {m.subMchCheck ? (
            <Text className={`value ${CHECK_LABEL[m.subMchCheck.status].cls}`}>{CHECK_LABEL[m.subMchCheck.status].text}</Text>
          ) : (
            <Text className='value muted'>未检查</Text>
          )}
          <Button size='small' className='check-sub-mch' loading={checking} onClick={check}>检查</Button>
        </View>
      </View>
      {m.subMchCheck && m.subMchCheck.status !== 'bound' && (
        <View className='small muted'>微信支付答复：{m.subMchCheck.detail}（{formatDateTime(m.subMchCheck.at)}）。未绑定的子商户号不能通过审核：请商家在「微信支付商家助手」确认授权，平台在云开发控制台 → 微信支付配置中绑定。</View>
      )}
      <View className='row'><Text className='label'>申请时间</Text><Text className='value'>{formatDateTime(m.createdAt)}</Text></View>
      {m.description && <View className='small muted'>{m.description}</View>}
      {m.licenseImage && <Image src={m.licenseImage} mode='aspectFit' style={{ width: '100%', height: px(300), background: '#f5f5f5', marginTop: px(12) }} onClick={() => Taro.previewImage({ urls: [m.licenseImage] })} />}
      {rejecting ? (
        <View className='mt'>
          <Input className='input reject-reason' placeholder='驳回原因（申请人可见）' value={reason} onInput={(e) => setReason(e.detail.value)} />
          <View className='btn-row'>
            <Button onClick={() => setRejecting(false)}>取消</Button>
            <Button type='danger' loading={busy} onClick={reject}>确认驳回</Button>
          </View>
        </View>
      ) : (
        <View className='btn-row'>
          <Button onClick={() => setRejecting(true)}>驳回</Button>
          <Button type='primary' className='approve-btn' loading={busy} onClick={approve}>通过</Button>
        </View>
      )}
    </View>
  )
}
