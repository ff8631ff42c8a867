import Taro, { useRouter } from '@tarojs/taro'
import { View, Text } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import PageShell from '../../components/PageShell'
import OrderActions from '../../components/OrderActions'
import { OrderFulfilment } from '../../components/Fulfilment'
import { replaceCart } from '../../services/cart'
import { callStore, phoneOf } from '../../services/phone'
import { showError } from '../../utils/hooks'
import { QueryView } from '../../components/States'
import { call } from '../../services/cloud'
import type { Order } from '../../services/types'
import { useQuery } from '../../utils/hooks'
import { formatDateTime, formatPoints, formatYuan, isZero } from '../../utils/format'
import { ORDER_STATUS_COLOR, orderStatusText, orderSvLine } from '../../utils/labels'
import { px } from '../../utils/px'

export default function OrderPage() {
  const { params } = useRouter()
  return (
    <PageShell>
      <OrderDetail id={decodeURIComponent(params.id || '')} />
    </PageShell>
  )
}

function statusHint(o: Order): string {
  switch (o.status) {
    case 'unpaid':
      return `请在 ${formatDateTime(o.payExpiresAt)} 前完成支付，超时订单自动取消`
    case 'paid':
      return o.kind === 'instore' ? '付款成功' : o.fulfilment === 'pickup' ? '已付款，请到店出示取货码取货' : '已付款，等待商家发货'
    case 'shipped':
      return `商家已发货${o.autoConfirmAt ? `，${formatDateTime(o.autoConfirmAt)} 将自动确认收货` : ''}`
    case 'completed':
      return isZero(o.userSv) ? '订单已完成' : `订单已完成，您获得了 ${formatPoints(o.userSv)} 共享值`
    case 'cancelled':
      return '订单已取消，使用的积分已退回'
    case 'refunded':
      return '已退款：现金原路退回，积分已退回您的账户'
  }
}

/** 再来一单: the order's lines become the store's cart, then its checkout (prices and stock as of now). */
function orderAgain(o: Order) {
  replaceCart(o.merchantId, o.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })))
  Taro.navigateTo({ url: `/pages/checkout/index?mode=cart&merchantId=${encodeURIComponent(o.merchantId)}` })
}

async function contactStore(merchantId: string) {
  try {
    const m = await call('merchant', 'get', { merchantId })
    if (phoneOf(m.contact)) callStore(m.contact)
    else Taro.showModal({ title: m.name, content: `联系方式：${m.contact || '—'}\n地址：${m.address || '—'}`, showCancel: false })
  } catch (e) {
    showError(e)
  }
}

function OrderDetail({ id }: { id: string }) {
  const q = useQuery(() => call('order', 'get', { orderId: id }), [id])
  return (
    <QueryView q={q}>
      {(o) => (
        <View className='page order-page'>
          <View className='card' style={{ background: o.status === 'completed' ? '#07c160' : '#fff', color: o.status === 'completed' ? '#fff' : undefined }}>
            <View className='flex-between'>
              <Text className='strong order-status-text' style={{ fontSize: px(36) }}>{orderStatusText(o.status, o.kind, o.fulfilment)}</Text>
              {o.status !== 'completed' && <Text className={`tag ${ORDER_STATUS_COLOR[o.status]}`}>{o.kind === 'instore' ? '到店付款' : '商品订单'}</Text>}
            </View>
            <View className='small mt order-hint'>{statusHint(o)}</View>
          </View>
          <OrderFulfilment o={o} />
          <View className='card'>
            <View className='card-title'>{o.merchantName}</View>
            {o.lines.map((l) => (
              <View key={l.productId} className='row'>
                <Text className='label'>{l.title} × {l.quantity}</Text>
                <Text className='value'>{formatYuan(l.priceFen * l.quantity)}</Text>
              </View>
            ))}
            <View className='row'><Text className='label'>订单金额</Text><Text className='value'>{formatYuan(o.amountFen)}</Text></View>
            {!isZero(o.pointsUsed) && <View className='row'><Text className='label'>积分抵扣</Text><Text className='value'>{formatPoints(o.pointsUsed)} 积分 = -{formatYuan(o.pointsFen)}</Text></View>}
            <View className='row'><Text className='label'>下单时指导价</Text><Text className='value'>{formatYuan(o.guidePriceFen)} / 积分</Text></View>
            <View className='row'><Text className='label'>微信支付</Text><Text className='value price'>{formatYuan(o.cashFen)}</Text></View>
            {(() => {
              const sv = orderSvLine(o)
              return sv && <View className='row'><Text className='label order-sv-label'>{sv.label}</Text><Text className='value green order-sv'>{formatPoints(sv.value)}</Text></View>
            })()}
            <OrderActions order={o} onChange={(n) => q.setData(n)} />
          </View>
          <View className='card'>
            <View className='row'><Text className='label'>订单号</Text><Text className='value small'>{o.id}</Text></View>
            <View className='row'><Text className='label'>下单时间</Text><Text className='value'>{formatDateTime(o.createdAt)}</Text></View>
            {o.paidAt && <View className='row'><Text className='label'>支付时间</Text><Text className='value'>{formatDateTime(o.paidAt)}</Text></View>}
            {o.shippedAt && <View className='row'><Text className='label'>发货时间</Text><Text className='value'>{formatDateTime(o.shippedAt)}</Text></View>}
            {o.completedAt && <View className='row'><Text className='label'>完成时间</Text><Text className='value'>{formatDateTime(o.completedAt)}</Text></View>}
            {o.cancelledAt && <View className='row'><Text className='label'>取消时间</Text><Text className='value'>{formatDateTime(o.cancelledAt)}</Text></View>}
            {o.refundedAt && <View className='row'><Text className='label'>退款时间</Text><Text className='value'>{formatDateTime(o.refundedAt)}</Text></View>}
          </View>
          {o.kind === 'goods' && o.status !== 'unpaid' && (
            <View className='btn-row pad'>
              <Button type='primary' className='order-again' onClick={() => orderAgain(o)}>再来一单</Button>
              <Button className='contact-store' onClick={() => contactStore(o.merchantId)}>联系商家</Button>
            </View>
          )}
          <View className='btn-row pad'>
            <Button onClick={() => Taro.redirectTo({ url: '/pages/orders/index' })}>全部订单</Button>
            <Button onClick={() => Taro.switchTab({ url: '/pages/assets/index' })}>我的资产</Button>
          </View>
        </View>
      )}
    </QueryView>
  )
}
