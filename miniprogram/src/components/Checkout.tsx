import Taro from '@tarojs/taro'
import { View, Text, Input } from '@tarojs/components'
import NumberInput from './NumberInput'
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
import { formatPoints, formatYuan, pointsToHundredths } from '../utils/format'
import { checkPoints, checkYuan } from '../utils/input'
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
  if (!props.merchantId) return <Empty home text='没有找到商家，请重新扫码或从商家页进入' />
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

  const amount = checkYuan(amountText, { label: '付款金额' })
  const amountFen = mode === 'instore' ? amount.value : null
  const items = useMemo(() => (lines.length ? lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })) : undefined), [lines])
  const ready = mode === 'goods' ? lines.length > 0 : !!amountFen && amountFen > 0

  // 1. the order without points: its amount and how many points it can take (min of the order's cap and the balance)
  const [base, setBase] = useState<Quote | null>(null)
  const [baseErr, setBaseErr] = useState<string | null>(null)
  useEffect(() => {
    requestId.current = newRequestId('o')
    setBase(null)
    setBaseErr(null)
    if (!ready) return
    return debounced(() => call('order', 'quote', { merchantId: m.id, items, amountFen: mode === 'instore' ? amountFen! : undefined }), setBase, setBaseErr)
  }, [m.id, mode, items, amountFen, ready])

  // 2. the points typed, checked at once against the balance and the order's maximum (never sent when they cannot be used)
  const pointsCheck = checkPoints(pointsText, {
    label: '抵扣积分',
    max: [
      ...(assets.data ? [{ value: assets.data.available, reason: `积分余额不足：可用 ${formatPoints(assets.data.available)} 积分` }] : []),
      ...(base ? [{ value: base.maxPoints, reason: `本单最多可用 ${formatPoints(base.maxPoints)} 积分` }] : []),
    ],
  })
  const points = base && assets.data ? pointsCheck.value : null
  const [withPoints, setWithPoints] = useState<Quote | null>(null)
  const [withPointsErr, setWithPointsErr] = useState<string | null>(null)
  useEffect(() => {
    requestId.current = newRequestId('o')
    setWithPoints(null)
    setWithPointsErr(null)
    if (!base || !points) return
    return debounced(() => call('order', 'quote', { merchantId: m.id, items, amountFen: mode === 'instore' ? amountFen! : undefined, points }), setWithPoints, setWithPointsErr)
  }, [base, points]) // eslint-disable-line react-hooks/exhaustive-deps

  const typedPoints = pointsText.trim() !== ''
  const quote = typedPoints ? (points ? withPoints : null) : base
  const quoteErr = baseErr || (typedPoints ? withPointsErr : null)
  const quoting = (ready && !base && !baseErr) || (!!points && !withPoints && !withPointsErr)
  // goods need a way to reach the buyer, and an address when it is delivery
  const fulfilmentBlock = mode !== 'goods' || !lines.length ? '' : !mode0 ? '这些商品没有共同的收货方式' : mode0 === 'delivery' && !address ? '请填写收货地址' : ''
  const blocked = pointsCheck.error ? '请先修正抵扣积分' : fulfilmentBlock || (!ready ? (mode === 'instore' ? '请先输入付款金额' : '') : quoteErr ? '暂时无法下单' : '')

  const useMax = () => {
    if (!base) return
    setPointsText(pointsToHundredths(base.maxPoints) > 0 ? base.maxPoints : '')
  }

  const submit = async () => {
    if (!quote || submitting || blocked) return
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

  if (mode === 'goods' && !product) return <Empty home text={entry === 'cart' ? '购物车是空的' : '商品不存在或已下架'} />
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
            <NumberInput className='amount-input' placeholder='请输入金额，如 100.00' value={amountText} onInput={setAmountText} error={amount.error} />
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
          <Text className='extra' onClick={useMax}>{base ? '用最多' : ''}</Text>
        </View>
        <NumberInput className='points-input' placeholder='输入要使用的积分，不用可留空' value={pointsText} onInput={setPointsText} error={pointsCheck.error} />
        <View className='field-hint'>
          可用积分 {assets.data ? formatPoints(assets.data.available) : '…'}
          {base ? ` · 本单最多可用 ${formatPoints(base.maxPoints)}` : ''}
        </View>
      </View>

      <View className='card quote'>
        <View className='card-title'>付款明细</View>
        {!ready ? (
          <View className='muted'>{mode === 'instore' ? '输入金额后显示' : ''}</View>
        ) : quoteErr ? (
          <View className='red small quote-error'>{quoteErr}</View>
        ) : pointsCheck.error ? (
          <View className='muted quote-blocked'>抵扣积分有误，修正后显示</View>
        ) : !quote ? (
          <Loading text='计算中…' />
        ) : (
          <View>
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
        <View className='center'>
          <Button type='primary' disabled={!quote || quoting || submitting || !!blocked} loading={submitting} onClick={submit}>
            {quote && quote.cashFen === 0 ? '确认用积分支付' : '提交并支付'}
          </Button>
          {blocked && <View className='disabled-reason checkout-blocked'>{blocked}</View>}
        </View>
      </View>
      {sheet}
    </View>
  )
}

/** Calls `load` after a short pause (typing), then hands the result to one of two setters; returns the cancel. */
function debounced<T>(load: () => Promise<T>, onData: (d: T) => void, onError: (msg: string) => void): () => void {
  let cancelled = false
  const t = setTimeout(async () => {
    try {
      const r = await load()
      if (!cancelled) onData(r)
    } catch (e) {
      if (!cancelled) onError(errorMessage(e))
    }
  }, 350)
  return () => {
    cancelled = true
    clearTimeout(t)
  }
}
