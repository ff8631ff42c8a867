import Taro from '@tarojs/taro'
import { View, Image } from '@tarojs/components'
import type { ProductHit } from '../services/types'
import { formatYuan } from '../utils/format'

/** A product in search results and the home feed: image, title, store, price, units sold (issue 15). */
export default function ProductHitCard({ p }: { p: ProductHit }) {
  const open = () => Taro.navigateTo({ url: `/pages/product/index?id=${encodeURIComponent(p.id)}&merchantId=${encodeURIComponent(p.merchantId)}` })
  return (
    <View className='list-item product-hit' onClick={open}>
      {p.images[0] ? <Image className='thumb' src={p.images[0]} mode='aspectFill' /> : <View className='thumb'>{p.title.slice(0, 1)}</View>}
      <View className='grow'>
        <View className='strong ellipsis'>{p.title}</View>
        <View className='muted ellipsis'>{p.storeName}</View>
        <View className='flex-between'>
          <View className='red strong'>{formatYuan(p.priceFen)}</View>
          <View className='muted small'>已售 {p.sold}</View>
        </View>
      </View>
    </View>
  )
}
