import { Image, View } from '@tarojs/components'
import { useMemo } from 'react'
import { px } from '../utils/px'

import { byDay, enoughData, formatTick, niceTicks } from '../utils/chart'

/**
 * A small chart drawn as SVG and shown through <Image> with a data URI, so one component works on
 * weapp and h5 with no chart library. Values are integer hundredths (fen for prices, 0.01 for points);
 * the ticks are decided in integers (utils/chart.ts) and numbers become floats only to place pixels.
 * Days are drawn oldest first whatever order they come in; a line with one point says there is not
 * enough data yet instead of drawing a lone dot.
 */
export interface ChartSeries {
  name: string
  color: string
  /** integer hundredths, aligned with `days` */
  values: (number | null)[]
  kind?: 'line' | 'bar'
}

const W = 700
const PAD_L = 84
const PAD_R = 16
const PAD_T = 16
const PAD_B = 40

export default function Chart({
  days,
  series,
  height = 300,
  className,
}: {
  /** "YYYY-MM-DD", one per value */
  days: string[]
  series: ChartSeries[]
  height?: number
  className?: string
}) {
  const sorted = useMemo(() => {
    const s = byDay(days, series.map((x) => x.values))
    return { labels: s.days.map((d) => d.slice(5)), series: series.map((x, i) => ({ ...x, values: s.series[i] })) }
  }, [days, series])
  const hasData = sorted.series.some((s) => s.values.some((v) => v !== null && v !== undefined))
  const enough = enoughData(sorted.series)
  const uri = useMemo(() => (enough ? toDataUri(renderSvg(sorted.labels, sorted.series, height)) : ''), [sorted, height, enough])
  return (
    <View className={`chart-box ${className || ''}`}>
      {enough ? (
        <Image src={uri} style={{ width: '100%', height: `${(height / W) * 100}vw`, maxHeight: `${height}px`, display: 'block' }} mode='scaleToFill' />
      ) : (
        <View className='state chart-not-enough' style={{ padding: `${px(40)} 0` }}>{hasData ? '数据还不够画出走势（至少需要两天），请过几天再来看' : '暂无数据'}</View>
      )}
      {series.length > 1 && enough && (
        <View className='legend'>
          {series.map((s) => (
            <View key={s.name}>
              <View className='dot' style={{ background: s.color }} />
              {s.name}
            </View>
          ))}
        </View>
      )}
    </View>
  )
}

function esc(s: string) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function renderSvg(labels: string[], series: ChartSeries[], H: number): string {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && v !== undefined && Number.isInteger(v)))
  let lo = all.length ? Math.min(...all) : 0
  const hi = all.length ? Math.max(...all) : 100
  if (series.some((s) => s.kind === 'bar')) lo = Math.min(0, lo)
  const { ticks, step } = niceTicks(lo, hi)
  const min = ticks[0]
  const max = ticks[ticks.length - 1]
  const n = Math.max(labels.length, 1)
  const plotW = W - PAD_L - PAD_R
  const plotH = H - PAD_T - PAD_B
  const x = (i: number) => PAD_L + (n === 1 ? plotW / 2 : (plotW * (i + 0.5)) / n)
  const y = (v: number) => PAD_T + plotH - ((v - min) / (max - min)) * plotH
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`)
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  for (const v of ticks) {
    const yy = y(v).toFixed(1)
    parts.push(`<line x1="${PAD_L}" x2="${W - PAD_R}" y1="${yy}" y2="${yy}" stroke="#eeeeee" stroke-width="1"/>`)
    parts.push(`<text x="${PAD_L - 8}" y="${(y(v) + 7).toFixed(1)}" font-size="20" fill="#999999" text-anchor="end" font-family="sans-serif">${esc(formatTick(v, step))}</text>`)
  }
  const barSeries = series.filter((s) => s.kind === 'bar')
  const bw = Math.max(2, Math.min(36, (plotW / n) * 0.7) / Math.max(barSeries.length, 1))
  barSeries.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (v === null || v === undefined || !Number.isInteger(v)) return
      const x0 = x(i) - (bw * barSeries.length) / 2 + si * bw
      const y0 = y(Math.max(v, 0))
      const h = Math.abs(y(v) - y(0))
      parts.push(`<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${Math.max(h, 1).toFixed(1)}" fill="${s.color}" rx="2"/>`)
    })
  })
  series
    .filter((s) => s.kind !== 'bar')
    .forEach((s) => {
      const pts: string[] = []
      s.values.forEach((v, i) => {
        if (v === null || v === undefined || !Number.isInteger(v)) return
        pts.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`)
      })
      if (pts.length > 1) parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="3" stroke-linejoin="round"/>`)
      pts.forEach((p) => {
        const [cx, cy] = p.split(',')
        parts.push(`<circle cx="${cx}" cy="${cy}" r="${pts.length > 40 ? 2 : 4}" fill="${s.color}"/>`)
      })
    })
  // x labels: first, middle, last
  const idx = n <= 3 ? labels.map((_, i) => i) : [0, Math.floor((n - 1) / 2), n - 1]
  idx.forEach((i) => {
    if (labels[i] === undefined) return
    parts.push(`<text x="${x(i).toFixed(1)}" y="${H - 10}" font-size="20" fill="#999999" text-anchor="middle" font-family="sans-serif">${esc(labels[i])}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
function base64Utf8(str: string): string {
  const bytes: number[] = []
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      c = 0x10000 + ((c - 0xd800) << 10) + (str.charCodeAt(++i) - 0xdc00)
    }
    if (c < 0x80) bytes.push(c)
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63))
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
  }
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]
    const b1 = bytes[i + 1]
    const b2 = bytes[i + 2]
    out += B64[b0 >> 2] + B64[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)]
    out += b1 === undefined ? '=' : B64[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)]
    out += b2 === undefined ? '=' : B64[b2 & 63]
  }
  return out
}

function toDataUri(svg: string) {
  return 'data:image/svg+xml;base64,' + base64Utf8(svg)
}
