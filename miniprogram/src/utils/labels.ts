import type { FulfilmentMode, MarketOrderStatus, MerchantStatus, Order, OrderKind, OrderStatus, Side, TradeStatus } from '../services/types'

export const ORDER_STATUS: Record<OrderStatus, string> = {
  unpaid: '待支付',
  paid: '待发货',
  shipped: '待收货',
  completed: '已完成',
  cancelled: '已取消',
  refunded: '已退款',
}

export function orderStatusText(status: OrderStatus, kind: OrderKind, fulfilment?: FulfilmentMode | null): string {
  if (kind === 'instore' && status === 'paid') return '已支付'
  if (fulfilment === 'pickup' && status === 'paid') return '待取货'
  return ORDER_STATUS[status] || status
}

export const ORDER_STATUS_COLOR: Record<OrderStatus, string> = {
  unpaid: 'warn',
  paid: 'primary',
  shipped: 'primary',
  completed: 'success',
  cancelled: 'default',
  refunded: 'default',
}

export const TRADE_STATUS: Record<TradeStatus, string> = {
  awaiting_payment: '待买家付款',
  paid: '买家已付款，待卖家确认',
  completed: '已完成',
  cancelled: '已取消',
  appealed: '申诉中',
}

export const MARKET_ORDER_STATUS: Record<MarketOrderStatus, string> = {
  open: '挂单中',
  filled: '已成交',
  cancelled: '已撤单',
}

export const SIDE: Record<Side, string> = { buy: '买入', sell: '卖出' }

export const MERCHANT_STATUS: Record<MerchantStatus, string> = {
  pending: '审核中',
  rejected: '未通过',
  approved: '已通过，待缴纳保证金',
  active: '营业中',
  suspended: '已暂停接单',
}

export const LEDGER_KIND: Record<string, string> = {
  release: '每日释放',
  transfer_in: '转赠收入',
  transfer_out: '转赠支出',
  transfer: '转赠',
  order_points: '消费抵扣',
  order_points_refund: '抵扣退回',
  merchant_deduction: '商家让利扣除',
  merchant_deduction_refund: '让利退回',
  deposit_purchase: '购买保证金积分',
  market_escrow: '挂单冻结',
  market_release: '解冻',
  market_trade: '市场成交',
  market_fee: '交易手续费',
}

/**
 * The shared-value line of an order, only ever what is true: credited (completed), or what settlement
 * will credit, said as such; nothing for a cancelled or refunded order, which never earns any.
 */
export function orderSvLine(o: Pick<Order, 'status' | 'kind' | 'userSv' | 'expectedUserSv'>): { label: string; value: string } | null {
  const nonZero = (v: string | null | undefined): v is string => !!v && /[1-9]/.test(v)
  if (o.status === 'completed') return nonZero(o.userSv) ? { label: '获得共享值', value: o.userSv } : null
  if (o.status === 'cancelled' || o.status === 'refunded' || !nonZero(o.expectedUserSv)) return null
  if (o.status === 'unpaid') return { label: '付款并完成后获得共享值', value: o.expectedUserSv }
  return { label: o.kind === 'goods' ? '确认收货后获得共享值' : '订单完成后获得共享值', value: o.expectedUserSv }
}
