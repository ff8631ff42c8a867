import Taro from '@tarojs/taro'
import { View } from '@tarojs/components'
import { Button } from '@nutui/nutui-react-taro'
import { useState } from 'react'
import { call } from '../services/cloud'
import { waitPaid } from '../services/orders'
import type { Order } from '../services/types'
import { showError } from '../utils/hooks'
import { usePayment } from './Payment'

async function confirmDialog(title: string, content: string) {
  const r = await Taro.showModal({ title, content, confirmText: '确定', cancelText: '再想想' })
  return r.confirm
}

/** The buyer's actions on an order: pay, cancel, confirm receipt, refund. */
export default function OrderActions({ order, onChange }: { order: Order; onChange: (o: Order) => void }) {
  const [busy, setBusy] = useState('')
  const { pay, sheet } = usePayment()
  const run = async (name: string, fn: () => Promise<Order | null>, ok?: string) => {
    if (busy) return
    setBusy(name)
    try {
      const o = await fn()
      if (o) {
        onChange(o)
        if (ok) Taro.showToast({ title: ok, icon: 'success' })
      }
    } catch (e) {
      showError(e)
    } finally {
      setBusy('')
    }
  }
  const doPay = () =>
    run('pay', async () => {
      const r = await call('order', 'pay', { orderId: order.id })
      if (!r.pay) return r.order
      const paid = await pay(r.pay, order.merchantName)
      return paid ? waitPaid(order.id) : null
    }, '支付成功')
  const cancel = () =>
    run('cancel', async () => ((await confirmDialog('取消订单', '确定取消这个订单吗？使用的积分会退回。')) ? call('order', 'cancel', { orderId: order.id }) : null), '已取消')
  const confirm = () =>
    run('confirm', async () => ((await confirmDialog('确认收货', `确认已经收到商品？确认后订单完成${order.expectedUserSv && /[1-9]/.test(order.expectedUserSv) ? `，您将获得 ${order.expectedUserSv} 共享值` : ''}。`)) ? call('order', 'confirm', { orderId: order.id }) : null), '已确认收货')
  const refund = () =>
    run('refund', async () => ((await confirmDialog('申请退款', '确定退款吗？现金原路退回，使用的积分退回您的账户。')) ? call('order', 'refund', { orderId: order.id, reason: '买家申请退款' }) : null), '已退款')

  const buttons: JSX.Element[] = []
  if (order.status === 'unpaid') {
    buttons.push(<Button key='c' size='small' loading={busy === 'cancel'} onClick={cancel}>取消订单</Button>)
    buttons.push(<Button key='p' size='small' type='primary' loading={busy === 'pay'} onClick={doPay}>去支付</Button>)
  }
  if (order.kind === 'goods' && (order.status === 'paid' || order.status === 'shipped')) {
    buttons.push(<Button key='r' size='small' loading={busy === 'refund'} onClick={refund}>申请退款</Button>)
  }
  if (order.status === 'shipped') {
    buttons.push(<Button key='f' size='small' type='primary' loading={busy === 'confirm'} onClick={confirm}>确认收货</Button>)
  }
  if (!buttons.length) return null
  return (
    <View className='actions' onClick={(e) => e.stopPropagation()}>
      {buttons}
      {sheet}
    </View>
  )
}
