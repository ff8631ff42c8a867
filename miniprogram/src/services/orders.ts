import { call } from './cloud'
import type { Order } from './types'

/** After a payment, the notification may land a moment later: poll until the order leaves `unpaid`. */
export async function waitPaid(orderId: string, tries = 8): Promise<Order> {
  let o = await call('order', 'get', { orderId })
  for (let i = 0; i < tries && o.status === 'unpaid'; i++) {
    await new Promise((r) => setTimeout(r, 400 + i * 200))
    o = await call('order', 'get', { orderId })
  }
  return o
}

/** Parses the in-store pay code's `scene` ("m=<id>", "mid=<id>" or just the id). */
export function merchantIdFromScene(scene: string | undefined): string {
  if (!scene) return ''
  const s = decodeURIComponent(scene)
  if (!s.includes('=')) return s
  for (const kv of s.split('&')) {
    const [k, v] = kv.split('=')
    if (['m', 'mid', 'merchantId', 'id'].includes(k)) return v || ''
  }
  return ''
}
