import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import NumberInput from '../../components/NumberInput'
import { Button } from '@nutui/nutui-react-taro'
import { useRef, useState } from 'react'
import PageShell from '../../components/PageShell'
import Chart from '../../components/Chart'
import Segmented from '../../components/Segmented'
import TradeCard from '../../components/TradeCard'
import { Empty, QueryView } from '../../components/States'
import { call, newRequestId } from '../../services/cloud'
import { askConsent } from '../../services/subscribe'
import type { MarketOrderStatus, Side, TradeStatus } from '../../services/types'
import { showError, useQuery } from '../../utils/hooks'
import { formatPoints, formatRate, formatShortTime, formatYuan, fenToYuanText } from '../../utils/format'
import { checkPoints, checkYuan } from '../../utils/input'
import { maxSellable, placeSummary, placeTotal } from '../../utils/market'
import { MARKET_ORDER_STATUS, SIDE } from '../../utils/labels'
import { px } from '../../utils/px'

type Tab = 'book' | 'place' | 'orders' | 'trades'

export default function MarketPage() {
  return (
    <PageShell>
      <Market />
    </PageShell>
  )
}

function Market() {
  const [tab, setTab] = useState<Tab>('book')
  return (
    <View className='page market-page'>
      <Segmented<Tab>
        items={[
          { key: 'book', text: '行情' },
          { key: 'place', text: '买卖' },
          { key: 'orders', text: '我的挂单' },
          { key: 'trades', text: '我的交易' },
        ]}
        value={tab}
        onChange={setTab}
      />
      {tab === 'book' && <Book onTrade={() => setTab('place')} />}
      {tab === 'place' && <Place onPlaced={(hasTrades) => setTab(hasTrades ? 'trades' : 'orders')} />}
      {tab === 'orders' && <MyOrders onTrade={() => setTab('place')} />}
      {tab === 'trades' && <MyTrades onTrade={() => setTab('place')} />}
    </View>
  )
}

function Book({ onTrade }: { onTrade: () => void }) {
  const depth = useQuery(() => call('market', 'depth', { levels: 8 }), [])
  const recent = useQuery(() => call('market', 'recentTrades', { limit: 20 }), [])
  const stats = useQuery(() => call('market', 'stats', {}), [])
  return (
    <View>
      <QueryView q={depth}>
        {(d) => (
          <View className='card depth'>
            <View className='flex-between'>
              <View>
                <View className='muted'>今日指导价</View>
                <View className='mid-number market-guide-price'>{formatYuan(d.guidePriceFen)}</View>
              </View>
              <View style={{ textAlign: 'right' }}>
                <View className='muted'>可挂单价格</View>
                <View className='small'>{formatYuan(d.minPriceFen)} ~ {formatYuan(d.maxPriceFen)}</View>
                <View className='muted'>卖方手续费 {formatRate(d.feeRate)}</View>
              </View>
            </View>
            <View className='flex mt' style={{ alignItems: 'flex-start', gap: px(24) }}>
              <View className='grow'>
                <View className='flex-between muted'><Text>买价</Text><Text>数量</Text></View>
                {d.bids.length === 0 && <View className='muted center'>暂无买单</View>}
                {d.bids.map((b) => (
                  <View key={b.priceFen} className='flex-between small bid-level'><Text className='green'>{fenToYuanText(b.priceFen)}</Text><Text>{formatPoints(b.quantity)}</Text></View>
                ))}
              </View>
              <View className='grow'>
                <View className='flex-between muted'><Text>卖价</Text><Text>数量</Text></View>
                {d.asks.length === 0 && <View className='muted center'>暂无卖单</View>}
                {d.asks.map((a) => (
                  <View key={a.priceFen} className='flex-between small ask-level'><Text className='red'>{fenToYuanText(a.priceFen)}</Text><Text>{formatPoints(a.quantity)}</Text></View>
                ))}
              </View>
            </View>
            <Button className='btn-block' type='primary' block onClick={onTrade}>我要买卖</Button>
          </View>
        )}
      </QueryView>
      <View className='section-title'>价格走势（元/积分）</View>
      <QueryView q={stats}>
        {(s) => (
          <View className='card'>
            <Chart
              days={s.history.map((h) => h.day)}
              series={[
                { name: '指导价', color: '#07c160', values: s.history.map((h) => h.guidePriceFen) },
                { name: '成交均价', color: '#fa9d3b', values: s.history.map((h) => h.vwapFen) },
              ]}
            />
            <View className='muted small mt'>今日成交 {formatPoints(s.volume)} 积分 · {s.trades} 笔{s.vwapFen !== null ? ` · 均价 ${formatYuan(s.vwapFen)}` : ''}</View>
          </View>
        )}
      </QueryView>
      <View className='section-title'>最近成交</View>
      <QueryView q={recent} empty='还没有成交' isEmpty={(r) => r.items.length === 0}>
        {(r) => (
          <View className='card table'>
            <View className='tr th'><Text className='td'>时间</Text><Text className='td'>价格</Text><Text className='td'>数量</Text></View>
            {r.items.map((t, i) => (
              <View key={i} className='tr'><Text className='td'>{formatShortTime(t.at)}</Text><Text className='td'>{formatYuan(t.priceFen)}</Text><Text className='td'>{formatPoints(t.quantity)}</Text></View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}

function Place({ onPlaced }: { onPlaced: (hasTrades: boolean) => void }) {
  const depth = useQuery(() => call('market', 'depth', { levels: 5 }), [])
  const assets = useQuery(() => call('user', 'assets', {}), [])
  const pd = useQuery(() => call('market', 'getPaymentDetails', {}), [])
  const [side, setSide] = useState<Side>('buy')
  const [priceText, setPriceText] = useState('')
  const [qtyText, setQtyText] = useState('')
  const [busy, setBusy] = useState(false)
  const rid = useRef(newRequestId('m'))
  const d = depth.data
  const priceCheck = checkYuan(priceText, { label: '单价', minFen: d?.minPriceFen, maxFen: d?.maxPriceFen })
  const feeRate = d?.feeRate ?? '0'
  const available = assets.data?.available
  const qtyCheck = checkPoints(qtyText, {
    label: '数量',
    min: '1',
    // a sell order escrows quantity + fee at once: say so before the tap, not after
    max: side === 'sell' && available !== undefined ? [{ value: maxSellable(available, feeRate), reason: `可用积分不足：卖出 ${qtyText.trim()} 积分另需手续费，最多可卖 ${formatPoints(maxSellable(available, feeRate))}` }] : [],
  })
  const priceFen = priceCheck.value
  const qty = qtyCheck.value
  const noPayment = side === 'sell' && pd.data && !pd.data.accountText && !pd.data.qrImageUrl
  const blocked = !priceText.trim() ? '请输入单价' : !qtyText.trim() ? '请输入数量' : priceCheck.error || qtyCheck.error ? '请先修正标红的项' : noPayment ? '请先设置收款方式' : ''
  const valid = !blocked && !!priceFen && !!qty

  const submit = async () => {
    if (!valid || busy) return
    const ok = await Taro.showModal({
      title: side === 'buy' ? '确认买入' : '确认卖出',
      content: placeSummary(side, qty!, priceFen!, feeRate),
      confirmText: '确认',
      cancelText: '取消',
    })
    if (!ok.confirm) return
    setBusy(true)
    try {
      const r = await call('market', 'place', { side, priceFen: priceFen!, quantity: qty!, requestId: rid.current })
      rid.current = newRequestId('m')
      setQtyText('')
      // the moment a user expects to hear back: ask for the trade notices (WeChat allows it only in a tap,
      // here the modal's confirm)
      const traded = r.trades.length > 0
      const answer = await Taro.showModal({
        title: traded ? '已成交' : '挂单成功',
        content:
          (traded
            ? side === 'buy'
              ? `撮合成交 ${r.trades.length} 笔，请尽快向卖家付款。`
              : `撮合成交 ${r.trades.length} 笔，等待买家付款。`
            : '订单已挂出。') + '交易有进展时用微信通知您吗？',
        confirmText: '通知我',
        cancelText: '不用了',
      })
      if (answer.confirm) {
        const consent = await askConsent(side === 'sell' ? 'afterSell' : 'afterBuy')
        if (consent.reason) Taro.showToast({ title: consent.reason, icon: 'none' })
      }
      if (r.trades.length === 1) Taro.navigateTo({ url: `/pages/trade/index?id=${encodeURIComponent(r.trades[0].id)}` })
      onPlaced(r.trades.length > 0)
    } catch (e) {
      showError(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View>
      <View className='card place-form'>
        <View className='flex' style={{ gap: px(16), marginBottom: px(16) }}>
          {(['buy', 'sell'] as Side[]).map((s) => (
            <View
              key={s}
              className={`grow center side-${s}`}
              style={{ padding: `${px(16)} 0`, borderRadius: px(8), background: side === s ? (s === 'buy' ? '#07c160' : '#fa5151') : '#f5f5f5', color: side === s ? '#fff' : '#4f4f4f', fontWeight: 600 }}
              onClick={() => setSide(s)}
            >
              {SIDE[s]}
            </View>
          ))}
        </View>
        <View className='field'>
          <View className='field-label'>单价（元 / 积分）</View>
          <NumberInput className='price-input' placeholder={depth.data ? `指导价 ${fenToYuanText(depth.data.guidePriceFen)}` : '单价'} value={priceText} onInput={setPriceText} error={priceCheck.error} />
          {depth.data && (
            <View className='field-hint'>
              可挂价格 {formatYuan(depth.data.minPriceFen)} ~ {formatYuan(depth.data.maxPriceFen)}{' '}
              <Text className='link-text' onClick={() => setPriceText(fenToYuanText(depth.data!.guidePriceFen))}>用指导价</Text>
            </View>
          )}
        </View>
        <View className='field'>
          <View className='field-label'>数量（积分）</View>
          <NumberInput className='qty-input' placeholder='至少 1 积分，最多两位小数' value={qtyText} onInput={setQtyText} error={qtyCheck.error} />
          <View className='field-hint'>
            可用积分 {assets.data ? formatPoints(assets.data.available) : '…'}
            {side === 'sell' && depth.data ? ` · 卖方手续费 ${formatRate(depth.data.feeRate)}（以积分支付，挂单时一并冻结）` : ''}
          </View>
        </View>
        {noPayment && (
          <View className='notice-bar' style={{ borderRadius: px(8) }}>
            卖出前请先设置收款方式，买家需要它向您付款。
            <Text className='link-text' onClick={() => Taro.navigateTo({ url: '/pages/payment-details/index' })}>去设置 ›</Text>
          </View>
        )}
        {priceFen && qty && <View className='field-hint place-total'>{placeTotal(side, qty, priceFen, feeRate)}</View>}
        {blocked && <View className='disabled-reason place-blocked'>{blocked}</View>}
        <Button className='btn-block place-submit' type={side === 'buy' ? 'primary' : 'danger'} block disabled={!valid} loading={busy} onClick={submit}>
          {side === 'buy' ? '买入' : '卖出'}
        </Button>
        <View className='muted small mt'>
          C2C 交易的货款由买家直接付给卖家，平台不经手资金。买家 30 分钟内未标记付款，交易自动取消；24 小时内 3 次未付款将暂停买入 24 小时。
        </View>
      </View>
    </View>
  )
}

/** An empty list's way forward: to the 买卖 tab. */
function NothingYet({ text, onTrade }: { text: string; onTrade: () => void }) {
  return (
    <Empty text={text}>
      <View className='retry'>
        <Button size='small' type='primary' className='go-trade' onClick={onTrade}>去买卖</Button>
      </View>
    </Empty>
  )
}

function MyOrders({ onTrade }: { onTrade: () => void }) {
  const [status, setStatus] = useState<MarketOrderStatus | ''>('open')
  // refreshed on return (useDidShow), after each action, and every 15 s while shown: a fill happens on someone else's tap
  const q = useQuery(() => call('market', 'myOrders', { status: status || undefined }), [status], { pollMs: 15_000 })
  const cancel = async (id: string) => {
    const ok = await Taro.showModal({ title: '撤单', content: '确定撤销这笔挂单吗？未成交部分的冻结积分会退回。', confirmText: '撤单', cancelText: '取消' })
    if (!ok.confirm) return
    try {
      await call('market', 'cancel', { orderId: id })
      Taro.showToast({ title: '已撤单', icon: 'success' })
      q.reload()
    } catch (e) {
      showError(e)
    }
  }
  return (
    <View>
      <View className='chip-bar'>
        {([['open', '挂单中'], ['filled', '已成交'], ['cancelled', '已撤单'], ['', '全部']] as [MarketOrderStatus | '', string][]).map(([k, t]) => (
          <View key={k} className={`chip ${status === k ? 'active' : ''}`} onClick={() => setStatus(k)}>{t}</View>
        ))}
      </View>
      <QueryView q={q}>
        {(d) => d.items.length === 0 ? <NothingYet text='没有挂单' onTrade={onTrade} /> : (
          <View>
            {d.items.map((o) => (
              <View key={o.id} className='card market-order'>
                <View className='flex-between'>
                  <Text className={`strong ${o.side === 'buy' ? 'green' : 'red'}`}>{SIDE[o.side]} {formatPoints(o.quantity)} 积分</Text>
                  <Text className='tag'>{MARKET_ORDER_STATUS[o.status]}</Text>
                </View>
                <View className='muted' style={{ marginTop: px(8) }}>单价 {formatYuan(o.priceFen)} · 未成交 {formatPoints(o.remaining)}{o.side === 'sell' ? ` · 冻结手续费 ${formatPoints(o.feeEscrowed)}` : ''}</View>
                <View className='flex-between' style={{ marginTop: px(4) }}>
                  <Text className='muted'>{formatShortTime(o.createdAt)}</Text>
                  {o.status === 'open' && <Button size='small' onClick={() => cancel(o.id)}>撤单</Button>}
                </View>
              </View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}

function MyTrades({ onTrade }: { onTrade: () => void }) {
  const [status, setStatus] = useState<TradeStatus | ''>('')
  const q = useQuery(() => call('market', 'myTrades', { status: status || undefined }), [status], { pollMs: 15_000 })
  return (
    <View>
      <View className='chip-bar'>
        {([['', '全部'], ['awaiting_payment', '待付款'], ['paid', '待确认'], ['appealed', '申诉中'], ['completed', '已完成'], ['cancelled', '已取消']] as [TradeStatus | '', string][]).map(([k, t]) => (
          <View key={k} className={`chip ${status === k ? 'active' : ''}`} onClick={() => setStatus(k)}>{t}</View>
        ))}
      </View>
      <QueryView q={q}>
        {(d) => (d.items.length === 0 ? <NothingYet text='没有交易' onTrade={onTrade} /> : <View>{d.items.map((t) => <TradeCard key={t.id} t={t} />)}</View>)}
      </QueryView>
    </View>
  )
}
