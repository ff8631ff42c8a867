/**
 * Display formatting. Integer and string operations only: cash is integer fen, points and shared
 * value arrive as decimal strings computed by the backend. Nothing here recomputes a balance.
 */

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n))

/** 1234 → "¥12.34"; -5 → "-¥0.05" */
export function formatYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '—'
  const neg = fen < 0
  const abs = Math.abs(Math.trunc(fen))
  const yuan = Math.floor(abs / 100)
  const cents = abs % 100
  return `${neg ? '-' : ''}¥${groupThousands(String(yuan))}.${pad2(cents)}`
}

/** 1234 → "12.34" (no currency sign) */
export function fenToYuanText(fen: number): string {
  return formatYuan(fen).replace('¥', '')
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * "8.88" → "8.88", "12" → "12.00", "982.2412" → "982.24" (truncates: shared value may be shown
 * floored), "+8.8" → "+8.80". Never parses to a float.
 */
export function formatPoints(value: string | number | null | undefined, opts: { sign?: boolean; group?: boolean } = {}): string {
  if (value === null || value === undefined || value === '') return '—'
  let s = String(value).trim()
  let sign = ''
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0]
    s = s.slice(1)
  }
  if (!/^\d*(\.\d*)?$/.test(s)) return String(value)
  const [intPartRaw, fracRaw = ''] = s.split('.')
  const intPart = (intPartRaw || '0').replace(/^0+(?=\d)/, '')
  const frac = (fracRaw + '00').slice(0, 2)
  if (sign === '-' && /^0*$/.test(intPart + frac)) sign = ''
  if (sign === '+' && !opts.sign) sign = ''
  if (opts.sign && sign === '' && !/^0*$/.test(intPart + frac)) sign = '+'
  const i = opts.group === false ? intPart : groupThousands(intPart)
  return `${sign}${i}.${frac}`
}

/** Points text is negative? (string test, no arithmetic) */
export function isNegative(value: string | null | undefined): boolean {
  return !!value && value.trim().startsWith('-') && /[1-9]/.test(value)
}

export function isZero(value: string | null | undefined): boolean {
  return !value || !/[1-9]/.test(value)
}

/** A user's typed yuan ("12", "12.5", "12.50") → fen, or null if not a valid amount. */
export function parseYuanToFen(input: string): number | null {
  const s = input.trim()
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  return parseInt(m[1], 10) * 100 + parseInt(((m[2] || '') + '00').slice(0, 2), 10)
}

/** A user's typed points → canonical "12.50" string, or null if not valid (≤ 2 decimals, > 0). */
export function normalizePointsInput(input: string): string | null {
  const s = input.trim()
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const intPart = m[1].replace(/^0+(?=\d)/, '')
  const frac = ((m[2] || '') + '00').slice(0, 2)
  if (/^0*$/.test(intPart + frac)) return null
  return `${intPart}.${frac}`
}

/** "12.34" → 1234 hundredths, for comparisons only (integer). */
export function pointsToHundredths(value: string): number {
  const s = formatPoints(value, { group: false })
  const neg = s.startsWith('-')
  const [i, f] = s.replace(/^[-+]/, '').split('.')
  const n = parseInt(i, 10) * 100 + parseInt(f, 10)
  return neg ? -n : n
}

/** Shanghai wall-clock parts of an epoch-ms time (independent of the device's time zone). */
function shanghaiParts(ms: number) {
  const d = new Date(ms + 8 * 3600 * 1000)
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
  }
}

/** "2025-03-05 21:04" */
export function formatDateTime(ms: number | null | undefined): string {
  if (!ms) return '—'
  const p = shanghaiParts(ms)
  return `${p.y}-${pad2(p.mo)}-${pad2(p.d)} ${pad2(p.h)}:${pad2(p.mi)}`
}

/** "03-05 21:04" */
export function formatShortTime(ms: number | null | undefined): string {
  if (!ms) return '—'
  const p = shanghaiParts(ms)
  return `${pad2(p.mo)}-${pad2(p.d)} ${pad2(p.h)}:${pad2(p.mi)}`
}

/** "2025-03-05" → "3月5日" */
export function formatDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return day
  return `${parseInt(m[2], 10)}月${parseInt(m[3], 10)}日`
}

/** ms → "29:59" or "1:02:03" */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return '0:00'
  const total = Math.floor(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`
}

/** Masks all but the last 4 characters of an identifier. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 4)}…${id.slice(-6)}` : id
}

/** "0.05" → "5%", "0.125" → "12.5%" (moves the decimal point; no float). */
export function formatRate(rate: string | number | null | undefined): string {
  if (rate === null || rate === undefined || rate === '') return '—'
  const s = String(rate).trim()
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m) return s
  const frac = (m[2] || '') + '00'
  const intPart = ((m[1] || '0') + frac.slice(0, 2)).replace(/^0+(?=\d)/, '')
  const rest = frac.slice(2).replace(/0+$/, '')
  return `${intPart}${rest ? '.' + rest : ''}%`
}
