/**
 * The numbers of a chart, decided in integers: values arrive as integer hundredths (fen for prices, 0.01
 * for points), ticks are "nice" steps (1, 2 or 5 × 10^k hundredths) computed with integer arithmetic, and
 * the days are put in order. Only placing pixels (components/Chart.tsx) turns anything into a float.
 */
import { pointsHundredths } from './input'

/** "12.34" → 1234 (points, shared value) for a chart; null when there is no value. */
export function chartHundredths(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const n = pointsHundredths(value)
  return Number.isFinite(n) ? n : null
}

/** The smallest of 1, 2, 5 × 10^k that is ≥ raw (raw ≥ 1, an integer). */
export function niceStep(raw: number): number {
  let p = 1
  while (p * 10 <= raw) p *= 10
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p
  return 10 * p
}

/** floor(a / b) and ceil(a / b) for integers, also for negative a, without a fractional intermediate. */
const floorDiv = (a: number, b: number) => (a - (((a % b) + b) % b)) / b
const ceilDiv = (a: number, b: number) => -floorDiv(-a, b)

/**
 * Ticks covering [min, max] (integer hundredths): multiples of one nice step, about `target` of them.
 * A flat series (min = max) is given one step of room either side, so it is drawn mid-height.
 */
export function niceTicks(min: number, max: number, target = 4): { ticks: number[]; step: number } {
  if (max < min) [min, max] = [max, min]
  if (max === min) {
    const pad = niceStep(Math.max(1, ceilDiv(Math.abs(max), 10)))
    min -= pad
    max += pad
  }
  const step = niceStep(Math.max(1, ceilDiv(max - min, Math.max(1, target - 1))))
  const lo = floorDiv(min, step) * step
  const hi = ceilDiv(max, step) * step
  const ticks: number[] = []
  for (let t = lo; t <= hi; t += step) ticks.push(t)
  return { ticks, step }
}

/** A tick's words: as many decimals as the step needs ("1.95", "2.1", "50", "1,000"). */
export function formatTick(h: number, step: number): string {
  const neg = h < 0
  const a = Math.abs(h)
  const int = String(floorDiv(a, 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const cents = String(a % 100).padStart(2, '0')
  const text = step % 100 === 0 ? int : step % 10 === 0 ? `${int}.${cents[0]}` : `${int}.${cents}`
  return (neg ? '-' : '') + text
}

/**
 * Days ("2026-11-30") with their values, oldest first, whatever order the backend listed them in
 * (the dashboard's history came newest first and the chart ran backwards). Stable for equal days.
 */
export function byDay(days: string[], series: (number | null)[][]): { days: string[]; series: (number | null)[][] } {
  const order = days.map((d, i) => ({ d, i })).sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : a.i - b.i))
  return { days: order.map((o) => o.d), series: series.map((vals) => order.map((o) => vals[o.i] ?? null)) }
}

/**
 * A bar's height in whole percent of the tallest (value and max in integer fen / hundredths), rounded half
 * up with integer arithmetic only; negatives are 0 and the tallest bar is 100.
 */
export function barPercent(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0
  return Math.min(100, floorDiv(200 * value + max, 2 * max))
}

/** Whether a chart has something to draw as a trend: a line needs two points, bars one. */
export function enoughData(series: { values: (number | null)[]; kind?: 'line' | 'bar' }[]): boolean {
  return series.some((s) => s.values.filter((v) => v !== null && v !== undefined).length >= (s.kind === 'bar' ? 1 : 2))
}
