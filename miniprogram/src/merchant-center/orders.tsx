import Taro from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import PageShell from '../components/PageShell'
import { QueryView } from '../components/States'
import { call } from '../services/cloud'
import type { Order, OrderStatus } from '../services/types'
import { showError, useQuery } from '../utils/hooks'
import { followFilter, shipSummary } from '../utils/lists'
import { formatPoints, formatShortTime, formatYuan, isZero } from '../utils/format'
import { ORDER_STATUS_COLOR, orderStatusText } from '../utils/labels'
import { px } from '../utils/px'

export default function MerchantOrdersPage() {
  return (
    <PageShell>
      <Orders />
    </PageShell>
  )
}

const TABS: [OrderStatus | '', string][] = [['paid', '待发货'], ['shipped', '已发货'], ['completed', '已完成'], ['refunded', '已退款'], ['', '全部']]

function Orders() {
  const [status, setStatus] = useState<OrderStatus | ''>('paid')
  const q = useQuery(() => call('merchant', 'orders', { status: status || undefined }), [status])
  const ship = async (o: Order) => {
    // the order's tail number and what it holds: a full id wrapped mid-word inside the dialog
    const r = await Taro.showModal({ title: '确认发货', content: shipSummary(o), confirmText: '发货', cancelText: '取消' })
    if (!r.confirm) return
    try {
      const n = await call('merchant', 'ship', { orderId: o.id })
      if (q.data) q.setData({ ...q.data, items: followFilter(q.data.items, n, status) })
      Taro.showToast({ title: '已发货', icon: 'success' })
    } catch (e) {
      showError(e)
    }
  }
  return (
    <View className='page mc-orders-page'>
      <View className='chip-bar'>
        {TABS.map(([k, t]) => (
          <View key={k} className={`chip ${status === k ? 'active' : ''}`} onClick={() => setStatus(k)}>{t}</View>
        ))}
      </View>
      <QueryView q={q} empty='没有订单' isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <View>
            {d.items.map((o) => (
              <View key={o.id} className='card mc-order'>
                <View className='flex-between'>
                  <Text className='small muted'>{o.id}{o.buyerUserNo ? ` · 买家 ${o.buyerUserNo}` : ''}</Text>
                  <Text className={`tag ${ORDER_STATUS_COLOR[o.status]}`}>{orderStatusText(o.status, o.kind)}</Text>
                </View>
                <View className='mt' style={{ marginTop: px(8) }}>{o.kind === 'instore' ? '到店付款' : o.lines.map((l) => `${l.title} × ${l.quantity}`).join('，')}</View>
                <View className='muted'>
                  金额 {formatYuan(o.amountFen)} · 现金 {formatYuan(o.cashFen)}
                  {!isZero(o.pointsUsed) ? ` · 积分 ${formatPoints(o.pointsUsed)}` : ''}
                  {!isZero(o.merchantDeduction) ? ` · 扣除让利积分 ${formatPoints(o.merchantDeduction)}` : ''}
                </View>
                <View className='flex-between' style={{ marginTop: px(8) }}>
                  <Text className='muted'>{formatShortTime(o.createdAt)}</Text>
                  {o.status === 'paid' && o.kind === 'goods' && <Button size='small' type='primary' className='ship-btn' onClick={() => ship(o)}>发货</Button>}
                </View>
              </View>
            ))}
          </View>
        )}
      </QueryView>
    </View>
  )
}
