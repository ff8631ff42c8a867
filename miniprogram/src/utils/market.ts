/**
 * Words for a C2C order or trade before it is confirmed: quantity, price, total and fee, computed in
 * integers exactly as the backend does (utils/input.ts), so the dialog shows what the ledger will do.
 */
import { formatPoints, formatRate, formatYuan } from './format'
import { feePoints, hundredthsToPoints, pointsCashFen, pointsHundredths } from './input'

/** The most a seller with `available` points can sell when the fee (rate, rounded up) is escrowed with it. */
export function maxSellable(available: string, feeRate: string): string {
  const a = pointsHundredths(available)
  if (!(a > 0)) return '0.00'
  // the largest q with q + fee(q) ≤ a: start from a ÷ (1 + rate) and step down while the fee's rounding overshoots
  const m = /^(\d*)(?:\.(\d*))?$/.exec(feeRate.trim())
  const frac = m?.[2] || ''
  const den = 10 ** frac.length
  const num = parseInt((m?.[1] || '0') + frac, 10) || 0
  let q = Math.floor((a * den) / (den + num))
  while (q > 0 && q + pointsHundredths(feePoints(hundredthsToPoints(q), feeRate)) > a) q--
  return hundredthsToPoints(q)
}

/** One line under the form: "合计 ¥20.00" (buy) or "合计 ¥20.00 · 手续费 0.50 积分（冻结 10.50 积分）" (sell). */
export function placeTotal(side: 'buy' | 'sell', qty: string, priceFen: number, feeRate: string): string {
  const total = formatYuan(pointsCashFen(qty, priceFen))
  if (side === 'buy') return `合计 ${total}`
  const fee = feePoints(qty, feeRate)
  return `合计 ${total} · 手续费 ${formatPoints(fee)} 积分（冻结 ${formatPoints(hundredthsToPoints(pointsHundredths(qty) + pointsHundredths(fee)))} 积分）`
}

/** The confirm dialog of a new order. */
export function placeSummary(side: 'buy' | 'sell', qty: string, priceFen: number, feeRate: string): string {
  const total = formatYuan(pointsCashFen(qty, priceFen))
  if (side === 'buy') {
    return `数量 ${formatPoints(qty)} 积分\n单价 ${formatYuan(priceFen)} / 积分\n合计 ${total}（成交后直接付给卖家）\n手续费：买方无\n成交后请在 30 分钟内付款并点“我已付款”。`
  }
  const fee = feePoints(qty, feeRate)
  return `数量 ${formatPoints(qty)} 积分\n单价 ${formatYuan(priceFen)} / 积分\n合计 ${total}（买家直接付给您）\n手续费 ${formatPoints(fee)} 积分（${formatRate(feeRate)}，与积分一并冻结）\n买家付款后请核实到账再放行。`
}

/** A trade's figures for a confirm dialog: quantity, price, total and (for the seller) the fee. */
export function tradeSummary(t: { quantity: string; priceFen: number; amountFen: number; fee: string }, role: 'buyer' | 'seller'): string {
  const lines = [`数量 ${formatPoints(t.quantity)} 积分`, `单价 ${formatYuan(t.priceFen)} / 积分`, `合计 ${formatYuan(t.amountFen)}`]
  if (role === 'seller') lines.push(`手续费 ${formatPoints(t.fee)} 积分（从冻结中扣除）`)
  return lines.join('\n')
}

/** When 申诉 becomes possible, in words; null once it is. */
export function appealWait(appealableAt: number | null, now: number, formatTime: (ms: number) => string): string | null {
  if (appealableAt === null) return null
  if (now >= appealableAt) return null
  return `如对方一直未处理，${formatTime(appealableAt)} 后可申诉`
}
