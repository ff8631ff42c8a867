import Taro from '@tarojs/taro'
import { View, Text, Image, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { MerchantPrivate } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { formatDateTime } from '../utils/format'
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
      <QueryView q={q} empty='没有待审核的申请' isEmpty={(d) => d.items.length === 0}>
        {(d) => <View>{d.items.map((m) => <Application key={m.id} m={m} onDone={() => drop(m.id)} />)}</View>}
      </QueryView>
    </View>
  )
}

function Application({ m, onDone }: { m: MerchantPrivate; onDone: () => void }) {
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
