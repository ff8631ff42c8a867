import Taro from '@tarojs/taro'
import { View, Text, Input, Image } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { AppealItem } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { formatDateTime, formatPoints, formatYuan } from '../utils/format'
import { TRADE_STATUS } from '../utils/labels'
import AdminGate from '../components/AdminGate'

type AppealTrade = AppealItem

export default function AdminAppealsPage() {
  return (
    <PageShell>
      <AdminGate>
        <Appeals />
      </AdminGate>
    </PageShell>
  )
}

function Appeals() {
  const [status, setStatus] = useState<'pending' | 'decided'>('pending')
  const q = useQuery(() => call('admin', 'appeals', { status }), [status])
  return (
    <View className='page admin-appeals-page'>
      <View className='chip-bar'>
        <View className={`chip ${status === 'pending' ? 'active' : ''}`} onClick={() => setStatus('pending')}>待处理</View>
        <View className={`chip ${status === 'decided' ? 'active' : ''}`} onClick={() => setStatus('decided')}>已裁决</View>
      </View>
      <QueryView q={q} empty={status === 'pending' ? '没有待处理的申诉' : '还没有裁决记录'} isEmpty={(d) => d.items.length === 0}>
        {(d) => <View>{d.items.map((t) => <Appeal key={t.id} t={t} onDone={() => q.reload()} />)}</View>}
      </QueryView>
    </View>
  )
}

function Appeal({ t, onDone }: { t: AppealTrade; onDone: () => void }) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const decide = async (decision: 'release' | 'return') => {
    if (!reason.trim()) return Taro.showToast({ title: '请填写裁决理由', icon: 'none' })
    const r = await Taro.showModal({
      title: decision === 'release' ? '放行给买家' : '退回卖家',
      content: decision === 'release' ? `${formatPoints(t.quantity)} 积分将转给买家 ${t.buyerNickname}（${t.buyerUserNo}）。` : `${formatPoints(t.quantity)} 积分和手续费将退回卖家 ${t.sellerNickname}（${t.sellerUserNo}）。`,
      confirmText: '确定',
      cancelText: '取消',
    })
    if (!r.confirm) return
    setBusy(true)
    try {
      await call('admin', 'decideAppeal', { tradeId: t.id, decision, reason: reason.trim() })
      Taro.showToast({ title: '已裁决', icon: 'success' })
      onDone()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card appeal'>
      <View className='card-title'><Text>{formatPoints(t.quantity)} 积分 · {formatYuan(t.amountFen)}</Text><Text className={`tag ${t.appeal?.decision ? '' : 'danger'}`}>{TRADE_STATUS[t.status]}</Text></View>
      <View className='row'><Text className='label'>买家</Text><Text className='value appeal-buyer'>{t.buyerNickname}（{t.buyerUserNo}）</Text></View>
      <View className='row'><Text className='label'>卖家</Text><Text className='value appeal-seller'>{t.sellerNickname}（{t.sellerUserNo}）</Text></View>
      <View className='row'><Text className='label'>单价</Text><Text className='value'>{formatYuan(t.priceFen)}</Text></View>
      <View className='row'><Text className='label'>买家标记付款</Text><Text className='value'>{formatDateTime(t.paidAt)}</Text></View>
      {t.appeal && (
        <View className='row'><Text className='label'>{t.appeal.by === 'buyer' ? '买家' : '卖家'}申诉</Text><Text className='value'>{t.appeal.reason}（{formatDateTime(t.appeal.at)}）</Text></View>
      )}
      {t.appeal && (
        <View className='appeal-proofs'>
          {(['buyer', 'seller'] as const).map((side) => {
            const mine = t.appeal!.proofs.filter((p) => p.by === side)
            return (
              <View key={side} className='mt'>
                <View className='small strong'>{side === 'buyer' ? '买家凭证' : '卖家凭证'}（{mine.length}）</View>
                {mine.length === 0 ? (
                  <View className='muted small'>暂未提交</View>
                ) : (
                  <View className='flex' style={{ gap: '8px', flexWrap: 'wrap' }}>
                    {mine.map((p, i) => (
                      <View key={i} className='center small'>
                        <Image src={p.imageUrl} mode='aspectFill' style={{ width: '80px', height: '80px', borderRadius: '4px' }} onClick={() => Taro.previewImage({ urls: [p.imageUrl] })} />
                        {p.note && <View className='muted'>{p.note}</View>}
                      </View>
                    ))}
                  </View>
                )}
              </View>
            )
          })}
        </View>
      )}
      <View className='mt appeal-timeline'>
        <View className='small strong'>交易经过</View>
        {t.timeline.map((e, i) => (
          <View key={i} className='small timeline-item'><Text className='muted'>{formatDateTime(e.at)}</Text> {e.what}</View>
        ))}
      </View>
      {t.appeal?.decision ? (
        <View className='row'>
          <Text className='label'>裁决</Text>
          <Text className='value'>{t.appeal.decision === 'release' ? '放行给买家' : '退回卖家'}{t.appeal.decisionReason ? `（${t.appeal.decisionReason}）` : ''} · {formatDateTime(t.appeal.decidedAt)}</Text>
        </View>
      ) : (
        <View>
          <Input className='input mt' placeholder='裁决理由（会记录并告知双方）' value={reason} onInput={(e) => setReason(e.detail.value)} />
          <View className='btn-row'>
            <Button loading={busy} onClick={() => decide('return')}>退回卖家</Button>
            <Button type='primary' loading={busy} onClick={() => decide('release')}>放行给买家</Button>
          </View>
        </View>
      )}
    </View>
  )
}
