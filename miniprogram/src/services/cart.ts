/**
 * The cart: one per store, kept on the phone (Taro storage), never on the server. An order is made from it
 * like any other (order.create with several items); stock is reserved only then, as for a single item.
 */
import Taro from '@tarojs/taro'

export interface CartLine { productId: string; quantity: number }

const MAX_LINES = 50 // order.create takes at most 50 lines
const MAX_QTY = 9999
const key = (merchantId: string) => `gxg.cart.${merchantId}`

export function getCart(merchantId: string): CartLine[] {
  try {
    const v = Taro.getStorageSync(key(merchantId))
    const lines = (typeof v === 'string' && v ? JSON.parse(v) : v) as CartLine[] | ''
    return Array.isArray(lines) ? lines.filter((l) => l && typeof l.productId === 'string' && Number.isInteger(l.quantity) && l.quantity > 0) : []
  } catch {
    return []
  }
}

function save(merchantId: string, lines: CartLine[]): CartLine[] {
  const kept = lines.filter((l) => l.quantity > 0).slice(0, MAX_LINES)
  Taro.setStorageSync(key(merchantId), JSON.stringify(kept))
  return kept
}

/** Adds to a line (or creates it); the quantity never goes above the stock when it is known. */
export function addToCart(merchantId: string, productId: string, quantity: number, stock?: number): CartLine[] {
  const lines = getCart(merchantId)
  const cur = lines.find((l) => l.productId === productId)
  const cap = Math.min(MAX_QTY, stock ?? MAX_QTY)
  if (cur) cur.quantity = Math.min(cap, cur.quantity + quantity)
  else lines.push({ productId, quantity: Math.min(cap, quantity) })
  return save(merchantId, lines)
}

export function setCartQty(merchantId: string, productId: string, quantity: number): CartLine[] {
  return save(merchantId, getCart(merchantId).map((l) => (l.productId === productId ? { ...l, quantity: Math.min(MAX_QTY, Math.max(0, quantity)) } : l)))
}

/** After an order: the lines it took leave the cart. */
export function removeFromCart(merchantId: string, productIds: string[]): CartLine[] {
  return save(merchantId, getCart(merchantId).filter((l) => !productIds.includes(l.productId)))
}

/** 再来一单: the lines of an earlier order replace the cart of that store. */
export function replaceCart(merchantId: string, lines: CartLine[]): CartLine[] {
  return save(merchantId, lines)
}

export const cartCount = (lines: CartLine[]) => lines.reduce((n, l) => n + l.quantity, 0)
