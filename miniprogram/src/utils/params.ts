/**
 * An admin types a parameter the way it is shown (12.3 for 12.3 %, 500 for ¥500.00, 7 for 7 天) and the
 * stored form is derived by string and integer work only: "12.3" % → "0.123", "500" yuan → 50000 fen.
 */
import { fenToYuanText, formatYuan } from './format'
import { checkInt, checkYuan, type Checked } from './input'

export type ParamUnit = 'percent' | 'yuan' | 'points' | 'times' | 'hourOfDay' | 'days' | 'minutes' | 'hours' | 'count'

/** What the input box shows for a stored value. */
export function paramToInput(unit: ParamUnit, value: unknown): string {
  const v = String(value)
  if (unit === 'percent') return shiftDecimal(v, 2)
  if (unit === 'yuan') return /^\d+$/.test(v) ? fenToYuanText(Number(v)).replace(/,/g, '') : v
  return v
}

/** What is sent for what was typed, or why it cannot be. */
export function inputToParam(unit: ParamUnit, text: string): Checked<string | number> {
  const s = text.trim()
  if (unit === 'yuan') {
    const r = checkYuan(s, { label: '金额', maxFen: 1_000_000_000_000 })
    return r.value === null && !r.error ? { value: null, error: '请输入金额' } : r
  }
  if (unit === 'percent') {
    if (s.startsWith('-')) return { value: null, error: '比例不能为负数' }
    if (!/^\d+(\.\d{1,2})?$/.test(s)) return { value: null, error: '请输入百分比数字，最多两位小数，例如 5 或 12.5' }
    return { value: shiftDecimal(s, -2), error: null }
  }
  if (unit === 'points' || unit === 'times') {
    if (s.startsWith('-')) return { value: null, error: '不能为负数' }
    if (!/^\d+(\.\d{1,2})?$/.test(s)) return { value: null, error: '请输入数字，最多两位小数' }
    return { value: s.replace(/^0+(?=\d)/, ''), error: null }
  }
  const label = unit === 'hourOfDay' ? '时刻' : unit === 'count' ? '次数' : '时长'
  return checkInt(s, { label, min: 0, max: unit === 'hourOfDay' ? 23 : 1_000_000 })
}

/** Moves the decimal point: shiftDecimal("0.05", 2) = "5", shiftDecimal("12.3", -2) = "0.123". */
export function shiftDecimal(v: string, places: number): string {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(v)
  if (!m) return v
  let int = m[1] || '0'
  let frac = m[2] || ''
  if (places > 0) {
    frac = frac.padEnd(places, '0')
    int += frac.slice(0, places)
    frac = frac.slice(places)
  } else {
    const n = -places
    int = int.padStart(n + 1, '0')
    frac = int.slice(int.length - n) + frac
    int = int.slice(0, int.length - n)
  }
  int = int.replace(/^0+(?=\d)/, '')
  frac = frac.replace(/0+$/, '')
  return frac ? `${int}.${frac}` : int
}

/** A stored value in words, as the backend's `display` says it ("12.3%", "¥600.00", "10 天"). */
export function paramDisplay(unit: ParamUnit, value: unknown): string {
  const v = String(value)
  switch (unit) {
    case 'percent':
      return `${shiftDecimal(v, 2)}%`
    case 'yuan':
      return /^\d+$/.test(v) ? formatYuan(Number(v)) : v
    case 'points':
      return `${v.replace(/\B(?=(\d{3})+(?!\d))/g, ',')} 积分`
    case 'times':
      return `${v} 倍`
    case 'hourOfDay':
      return `${v.padStart(2, '0')}:00`
    case 'days':
      return `${v} 天`
    case 'minutes':
      return `${v} 分钟`
    case 'hours':
      return `${v} 小时`
    case 'count':
      return `${v} 次`
  }
}

/** The unit written after the input box. */
export const UNIT_SUFFIX: Record<ParamUnit, string> = { percent: '%', yuan: '元', points: '积分', times: '倍', hourOfDay: '时', days: '天', minutes: '分钟', hours: '小时', count: '次' }
