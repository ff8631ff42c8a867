import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { Order, OrderStatus } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { followFilter } from '../utils/lists'
import { formatPoints, formatShortTime, formatYuan, isZero } from '../utils/format'
import { ORDER_STATUS_COLOR, orderStatusText } from '../utils/labels'
import { px } from '../utils/px'
import { OrderFulfilment, PickupVerify, ShipForm } from '../components/Fulfilment'

export default function MerchantOrdersPage() {
  return (
    <PageShell>
      <Orders />
    </PageShell>
  )
}

const TABS: [OrderStatus | '', string][] = [['paid', '待处理'], ['shipped', '已发货'], ['completed', '已完成'], ['refunded', '已退款'], ['', '全部']]

function Orders() {
  const [status, setStatus] = useState<OrderStatus | ''>('paid')
  const q = useQuery(() => call('merchant', 'orders', { status: status || undefined }), [status])
  // the list follows its filter: a shipped order leaves 待处理 at once
  const replace = (n: Order) => {
    if (q.data) q.setData({ ...q.data, items: followFilter(q.data.items, n, status) })
  }
  return (
    <View className='page mc-orders-page'>
      <View className='chip-bar'>
        {TABS.map(([k, t]) => (
          <View key={k} className={`chip ${status === k ? 'active' : ''}`} onClick={() => setStatus(k)}>{t}</View>
        ))}
      </View>
      {status === 'paid' && <PickupVerify onDone={() => q.reload()} />}
      <QueryView q={q} empty='没有订单' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View>
            {d.items.map((o) => (
              <View key={o.id} className='card mc-order'>
                <View className='flex-between'>
                  <Text className='small muted'>{o.id}{o.buyerUserNo ? ` · 买家 ${o.buyerUserNo}` : ''}</Text>
                  <Text className={`tag ${ORDER_STATUS_COLOR[o.status]}`}>{orderStatusText(o.status, o.kind, o.fulfilment)}</Text>
                </View>
                <View className='mt' style={{ marginTop: px(8) }}>{o.kind === 'instore' ? '到店付款' : o.lines.map((l) => `${l.title} × ${l.quantity}`).join('，')}</View>
                <View className='muted'>
                  金额 {formatYuan(o.amountFen)} · 现金 {formatYuan(o.cashFen)}
                  {!isZero(o.pointsUsed) ? ` · 积分 ${formatPoints(o.pointsUsed)}` : ''}
                  {!isZero(o.merchantDeduction) ? ` · 扣除让利积分 ${formatPoints(o.merchantDeduction)}` : ''}
                </View>
                {o.kind === 'goods' && <OrderFulfilment o={o} flat />}
                <View className='flex-between' style={{ marginTop: px(8) }}>
                  <Text className='muted'>{formatShortTime(o.createdAt)}</Text>
                  {o.status === 'paid' && o.kind === 'goods' && (o.fulfilment ?? 'delivery') === 'delivery' && <ShipForm order={o} onDone={replace} />}
                </View>
              </View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}
