/**
 * The share poster's drawing (issue 15): store name, one product (its image, name and price), the mini-program
 * code and how to use it, on a Canvas 2D context. Pure: it only calls the context it is given, so the same code
 * draws on weapp's canvas node, on h5's <canvas>, and on a recording fake in the tests. The price is formatted
 * from integer fen (utils/format), never computed.
 */
import { formatYuan } from './format'

/** The poster's size in logical pixels (the canvas is scaled by the device pixel ratio). */
export const POSTER_W = 300
export const POSTER_H = 470

/** The parts of CanvasRenderingContext2D the poster uses (weapp's and the browser's both have them). */
export interface PosterContext {
  fillStyle: unknown
  font: string
  textAlign: string
  textBaseline: string
  fillRect(x: number, y: number, w: number, h: number): void
  fillText(text: string, x: number, y: number): void
  measureText(text: string): { width: number }
  drawImage(img: unknown, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void
  drawImage(img: unknown, dx: number, dy: number, dw: number, dh: number): void
}

/** A loaded image and its natural size. */
export interface PosterImage {
  img: unknown
  width: number
  height: number
}

export interface PosterContent {
  storeName: string
  product: { title: string; priceFen: number } | null
  productImage: PosterImage | null
  code: PosterImage
  /** 长按识别 line: what the code opens. */
  action: string
  /** The sharer's name, under the code. */
  sharer: string
}

const GREEN = '#07c160'
const PAD = 20

/** Splits `text` into at most `maxLines` lines no wider than `maxWidth` (character by character: Chinese has no
 * spaces); a cut last line ends with …. */
export function wrapText(measure: (s: string) => number, text: string, maxWidth: number, maxLines: number): string[] {
  const lines: string[] = []
  let cur = ''
  const chars = Array.from(text)
  for (let i = 0; i < chars.length; i++) {
    const next = cur + chars[i]
    if (measure(next) <= maxWidth || cur === '') {
      cur = next
      continue
    }
    if (lines.length === maxLines - 1) {
      let cut = cur
      while (cut && measure(cut + '…') > maxWidth) cut = cut.slice(0, -1)
      lines.push(cut + '…')
      return lines
    }
    lines.push(cur)
    cur = chars[i]
  }
  if (cur) lines.push(cur)
  return lines
}

/** Draws `img` to fill the box, cropped to keep its proportions (like mode='aspectFill'). */
function drawCover(ctx: PosterContext, im: PosterImage, x: number, y: number, w: number, h: number) {
  const scale = Math.max(w / im.width, h / im.height)
  const sw = w / scale
  const sh = h / scale
  ctx.drawImage(im.img, (im.width - sw) / 2, (im.height - sh) / 2, sw, sh, x, y, w, h)
}

export function drawPoster(ctx: PosterContext, c: PosterContent) {
  ctx.textBaseline = 'top'
  ctx.textAlign = 'left'
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, POSTER_W, POSTER_H)

  // the store, on the brand's green
  ctx.fillStyle = GREEN
  ctx.fillRect(0, 0, POSTER_W, 64)
  ctx.fillStyle = '#ffffff'
  ctx.font = 'bold 18px sans-serif'
  ctx.fillText(wrapText((s) => ctx.measureText(s).width, c.storeName, POSTER_W - 2 * PAD, 1)[0] ?? '', PAD, 14)
  ctx.font = '12px sans-serif'
  ctx.fillText('共享购 · 消费也能攒积分', PAD, 40)

  // the product: image (or its first character), name, price
  const imgY = 80
  const imgH = 180
  if (c.productImage) {
    drawCover(ctx, c.productImage, PAD, imgY, POSTER_W - 2 * PAD, imgH)
  } else {
    ctx.fillStyle = '#f2f2f2'
    ctx.fillRect(PAD, imgY, POSTER_W - 2 * PAD, imgH)
    ctx.fillStyle = GREEN
    ctx.font = 'bold 72px sans-serif'
    ctx.textAlign = 'center'
    ctx.fillText(Array.from(c.product?.title || c.storeName)[0] ?? '', POSTER_W / 2, imgY + imgH / 2 - 40)
    ctx.textAlign = 'left'
  }
  let y = imgY + imgH + 14
  if (c.product) {
    ctx.fillStyle = '#1a1a1a'
    ctx.font = 'bold 16px sans-serif'
    for (const line of wrapText((s) => ctx.measureText(s).width, c.product.title, POSTER_W - 2 * PAD, 2)) {
      ctx.fillText(line, PAD, y)
      y += 22
    }
    ctx.fillStyle = '#fa5151'
    ctx.font = 'bold 22px sans-serif'
    ctx.fillText(formatYuan(c.product.priceFen), PAD, y + 4)
  }

  // the code, and what to do with it
  const codeSize = 96
  const codeY = POSTER_H - codeSize - 24
  ctx.fillStyle = '#ededed'
  ctx.fillRect(PAD, codeY - 16, POSTER_W - 2 * PAD, 1)
  // kept in proportion (WeChat's code is square; the local cloud's stand-in has its scene written under it)
  const fit = Math.min(codeSize / c.code.width, codeSize / c.code.height)
  const cw = c.code.width * fit
  const ch = c.code.height * fit
  ctx.drawImage(c.code.img, POSTER_W - PAD - codeSize + (codeSize - cw) / 2, codeY + (codeSize - ch) / 2, cw, ch)
  ctx.fillStyle = '#1a1a1a'
  ctx.font = 'bold 15px sans-serif'
  ctx.fillText('长按识别小程序码', PAD, codeY + 14)
  ctx.fillStyle = GREEN
  ctx.font = '13px sans-serif'
  ctx.fillText(c.action, PAD, codeY + 40)
  ctx.fillStyle = '#8c8c8c'
  ctx.font = '11px sans-serif'
  ctx.fillText(wrapText((s) => ctx.measureText(s).width, c.sharer, POSTER_W - 3 * PAD - codeSize, 1)[0] ?? '', PAD, codeY + 66)
}
