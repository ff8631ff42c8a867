import Taro, { useRouter } from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../../components/PageShell'
import OrderActions from '../../components/OrderActions'
import { Empty, QueryView } from '../../components/States'
import { call, errorMessage } from '../../services/cloud'
import type { Order, OrderStatus } from '../../services/types'
import { useQuery } from '../../utils/hooks'
import { followFilter } from '../../utils/lists'
import { formatShortTime, formatYuan, isZero } from '../../utils/format'
import { ORDER_STATUS_COLOR, orderStatusText } from '../../utils/labels'
import { px } from '../../utils/px'

const TABS: { key: OrderStatus | ''; text: string }[] = [
  { key: '', text: '全部' },
  { key: 'unpaid', text: '待支付' },
  { key: 'paid', text: '待发货' },
  { key: 'shipped', text: '待收货' },
  { key: 'completed', text: '已完成' },
  { key: 'refunded', text: '已退款' },
  { key: 'cancelled', text: '已取消' },
]

export default function OrdersPage() {
  const { params } = useRouter()
  return (
    <PageShell>
      <Orders initial={(params.status as OrderStatus) || ''} />
    </PageShell>
  )
}

function Orders({ initial }: { initial: OrderStatus | '' }) {
  const [tab, setTab] = useState<OrderStatus | ''>(initial)
  const [extra, setExtra] = useState<{ items: Order[]; cursor: string | null; err: string | null; loading: boolean }>({ items: [], cursor: null, err: null, loading: false })
  const q = useQuery(async () => {
    const r = await call('order', 'list', { status: tab || undefined })
    setExtra({ items: [], cursor: r.nextCursor, err: null, loading: false })
    return r
  }, [tab])
  const more = async () => {
    if (!extra.cursor) return
    setExtra((x) => ({ ...x, loading: true }))
    try {
      const r = await call('order', 'list', { status: tab || undefined, cursor: extra.cursor })
      setExtra((x) => ({ items: [...x.items, ...r.items], cursor: r.nextCursor, err: null, loading: false }))
    } catch (e) {
      setExtra((x) => ({ ...x, err: errorMessage(e), loading: false }))
    }
  }
  const replace = (o: Order) => {
    if (!q.data) return
    q.setData({ ...q.data, items: followFilter(q.data.items, o, tab) })
    setExtra((x) => ({ ...x, items: followFilter(x.items, o, tab) }))
  }
  return (
    <View className='page orders-page'>
      <View className='chip-bar' style={{ background: '#fff' }}>
        {TABS.map((t) => (
          <View key={t.key} className={`chip ${tab === t.key ? 'active' : ''}`} style={tab === t.key ? {} : { background: '#f5f5f5' }} onClick={() => setTab(t.key)}>
            {t.text}
          </View>
        ))}
      </View>
      <QueryView q={q} empty='还没有订单' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View>
            {[...d.items, ...extra.items].map((o) => (
              <OrderCard key={o.id} o={o} onChange={replace} />
            ))}
            {extra.cursor && (
              <View className='center'><Button size='small' loading={extra.loading} onClick={more}>加载更多</Button></View>
            )}
            {extra.err && <View className='center red small'>{extra.err}</View>}
          </View>
        )}
      </QueryView>
    </View>
  )
}

function OrderCard({ o, onChange }: { o: Order; onChange: (o: Order) => void }) {
  return (
    <View className='card order-card' onClick={() => Taro.navigateTo({ url: `/pages/order/index?id=${encodeURIComponent(o.id)}` })}>
      <View className='flex-between'>
        <Text className='strong'>{o.merchantName}</Text>
        <Text className={`tag ${ORDER_STATUS_COLOR[o.status]} order-status`}>{orderStatusText(o.status, o.kind, o.fulfilment)}</Text>
      </View>
      <View className='muted mt' style={{ marginTop: px(8) }}>
        {o.kind === 'instore' ? '到店付款' : o.lines.map((l) => `${l.title}×${l.quantity}`).join('，')}
      </View>
      <View className='flex-between' style={{ marginTop: px(8) }}>
        <Text className='muted'>{formatShortTime(o.createdAt)}</Text>
        <Text>
          {!isZero(o.pointsUsed) && <Text className='muted'>积分 {o.pointsUsed} + </Text>}
          <Text className='strong'>{formatYuan(o.cashFen)}</Text>
        </Text>
      </View>
      <OrderActions order={o} onChange={onChange} />
    </View>
  )
}
