import Taro from '@tarojs/taro'
import { View, Input } from '@tarojs/components'
import NumberInput from '../components/NumberInput'
import { checkYuan } from '../utils/input'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import Chart from '../components/Chart'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { showError, useQuery } from '../utils/hooks'
import { formatYuan } from '../utils/format'
import AdminGate from '../components/AdminGate'

export default function AdminPricePage() {
  return (
    <PageShell>
      <AdminGate>
        <Price />
      </AdminGate>
    </PageShell>
  )
}

function Price() {
  const q = useQuery(() => call('admin', 'dashboard', {}), [])
  const stats = useQuery(() => call('market', 'stats', {}), [])
  const [text, setText] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const check = checkYuan(text, { label: '指导价' })
  const fen = check.value
  const blocked = !text.trim() ? '请输入新指导价' : check.error ? '请先修正指导价' : !reason.trim() ? '请写明修改原因' : ''
  const save = async () => {
    if (!fen || !reason.trim()) return
    const old = q.data ? formatYuan(q.data.guidePriceFen) : '—'
    const c = await Taro.showModal({ title: '修改指导价', content: `今日指导价 ${old} → ${formatYuan(fen)} / 积分\n原因：${reason.trim()}\n原因会记入审计。`, confirmText: '确定修改', cancelText: '取消' })
    if (!c.confirm) return
    setBusy(true)
    try {
      const r = await call('admin', 'setGuidePrice', { priceFen: fen, reason: reason.trim() })
      Taro.showToast({ title: `已改为 ${formatYuan(r.guidePriceFen)}`, icon: 'none' })
      setText('')
      setReason('')
      q.reload()
      stats.reload()
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page admin-price-page'>
      <QueryView q={q}>
        {(d) => (
          <View>
            <View className='card'>
              <View className='muted'>今日指导价</View>
              <View className='big-number admin-guide-price'>{formatYuan(d.guidePriceFen)}</View>
              <View className='muted small'>每日释放后，按上一日 C2C 成交均价自动调整（限于价格带内）。也可以在此手动调整并写明原因。</View>
            </View>
            <View className='card'>
              <View className='card-title'>走势（元）</View>
              <Chart
                days={(stats.data?.history || d.priceHistory).map((p) => p.day)}
                series={[
                  { name: '指导价', color: '#07c160', values: (stats.data?.history || d.priceHistory).map((p) => p.guidePriceFen) },
                  ...(stats.data ? [{ name: '成交均价', color: '#fa9d3b', values: stats.data.history.map((h) => h.vwapFen) }] : []),
                ]}
              />
            </View>
          </View>
        )}
      </QueryView>
      <View className='card'>
        <View className='card-title'>手动设置</View>
        <View className='field'><View className='field-label'>新指导价（元 / 积分）</View><NumberInput value={text} placeholder='如：2.10' onInput={setText} error={check.error} /></View>
        <View className='field'><View className='field-label'>原因</View><Input className='input' value={reason} placeholder='必填，会记入审计' onInput={(e) => setReason(e.detail.value)} /></View>
        {blocked && <View className='disabled-reason'>{blocked}</View>}
        <Button className='btn-block' type='primary' block loading={busy} disabled={!!blocked} onClick={save}>修改指导价</Button>
      </View>
    </View>
  )
}
