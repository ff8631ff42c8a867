import { View, Text, Image } from '@tarojs/components'
import type { MerchantSummary } from '../services/types'
import { MERCHANT_STATUS } from '../utils/labels'
import { px } from '../utils/px'

export default function MerchantCard({ m, onClick }: { m: MerchantSummary; onClick?: () => void }) {
  return (
    <View className='list-item merchant-card' onClick={onClick}>
      {m.logoUrl ? (
        <Image className='thumb' src={m.logoUrl} mode='aspectFill' />
      ) : (
        <View className='thumb'>{m.name.slice(0, 1)}</View>
      )}
      <View className='grow'>
        <View className='strong ellipsis merchant-name'>{m.name}</View>
        <View className='muted ellipsis'>{m.category} · {m.address}</View>
        <View className='mt' style={{ marginTop: px(8) }}>
          {m.acceptingOrders ? (
            <Text className='tag success'>营业中 · 可积分抵扣</Text>
          ) : (
            <Text className='tag'>{m.status === 'active' ? '暂停接单' : MERCHANT_STATUS[m.status]}</Text>
          )}
        </View>
      </View>
    </View>
  )
}
