import Taro, { useDidShow } from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import { cartCount, getCart } from '../services/cart'
import type { MerchantDetail } from '../services/types'
import { formatYuan } from '../utils/format'
import { px } from '../utils/px'

/** The store's cart at the bottom of its pages: how many, how much, and the way to checkout. */
export function useCart(merchantId: string) {
  const [lines, setLines] = useState(() => getCart(merchantId))
  useDidShow(() => setLines(getCart(merchantId)))
  return { lines, refresh: () => setLines(getCart(merchantId)) }
}

export default function CartBar({ m, lines, bottom = '0' }: { m: MerchantDetail; lines: { productId: string; quantity: number }[]; bottom?: string }) {
  const priced = lines.flatMap((l) => {
    const p = m.products.find((x) => x.id === l.productId && x.onShelf)
    return p ? [{ p, q: l.quantity }] : []
  })
  const n = cartCount(priced.map((x) => ({ productId: x.p.id, quantity: x.q })))
  if (n === 0) return null
  // integer fen × integer quantity: exact
  const totalFen = priced.reduce((s, x) => s + x.p.priceFen * x.q, 0)
  return (
    <View className='cart-bar' style={{ position: 'fixed', left: 0, right: 0, bottom, background: '#fff', padding: `${px(16)} ${px(24)}`, display: 'flex', alignItems: 'center', boxShadow: '0 -2px 12px rgba(0,0,0,0.06)', zIndex: 100 }}>
      <View className='grow'>
        <Text className='cart-count'>购物车 {n} 件</Text>
        <Text className='price ml cart-total'>{formatYuan(totalFen)}</Text>
      </View>
      <Button type='primary' className='cart-checkout' onClick={() => Taro.navigateTo({ url: `/pages/checkout/index?mode=cart&merchantId=${encodeURIComponent(m.id)}` })}>去结算</Button>
    </View>
  )
}
