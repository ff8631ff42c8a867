import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import type { Trade } from '../services/types'
import { formatCountdown, formatPoints, formatShortTime, formatYuan } from '../utils/format'
import { useCountdown } from '../utils/hooks'
import { TRADE_STATUS } from '../utils/labels'
import { px } from '../utils/px'

export default function TradeCard({ t }: { t: Trade }) {
  const left = useCountdown(t.status === 'awaiting_payment' ? t.payDeadline : null)
  return (
    <View className='card trade-card' onClick={() => Taro.navigateTo({ url: `/pages/trade/index?id=${encodeURIComponent(t.id)}` })}>
      <View className='flex-between'>
        <Text className='strong'>{t.role === 'buyer' ? '买入' : '卖出'} {formatPoints(t.quantity)} 积分</Text>
        <Text className={`tag ${t.status === 'completed' ? 'success' : t.status === 'cancelled' ? '' : t.status === 'appealed' ? 'danger' : 'warn'} trade-status`}>
          {TRADE_STATUS[t.status]}
        </Text>
      </View>
      <View className='flex-between' style={{ marginTop: px(8) }}>
        <Text className='muted'>单价 {formatYuan(t.priceFen)} · {t.role === 'buyer' ? '卖家' : '买家'} {t.counterpartNickname}</Text>
        <Text className='strong'>{formatYuan(t.amountFen)}</Text>
      </View>
      <View className='flex-between' style={{ marginTop: px(4) }}>
        <Text className='muted'>{formatShortTime(t.createdAt)}</Text>
        {t.status === 'awaiting_payment' && (
          <Text className='orange small trade-countdown'>{left > 0 ? `付款剩余 ${formatCountdown(left)}` : '付款已超时'}</Text>
        )}
      </View>
    </View>
  )
}
