/**
 * What a number field accepts, read exactly as typed. Pure string and integer work (no float), so the
 * screen can say at once why a value cannot be submitted, and what it will submit is what is shown.
 * Every check returns `{ value, error }`: `value` is what would be sent (null while nothing valid is
 * typed), `error` the sentence shown beside the field (null when there is nothing to say yet).
 */
import { formatPoints, formatYuan } from './format'

export interface Checked<T> {
  value: T | null
  error: string | null
}

const ok = <T,>(value: T): Checked<T> => ({ value, error: null })
const no = <T,>(error: string | null): Checked<T> => ({ value: null, error })

/** Up to 2 decimals: "12", "12.", "12.5", "0.05". Digits only, so "1e3", "+5", " 5" and "１２" are not. */
const DECIMAL_RE = /^(\d+)(?:\.(\d*))?$/

/** The common shape of a typed decimal, before units: a reason when it is not a plain non-negative number. */
function readDecimal(text: string, label: string): { int: string; frac: string } | string {
  const s = text.trim()
  if (s.startsWith('-')) return `${label}不能为负数`
  if (!DECIMAL_RE.test(s)) return `${label}请输入数字，例如 12.50`
  const m = DECIMAL_RE.exec(s)!
  return { int: m[1].replace(/^0+(?=\d)/, ''), frac: m[2] || '' }
}

/** "12.5" → 1250 hundredths as an integer, or a reason. Digit counts are checked before any number is built. */
function toHundredths(text: string, label: string, maxHundredths: number, maxText: string): number | string {
  const r = readDecimal(text, label)
  if (typeof r === 'string') return r
  // too large is the real reason for "99999999999", whatever its decimals
  if (r.int.length > String(Math.floor(maxHundredths / 100)).length) return `${label}不能超过 ${maxText}`
  if (r.frac.length > 2) return `${label}最多两位小数`
  const n = parseInt(r.int, 10) * 100 + parseInt((r.frac + '00').slice(0, 2), 10)
  if (n > maxHundredths) return `${label}不能超过 ${maxText}`
  return n
}

export interface YuanOpts {
  label?: string
  /** Inclusive, in fen. Default ¥1,000,000.00 (the largest order, price or payment the backend takes). */
  maxFen?: number
  /** Default 1 fen: zero is refused. */
  minFen?: number
}

export const MAX_FEN = 100_000_000

/** A typed yuan amount → fen. Empty input is no value and no error (the button stays disabled with its own hint). */
export function checkYuan(text: string, opts: YuanOpts = {}): Checked<number> {
  const label = opts.label ?? '金额'
  if (text.trim() === '') return no(null)
  const maxFen = opts.maxFen ?? MAX_FEN
  const r = toHundredths(text, label, maxFen, formatYuan(maxFen))
  if (typeof r === 'string') return no(r)
  const minFen = opts.minFen ?? 1
  if (r < minFen) return no(minFen === 1 ? `${label}必须大于 0` : `${label}不能低于 ${formatYuan(minFen)}`)
  return ok(r)
}

export interface PointsOpts {
  label?: string
  /** Inclusive lower bound as a points string; default "0.01". */
  min?: string
  /** Upper bounds, each with the reason shown when exceeded. */
  max?: { value: string; reason: string }[]
}

export const MAX_POINTS_HUNDREDTHS = 10_000_000_000 // 100,000,000 points

/** "12.50" from hundredths (integer). */
export function hundredthsToPoints(n: number): string {
  const neg = n < 0
  const a = Math.abs(n)
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

/** "8.8" → 880; "-1.5" → -150; anything else NaN. For bounds that arrive as decimal strings from the backend. */
export function pointsHundredths(value: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{0,2})\d*)?$/.exec(String(value).trim())
  if (!m) return NaN
  const n = parseInt(m[2], 10) * 100 + parseInt(((m[3] || '') + '00').slice(0, 2), 10)
  return m[1] ? -n : n
}

/** Typed points → canonical "12.50", refusing negatives, 3 decimals, too little and more than any bound. */
export function checkPoints(text: string, opts: PointsOpts = {}): Checked<string> {
  const label = opts.label ?? '积分'
  if (text.trim() === '') return no(null)
  const r = toHundredths(text, label, MAX_POINTS_HUNDREDTHS, formatPoints(hundredthsToPoints(MAX_POINTS_HUNDREDTHS)))
  if (typeof r === 'string') return no(r)
  const min = opts.min === undefined ? 1 : pointsHundredths(opts.min)
  if (r < min) return no(min <= 1 ? `${label}必须大于 0` : `${label}至少 ${formatPoints(opts.min)}`)
  for (const b of opts.max ?? []) {
    const cap = pointsHundredths(b.value)
    if (Number.isFinite(cap) && r > cap) return no(b.reason)
  }
  return ok(hundredthsToPoints(r))
}

/** A whole number (stock, quantity): "1.5" and "-5" are refused with their reason, never changed. */
export function checkInt(text: string, opts: { label?: string; min?: number; max?: number } = {}): Checked<number> {
  const label = opts.label ?? '数量'
  const s = text.trim()
  if (s === '') return no(`${label}不能为空`)
  if (s.startsWith('-')) return no(`${label}不能为负数`)
  if (/^\d+\.\d*$/.test(s)) return no(`${label}必须是整数`)
  if (!/^\d+$/.test(s)) return no(`${label}请输入整数`)
  const max = opts.max ?? 1_000_000
  const digits = s.replace(/^0+(?=\d)/, '')
  if (digits.length > String(max).length) return no(`${label}不能超过 ${group(String(max))}`)
  const n = parseInt(digits, 10)
  if (n > max) return no(`${label}不能超过 ${group(String(max))}`)
  if (opts.min !== undefined && n < opts.min) return no(`${label}不能小于 ${opts.min}`)
  return ok(n)
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** A user number as shown on the 我的 page: digits only. */
export function checkUserNo(text: string): Checked<string> {
  const s = text.trim()
  if (s === '') return no(null)
  if (!/^\d+$/.test(s)) return no('用户号只包含数字，请在对方的“我的”页面查看')
  if (s.length < 4 || s.length > 12) return no('用户号是 4 到 12 位数字')
  return ok(s)
}

/**
 * Cash for `points` at `priceFen` a point, rounded up to the fen: what the backend charges for a deposit
 * purchase (depositPriceFen) and what a C2C buyer pays (amountFenOf). Integers only: hundredths × fen / 100.
 */
export function pointsCashFen(points: string, priceFen: number): number {
  return ceilDiv(pointsHundredths(points) * priceFen, 100)
}

/** ceil(a / b) for non-negative integers, by integer division and a remainder test. */
function ceilDiv(a: number, b: number): number {
  return Math.floor(a / b) + (a % b === 0 ? 0 : 1)
}

export const depositCashFen = pointsCashFen

/** The seller's fee in points on `points` at `rate` ("0.05"): rounded up to 0.01 (a charge), as marketFee. */
export function feePoints(points: string, rate: string): string {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(rate.trim())
  if (!m) return '—'
  const frac = m[2] || ''
  const num = parseInt((m[1] || '0') + frac, 10)
  const den = 10 ** frac.length
  const h = pointsHundredths(points)
  // ceil(h × num / den) without a float: integer division and a remainder test
  return hundredthsToPoints(ceilDiv(h * num, den))
}
