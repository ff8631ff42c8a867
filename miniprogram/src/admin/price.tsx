import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import Chart from '../components/Chart'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import { showError, useQuery } from '../utils/hooks'
import { formatYuan, parseYuanToFen } from '../utils/format'
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
  const fen = parseYuanToFen(text)
  const save = async () => {
    if (!fen || !reason.trim()) return Taro.showToast({ title: '请填写价格和原因', icon: 'none' })
    const c = await Taro.showModal({ title: '修改指导价', content: `把今日指导价改为 ${formatYuan(fen)} / 积分？原因会被记录。`, confirmText: '确定', cancelText: '取消' })
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
                labels={(stats.data?.history || d.priceHistory).map((p) => p.day.slice(5))}
                series={[
                  { name: '指导价', color: '#07c160', values: (stats.data?.history || d.priceHistory).map((p) => p.guidePriceFen / 100) },
                  ...(stats.data ? [{ name: '成交均价', color: '#fa9d3b', values: stats.data.history.map((h) => (h.vwapFen === null ? null : h.vwapFen / 100)) }] : []),
                ]}
                format={(v) => v.toFixed(2)}
              />
            </View>
          </View>
        )}
      </QueryView>
      <View className='card'>
        <View className='card-title'>手动设置</View>
        <View className='field'><View className='field-label'>新指导价（元 / 积分）</View><Input className='input' type='digit' value={text} placeholder='如：2.10' onInput={(e) => setText(e.detail.value)} /></View>
        <View className='field'><View className='field-label'>原因</View><Input className='input' value={reason} placeholder='必填，会记入审计' onInput={(e) => setReason(e.detail.value)} /></View>
        <Button className='btn-block' type='primary' block loading={busy} disabled={!fen || !reason.trim()} onClick={save}>修改指导价</Button>
        <Text className='muted small'> </Text>
      </View>
    </View>
  )
}
