import Taro, { useRouter } from '@tarojs/taro'
import { View, Text, Image, Swiper, SwiperItem } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useRef, useState } from 'react'
import PageShell from '../../components/PageShell'
import { Empty, QueryView } from '../../components/States'
import { call } from '../../services/cloud'
import { useQuery } from '../../utils/hooks'
import { formatYuan } from '../../utils/format'
import Stepper from '../../components/Stepper'
import { px } from '../../utils/px'
import { addToCart } from '../../services/cart'
import { rememberReferral } from '../../services/session'
import { usePageShare } from '../../services/share'
import CartBar, { useCart } from '../../components/CartBar'
import Poster from '../../components/Poster'
import { decodePosterScene } from '../../../../shared/poster'
import { FULFILMENT_LABELS, allowedModes } from '../../../../shared/fulfilment'

export default function ProductPage() {
  const { params } = useRouter()
  // a share poster's code opens the page with `scene` (shared/poster.ts): the store, the product and the sharer
  const poster = decodePosterScene(params.scene)
  const merchantId = poster?.merchantId ?? decodeURIComponent(params.merchantId || '')
  const productId = poster?.productId ?? decodeURIComponent(params.id || '')
  // a shared product link or poster: whoever shared it is the new user's referrer (sent with the first login only)
  const ref = poster ? poster.referrerUserNo : params.ref ? decodeURIComponent(params.ref) : undefined
  rememberReferral({ referrerUserNo: ref, referrerMerchantId: merchantId || undefined })
  const shown = useRef<{ title: string; image?: string }>({ title: '' })
  usePageShare('/pages/product/index', () => ({
    title: shown.current.title ? `${shown.current.title} · 共享购` : '共享购',
    query: { id: productId, merchantId },
    imageUrl: shown.current.image,
  }))
  return (
    <PageShell>
      {merchantId && productId ? (
        <ProductView merchantId={merchantId} productId={productId} onShown={(title, image) => (shown.current = { title, image })} />
      ) : (
        <Empty home text='商品不存在或已下架' />
      )}
    </PageShell>
  )
}

function ProductView({ merchantId, productId, onShown }: { merchantId: string; productId: string; onShown: (title: string, image?: string) => void }) {
  const q = useQuery(() => call('merchant', 'get', { merchantId }), [merchantId])
  const [qty, setQty] = useState(1)
  const [poster, setPoster] = useState(false)
  const cart = useCart(merchantId)
  return (
    <QueryView q={q}>
      {(m) => {
        const p = m.products.find((x) => x.id === productId)
        if (!p) return <Empty home text='商品不存在或已下架' />
        onShown(p.title, p.images[0])
        const buy = () =>
          Taro.navigateTo({ url: `/pages/checkout/index?mode=goods&merchantId=${encodeURIComponent(m.id)}&productId=${encodeURIComponent(p.id)}&qty=${qty}` })
        const canBuy = m.acceptingOrders && p.onShelf && p.stock > 0
        const add = () => {
          addToCart(m.id, p.id, qty, p.stock)
          cart.refresh()
          Taro.showToast({ title: '已加入购物车', icon: 'success' })
        }
        const modes = allowedModes(m.fulfilmentModes, [p.fulfilmentModes])
        return (
          <View className='page product-page'>
            {p.images.length > 1 ? (
              <Swiper className='product-images' indicatorDots circular style={{ width: '100%', height: px(600) }}>
                {p.images.map((src) => (
                  <SwiperItem key={src}>
                    <Image src={src} mode='aspectFill' style={{ width: '100%', height: px(600), display: 'block' }} onClick={() => Taro.previewImage({ urls: p.images, current: src })} />
                  </SwiperItem>
                ))}
              </Swiper>
            ) : p.images[0] ? (
              <Image src={p.images[0]} mode='aspectFill' style={{ width: '100%', height: px(600), display: 'block' }} />
            ) : (
              <View className='center' style={{ height: px(400), lineHeight: px(400), background: '#fff', fontSize: px(120), color: '#07c160' }}>{p.title.slice(0, 1)}</View>
            )}
            <View className='card'>
              <View className='price' style={{ fontSize: px(44) }}>{formatYuan(p.priceFen)}</View>
              <View className='strong mt' style={{ fontSize: px(32) }}>{p.title}</View>
              {p.description && <View className='small mt' style={{ color: '#4f4f4f' }}>{p.description}</View>}
              <View className='muted mt product-store' onClick={() => Taro.navigateTo({ url: `/pages/merchant/index?mid=${encodeURIComponent(m.id)}` })}>
                {m.name} · 库存 {p.stock} <Text className='link-text'>进店逛逛 ›</Text>
              </View>
              <View className='muted product-modes'>{modes.map((x) => FULFILMENT_LABELS[x]).join(' · ')}</View>
              <View className='mt'><Text className='link-text make-poster' onClick={() => setPoster(true)}>生成海报 · 保存后发朋友圈 ›</Text></View>
              {p.specs.length > 0 && (
                <View className='mt product-specs'>
                  {p.specs.map((s) => (
                    <View key={s.name + s.value} className='row'><Text className='label'>{s.name}</Text><Text className='value'>{s.value}</Text></View>
                  ))}
                </View>
              )}
            </View>
            <View className='card flex-between'>
              <Text>购买数量</Text>
              <Stepper value={qty} min={1} max={Math.max(1, p.stock)} onChange={setQty} />
            </View>
            <View className='card muted small'>下单时可以用共享积分按当日指导价抵扣部分货款；现金部分在确认收货后为您产生共享值。</View>
            <View className='bottom-spacer' />
            <View className='bottom-bar'>
              <View className='grow'>
                <Text className='muted'>{canBuy ? '' : !m.acceptingOrders ? '商家暂停接单' : '已售罄'}</Text>
              </View>
              <Button className='add-cart' disabled={!canBuy} onClick={add}>加入购物车</Button>
              <Button type='primary' className='ml' disabled={!canBuy} onClick={buy}>立即购买</Button>
            </View>
            <CartBar m={m} lines={cart.lines} bottom={px(128)} />
            {poster && <Poster merchantId={m.id} productId={p.id} storeName={m.name} product={{ title: p.title, priceFen: p.priceFen, image: p.images[0] }} onClose={() => setPoster(false)} />}
          </View>
        )
      }}
    </QueryView>
  )
}
