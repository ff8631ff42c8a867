import { View, Text } from '@tarojs/components'
import Chart from './Chart'
import { ErrorView, Loading } from './States'
import type { ReleaseStatement } from '../services/types'
import { chartHundredths } from '../utils/chart'
import { formatDay, formatPoints, formatYuan } from '../utils/format'
import { px } from '../utils/px'

/**
 * A holder's release statement (SPEC §5: day by day what it received, the SV that consumed, and the day's T, R
 * and P), with its chart: the user's assets page and the merchant centre show the same thing.
 */
export default function ReleaseStatements(props: {
  items: ReleaseStatement[] | undefined
  error?: string | null
  onRetry?: () => void
  /** What to say before the first release reaches this holder. */
  empty: string
}) {
  const { items } = props
  if (items === undefined) return props.error ? <ErrorView message={props.error} onRetry={props.onRetry} /> : <Loading />
  return (
    <View className='card statements'>
      <Chart days={items.map((s) => s.day)} series={[{ name: '获得积分', color: '#07c160', kind: 'bar', values: items.map((s) => chartHundredths(s.pointsReceived)) }]} />
      {items.length === 0 ? (
        <View className='muted center mt'>{props.empty}</View>
      ) : (
        items.map((s) => (
          <View key={s.day} className='statement' style={{ borderTop: `${px(1)} solid #f0f0f0`, padding: `${px(16)} 0` }}>
            <View className='flex-between'>
              <Text className='strong'>{formatDay(s.day)}</Text>
              <Text className='green strong statement-points'>+{formatPoints(s.pointsReceived)} 积分</Text>
            </View>
            <View className='muted'>
              消耗共享值 {formatPoints(s.svConsumed)} · 剩余 {formatPoints(s.svAfter)}
            </View>
            <View className='muted'>
              全网共享值 {formatPoints(s.totalSv)} · 当日释放 {formatPoints(s.released)} · 指导价 {formatYuan(s.guidePriceFen)}
            </View>
          </View>
        ))
      )}
      {items.length > 0 && (
        <View className='muted small mt statements-rounding'>
          获得积分 = 您的共享值 ÷ 全网共享值 × 当日释放，按 0.01 向下取整显示和到账，不足 0.01 的零头留在释放池，累计满 0.01 后到账；
          消耗的共享值按未取整的积分 × 指导价计算（向上取整到 0.01），所以可能比「显示的积分 × 指导价」多出几分。
        </View>
      )}
    </View>
  )
}
