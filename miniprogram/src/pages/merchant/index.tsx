import Taro, { useRouter } from '@tarojs/taro'
import { View, Text, Image, Button as TaroButton } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useRef, useState } from 'react'
import PageShell from '../../components/PageShell'
import { Empty, QueryView } from '../../components/States'
import { call } from '../../services/cloud'
import { rememberReferral } from '../../services/session'
import { usePageShare, withReferrer } from '../../services/share'
import type { MerchantDetail } from '../../services/types'
import { useQuery, toast } from '../../utils/hooks'
import { formatYuan } from '../../utils/format'
import { MERCHANT_STATUS } from '../../utils/labels'
import { px } from '../../utils/px'
import CartBar, { useCart } from '../../components/CartBar'
import Poster from '../../components/Poster'
import { decodePosterScene } from '../../../../shared/poster'
import { callStore, phoneOf } from '../../services/phone'
import { FULFILMENT_LABELS } from '../../../../shared/fulfilment'

const merchantShareUrl = (id: string) => `/pages/merchant/index?${withReferrer({ id })}`

export default function MerchantPage() {
  const { params } = useRouter()
  // a share poster's code opens the page with `scene` (shared/poster.ts): the store and the sharer
  const poster = decodePosterScene(params.scene)
  const id = poster?.merchantId ?? decodeURIComponent(params.id || params.mid || '')
  // a shared link or poster: whoever shared it is the new user's referrer (sent with the first login only)
  const ref = poster ? poster.referrerUserNo : params.ref ? decodeURIComponent(params.ref) : undefined
  rememberReferral({ referrerUserNo: ref, referrerMerchantId: id || undefined })
  const nameRef = useRef('')
  // the chat card and 朋友圈 (weapp), both carrying the sharer as referrer
  usePageShare('/pages/merchant/index', () => ({ title: nameRef.current ? `${nameRef.current} · 共享购，消费也能攒积分` : '共享购', query: { id } }))
  return (
    <PageShell>
      <MerchantView id={id} onName={(n) => (nameRef.current = n)} />
    </PageShell>
  )
}

function MerchantView({ id, onName }: { id: string; onName: (n: string) => void }) {
  const q = useQuery(async () => {
    const m = await call('merchant', 'get', { merchantId: id })
    onName(m.name)
    Taro.setNavigationBarTitle({ title: m.name })
    return m
  }, [id])
  if (!id) return <Empty home text='链接不完整，找不到这个商家' />
  return <QueryView q={q}>{(m) => <Detail m={m} />}</QueryView>
}

function Detail({ m }: { m: MerchantDetail }) {
  const products = m.products.filter((p) => p.onShelf)
  const cart = useCart(m.id)
  const [poster, setPoster] = useState(false)
  const phone = phoneOf(m.contact)
  const shareH5 = () => {
    const url = `${window.location.origin}${window.location.pathname}#${merchantShareUrl(m.id)}`
    const done = () => Taro.showModal({ title: '分享链接已复制', content: url, showCancel: false, confirmText: '好的' })
    // h5's setClipboardData shows its own "内容已复制" toast, which lay over this dialog: the dialog says it already
    const copied = () => {
      Taro.hideToast()
      done()
    }
    Taro.setClipboardData({ data: url }).then(copied, done)
  }
  const instore = () => {
    if (!m.acceptingOrders) return toast('商家暂停接单，暂时无法付款')
    Taro.navigateTo({ url: `/pages/checkout/index?mode=instore&merchantId=${encodeURIComponent(m.id)}` })
  }
  // opened from a shared link: no page below this one, so offer the way home
  const isEntry = Taro.getCurrentPages().length <= 1
  return (
    <View className='page merchant-page'>
      {isEntry && (
        <View className='pad' style={{ paddingTop: px(16) }}>
          <Text className='chip to-home' onClick={() => Taro.switchTab({ url: '/pages/index/index' })}>‹ 共享购首页</Text>
        </View>
      )}
      <View className='card'>
        <View className='flex'>
          {m.logoUrl ? <Image className='thumb' src={m.logoUrl} mode='aspectFill' /> : <View className='thumb'>{m.name.slice(0, 1)}</View>}
          <View className='grow'>
            <View className='strong' style={{ fontSize: px(34) }}>{m.name}</View>
            <View className='muted'>{m.category}</View>
            <View style={{ marginTop: px(6) }}>
              {m.acceptingOrders ? <Text className='tag success'>营业中</Text> : <Text className='tag warn'>{m.status === 'active' ? '暂停接单' : MERCHANT_STATUS[m.status]}</Text>}
            </View>
          </View>
        </View>
        {m.description && <View className='small mt' style={{ color: '#4f4f4f' }}>{m.description}</View>}
        <View className='row mt'><Text className='label'>地址</Text><Text className='value'>{m.address || '—'}</Text></View>
        <View className='row' onClick={() => phone && callStore(m.contact)}>
          <Text className='label'>联系方式</Text>
          <Text className={`value ${phone ? 'link-text call-store' : ''}`}>{m.contact || '—'}{phone ? ' 📞' : ''}</Text>
        </View>
        <View className='row'><Text className='label'>收货方式</Text><Text className='value store-modes-text'>{m.fulfilmentModes.map((x) => FULFILMENT_LABELS[x]).join(' · ')}</Text></View>
        <View className='btn-row'>
          <Button type='primary' onClick={instore}>到店付款</Button>
          {process.env.TARO_ENV === 'weapp' ? (
            <TaroButton className='share-native' openType='share' style={{ flex: 1, fontSize: px(28), lineHeight: px(64), height: px(64), borderRadius: px(6), background: '#fff', border: `${px(1)} solid #07c160`, color: '#07c160' }}>
              分享给好友
            </TaroButton>
          ) : (
            <Button onClick={shareH5}>分享给好友</Button>
          )}
        </View>
      </View>
      <View className='pad make-poster-row' style={{ paddingTop: 0 }}>
        <Text className='link-text make-poster' onClick={() => setPoster(true)}>生成海报 · 保存后发朋友圈 ›</Text>
      </View>
      {poster && (
        <Poster
          merchantId={m.id}
          storeName={m.name}
          product={products[0] ? { title: products[0].title, priceFen: products[0].priceFen, image: products[0].images[0] } : null}
          onClose={() => setPoster(false)}
        />
      )}
      {!m.acceptingOrders && <View className='notice-bar'>该商家目前不接受新订单（未营业或积分余额不足），可以先看看商品。</View>}
      <View className='section-title'>商品（{products.length}）</View>
      {products.length === 0 ? (
        <Empty text='商家还没有上架商品，可使用“到店付款”' />
      ) : (
        <View className='card' style={{ padding: 0, overflow: 'hidden' }}>
          {products.map((p) => (
            <View key={p.id} className='list-item product-item' onClick={() => Taro.navigateTo({ url: `/pages/product/index?merchantId=${encodeURIComponent(m.id)}&id=${encodeURIComponent(p.id)}` })}>
              {p.images[0] ? <Image className='thumb' src={p.images[0]} mode='aspectFill' /> : <View className='thumb'>{p.title.slice(0, 1)}</View>}
              <View className='grow'>
                <View className='strong ellipsis product-title'>{p.title}</View>
                <View className='muted ellipsis'>{p.description || ' '}</View>
                <View className='flex-between' style={{ marginTop: px(8) }}>
                  <Text className='price'>{formatYuan(p.priceFen)}</Text>
                  <Text className='muted'>{p.stock > 0 ? `库存 ${p.stock}` : '已售罄'}</Text>
                </View>
              </View>
            </View>
          ))}
        </View>
      )}
      {cart.lines.length > 0 && <View className='bottom-spacer' />}
      <CartBar m={m} lines={cart.lines} />
    </View>
  )
}
