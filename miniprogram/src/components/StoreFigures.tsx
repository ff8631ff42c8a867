import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { QueryView } from './States'
import { call } from '../services/cloud'
import type { StoreDashboard } from '../services/types'
import { useQuery } from '../utils/hooks'
import { formatPoints, formatYuan } from '../utils/format'
import { px } from '../utils/px'
import { barPercent, chartHundredths } from '../utils/chart'

/**
 * Issue 15: the merchant centre's figures — today, this month, orders to handle, shared value and points, and
 * two small bar charts (sales of the last 14 days; shared value after each recent release). Bars are plain
 * views: heights are ratios of integers (fen, hundredths), no amount is computed in floating point.
 */
export function useStoreDashboard() {
  return useQuery(() => call('merchant', 'dashboard', {}), [])
}

export default function StoreFigures({ q }: { q: ReturnType<typeof useStoreDashboard> }) {
  return <QueryView q={q}>{(d) => <Figures d={d} />}</QueryView>
}

/** The red count on a row (e.g. orders to handle). */
export function CountBadge({ n, className }: { n: number; className?: string }) {
  if (!n) return null
  return <Text className={className} style={{ background: '#fa5151', color: '#fff', borderRadius: px(20), padding: `0 ${px(12)}`, fontSize: px(22), lineHeight: px(36) }}>{n > 99 ? '99+' : n}</Text>
}

function Bars({ values, labels, color, className }: { values: number[]; labels: string[]; color: string; className: string }) {
  const max = Math.max(1, ...values)
  return (
    <View className={`bars ${className}`} style={{ display: 'flex', alignItems: 'flex-end', justifyContent: 'center', height: px(160), gap: px(6), marginTop: px(12) }}>
      {values.map((v, i) => (
        <View key={labels[i]} style={{ flex: 1, maxWidth: px(48), display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'flex-end', height: '100%' }}>
          <View style={{ width: '100%', background: color, borderRadius: px(4), height: `${barPercent(v, max)}%`, minHeight: v > 0 ? px(4) : 0 }} />
          <Text style={{ fontSize: px(16), color: '#8c8c8c', marginTop: px(4) }}>{labels[i]}</Text>
        </View>
      ))}
    </View>
  )
}

function Figures({ d }: { d: StoreDashboard }) {
  return (
    <View className='store-figures'>
      <View className='card'>
        <View className='stat-grid'>
          <View className='stat'>
            <View className='stat-label'>今日销售额</View>
            <View className='stat-value today-sales'>{formatYuan(d.today.amountFen)}</View>
            <View className='muted small'>{d.today.orders} 单 · 现金 {formatYuan(d.today.cashFen)}</View>
          </View>
          <View className='stat'>
            <View className='stat-label'>本月销售额</View>
            <View className='stat-value month-sales'>{formatYuan(d.month.amountFen)}</View>
            <View className='muted small'>{d.month.orders} 单{d.month.refunds ? ` · 退款 ${d.month.refunds} 单` : ''}</View>
          </View>
          <View className='stat' onClick={() => Taro.navigateTo({ url: '/merchant-center/orders' })}>
            <View className='stat-label'>待处理订单</View>
            <View className={`stat-value to-handle ${d.toHandle ? 'red' : ''}`}>{d.toHandle}</View>
            <View className='muted small'>待发货 / 待取货 ›</View>
          </View>
          <View className='stat'>
            <View className='stat-label'>共享值 · 积分</View>
            <View className='stat-value'>{formatPoints(d.sharedValue)}</View>
            <View className='muted small'>积分 {formatPoints(d.pointsBalance)}</View>
          </View>
        </View>
      </View>
      <View className='card'>
        <View className='card-title'>近 14 天销售额</View>
        <Bars className='sales-bars' values={d.recent.map((x) => x.amountFen)} labels={d.recent.map((x) => x.day.slice(8))} color='#07c160' />
      </View>
      {d.svHistory.length > 0 && (
        <View className='card'>
          <View className='card-title'>共享值（每日释放后）</View>
          <Bars className='sv-bars' values={d.svHistory.map((x) => chartHundredths(x.svAfter) ?? 0)} labels={d.svHistory.map((x) => x.day.slice(8))} color='#576b95' />
          <View className='muted small mt'>
            最近一次释放获得 {formatPoints(d.svHistory[d.svHistory.length - 1].pointsReceived)} 积分
          </View>
        </View>
      )}
    </View>
  )
}
