import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Empty, ErrorView, Loading, QueryView } from './States'
import { usePayment } from './Payment'
import { call, errorMessage, newRequestId } from '../services/cloud'
import { waitPaid } from '../services/orders'
import type { Address, FulfilmentMode, MerchantDetail, ResponseOf } from '../services/types'
import { AddressPicker, ModePicker } from './Fulfilment'
import { getCart, removeFromCart, setCartQty } from '../services/cart'
import Stepper from './Stepper'
import { allowedModes } from '../../../shared/fulfilment'
import { showError, useQuery } from '../utils/hooks'
import { formatYuan, normalizePointsInput, parseYuanToFen, pointsToHundredths } from '../utils/format'
import { px } from '../utils/px'

type Quote = ResponseOf<'order', 'quote'>

/**
 * Paying a merchant: goods from its catalogue (mode 'goods') or an amount typed at the counter
 * (mode 'instore', reached from the merchant page or by scanning its pay code). The preview — points
 * offset at the guide price, cash to pay — always comes from order.quote.
 */
export type CheckoutMode = 'goods' | 'instore' | 'cart'

export default function CheckoutLoader(props: { merchantId: string; mode: CheckoutMode; productId: string; qty: number }) {
  const q = useQuery(() => call('merchant', 'get', { merchantId: props.merchantId }), [props.merchantId], { refreshOnShow: false })
  if (!props.merchantId) return <Empty text='没有找到商家，请重新扫码或从商家页进入' />
  return <QueryView q={q}>{(m) => <Checkout m={m} {...props} />}</QueryView>
}

function Checkout({ m, mode: entry, productId, qty }: { m: MerchantDetail; mode: CheckoutMode; productId: string; qty: number }) {
  // goods: one product from its page, or the store's cart (several lines); instore: an amount typed
  const mode: 'goods' | 'instore' = entry === 'instore' ? 'instore' : 'goods'
  const [cartVersion, setCartVersion] = useState(0)
  const lines = useMemo(() => {
    const want = entry === 'cart' ? getCart(m.id) : entry === 'goods' ? [{ productId, quantity: qty }] : []
    return want.flatMap((l) => {
      const product = m.products.find((p) => p.id === l.productId && p.onShelf)
      return product ? [{ product, quantity: l.quantity }] : []
    })
    // cartVersion: the cart changed on this page (a stepper)
  }, [entry, m, productId, qty, cartVersion])
  const setQty = (productId: string, n: number) => {
    setCartQty(m.id, productId, n)
    setCartVersion((v) => v + 1)
  }
  const product = lines[0]?.product
  const [amountText, setAmountText] = useState('')
  const [pointsText, setPointsText] = useState('')
  const [quote, setQuote] = useState<Quote | null>(null)
  const [quoteErr, setQuoteErr] = useState<string | null>(null)
  const [quoting, setQuoting] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const assets = useQuery(() => call('user', 'assets', {}), [])
  const { pay, sheet } = usePayment()
  const requestId = useRef(newRequestId('o'))
  // goods: how they reach the buyer (the modes the store and the product both offer)
  const modes = useMemo(() => (lines.length ? allowedModes(m.fulfilmentModes, lines.map((l) => l.product.fulfilmentModes)) : []), [m.fulfilmentModes, lines])
  const [fulfilment, setFulfilment] = useState<FulfilmentMode | null>(null)
  const mode0 = fulfilment && modes.includes(fulfilment) ? fulfilment : modes[0] ?? null
  const [address, setAddress] = useState<Address | null>(null)
  const [note, setNote] = useState('')

  const amountFen = mode === 'instore' ? parseYuanToFen(amountText) : null
  const points = pointsText.trim() === '' ? null : normalizePointsInput(pointsText)
  const pointsInvalid = pointsText.trim() !== '' && !points
  const items = useMemo(() => (lines.length ? lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })) : undefined), [lines])
  const ready = mode === 'goods' ? lines.length > 0 : !!amountFen && amountFen > 0

  // the preview always comes from the backend (order.quote)
  useEffect(() => {
    requestId.current = newRequestId('o')
    if (!ready || pointsInvalid) {
      setQuote(null)
      setQuoteErr(null)
      return
    }
    let cancelled = false
    setQuoting(true)
    const t = setTimeout(async () => {
      try {
        const r = await call('order', 'quote', { merchantId: m.id, items, amountFen: mode === 'instore' ? amountFen! : undefined, points: points || undefined })
        if (!cancelled) {
          setQuote(r)
          setQuoteErr(null)
        }
      } catch (e) {
        if (!cancelled) {
          setQuote(null)
          setQuoteErr(errorMessage(e))
        }
      } finally {
        if (!cancelled) setQuoting(false)
      }
    }, 350)
    return () => {
      cancelled = true
      clearTimeout(t)
    }
  }, [m.id, mode, items, amountFen, points, ready, pointsInvalid])

  const useMax = () => {
    if (!quote) return
    let max = quote.maxPoints
    if (assets.data && pointsToHundredths(assets.data.available) < pointsToHundredths(max)) max = assets.data.available
    setPointsText(pointsToHundredths(max) > 0 ? max : '')
  }

  const submit = async () => {
    if (!quote || submitting) return
    if (mode === 'goods' && mode0 === 'delivery' && !address) return Taro.showToast({ title: '请填写收货地址', icon: 'none' })
    setSubmitting(true)
    try {
      const r = await call('order', 'create', {
        merchantId: m.id,
        items,
        amountFen: mode === 'instore' ? amountFen! : undefined,
        points: points || undefined,
        fulfilment: mode === 'goods' ? mode0 ?? undefined : undefined,
        address: mode === 'goods' && mode0 === 'delivery' ? address ?? undefined : undefined,
        note: mode === 'goods' && note.trim() ? note.trim() : undefined,
        requestId: requestId.current,
      })
      let order = r.order
      // the lines ordered leave the cart (the order holds their stock now)
      if (entry === 'cart') removeFromCart(m.id, lines.map((l) => l.product.id))
      if (r.pay) {
        const paid = await pay(r.pay, `${m.name} · ${mode === 'instore' ? '到店付款' : lines.length > 1 ? `${product?.title || ''} 等 ${lines.length} 件` : product?.title || ''}`)
        if (paid) order = await waitPaid(order.id)
        else Taro.showToast({ title: '已取消支付，可在订单中继续支付', icon: 'none' })
      }
      Taro.redirectTo({ url: `/pages/order/index?id=${encodeURIComponent(order.id)}&fresh=1` })
    } catch (e) {
      showError(e)
      requestId.current = newRequestId('o')
    } finally {
      setSubmitting(false)
    }
  }

  if (mode === 'goods' && !product) return <Empty text={entry === 'cart' ? '购物车是空的' : '商品不存在或已下架'} />
  if (!m.acceptingOrders) return <ErrorView message='该商家暂停接单（未营业或积分余额不足），暂时无法付款' />

  return (
    <View className='page checkout-page'>
      <View className='card'>
        <View className='card-title'>{m.name}</View>
        {mode === 'goods' && product ? (
          lines.map((l) => (
            <View key={l.product.id} className='flex-between checkout-line'>
              <View className='grow'>
                <View className='strong'>{l.product.title}</View>
                <View className='muted'>{formatYuan(l.product.priceFen)} × {l.quantity}</View>
              </View>
              {entry === 'cart' && <Stepper value={l.quantity} min={0} max={Math.max(1, l.product.stock)} onChange={(n) => setQty(l.product.id, n)} />}
            </View>
          ))
        ) : (
          <View>
            <View className='field-label'>付款金额（元）</View>
            <Input className='input amount-input' type='digit' placeholder='请输入金额，如 100.00' value={amountText} onInput={(e) => setAmountText(e.detail.value)} />
            {amountText && amountFen === null && <View className='red small'>请输入正确的金额（最多两位小数）</View>}
          </View>
        )}
      </View>

      {mode === 'goods' && (
        <View className='card checkout-fulfilment'>
          <View className='card-title'>收货方式</View>
          {modes.length === 0 ? (
            <View className='red small'>{lines.length > 1 ? '这些商品没有共同的收货方式，请分开下单' : '该商品暂不支持下单'}</View>
          ) : (
            <ModePicker modes={modes} value={mode0} onChange={setFulfilment} />
          )}
          {mode0 === 'delivery' && (
            <View className='mt'>
              <AddressPicker value={address} onChange={setAddress} />
            </View>
          )}
          {mode0 === 'pickup' && <View className='muted mt'>付款后获得取货码，到店出示即可取货。{m.address ? `地址：${m.address}` : ''}</View>}
          {mode0 === 'dinein' && <View className='muted mt'>堂食/现场交付：付款后订单即完成。</View>}
          <Input className='input note-input mt' maxlength={100} placeholder='订单备注（选填），如 少辣、放门口' value={note} onInput={(e) => setNote(e.detail.value)} />
        </View>
      )}

      <View className='card'>
        <View className='card-title'>
          <Text>积分抵扣</Text>
          <Text className='extra' onClick={useMax}>{quote ? '用最多' : ''}</Text>
        </View>
        <Input className='input points-input' type='digit' placeholder='输入要使用的积分，不用可留空' value={pointsText} onInput={(e) => setPointsText(e.detail.value)} />
        {pointsInvalid && <View className='red small'>积分最多两位小数，且大于 0</View>}
        <View className='field-hint'>
          可用积分 {assets.data ? assets.data.available : '…'}
          {quote ? ` · 本单最多可用 ${quote.maxPoints}` : ''}
        </View>
      </View>

      <View className='card quote'>
        <View className='card-title'>付款明细</View>
        {!ready ? (
          <View className='muted'>{mode === 'instore' ? '输入金额后显示' : ''}</View>
        ) : quoteErr ? (
          <View className='red small quote-error'>{quoteErr}</View>
        ) : !quote ? (
          <Loading text='计算中…' />
        ) : (
          <View style={{ opacity: quoting ? 0.5 : 1 }}>
            <View className='row'><Text className='label'>订单金额</Text><Text className='value'>{formatYuan(quote.amountFen)}</Text></View>
            <View className='row'><Text className='label'>今日指导价</Text><Text className='value'>{formatYuan(quote.guidePriceFen)} / 积分</Text></View>
            <View className='row'><Text className='label'>积分抵扣{points ? `（${points} 积分）` : ''}</Text><Text className='value green quote-points-fen'>-{formatYuan(quote.pointsFen)}</Text></View>
            <View className='row'><Text className='label'>微信支付</Text><Text className='value price quote-cash'>{formatYuan(quote.cashFen)}</Text></View>
          </View>
        )}
      </View>
      <View className='pad muted small'>积分按今日指导价折算成人民币抵扣；现金部分付给商家，订单完成后为您产生共享值。</View>
      <View className='bottom-spacer' />
      <View className='bottom-bar'>
        <View className='grow'>
          <Text className='muted'>需支付 </Text>
          <Text className='price' style={{ fontSize: px(40) }}>{quote ? formatYuan(quote.cashFen) : '—'}</Text>
        </View>
        <Button type='primary' disabled={!quote || quoting || submitting || (mode === 'goods' && !mode0)} loading={submitting} onClick={submit}>
          {quote && quote.cashFen === 0 ? '确认用积分支付' : '提交并支付'}
        </Button>
      </View>
      {sheet}
    </View>
  )
}
