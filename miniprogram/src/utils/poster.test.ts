import { drawPoster, POSTER_H, POSTER_W, wrapText, type PosterContext } from './poster'

/** A context that records what is drawn; every character is 10 px wide. */
function recorder() {
  const texts: string[] = []
  const images: unknown[][] = []
  const ctx: PosterContext = {
    fillStyle: '',
    font: '',
    textAlign: 'left',
    textBaseline: 'top',
    fillRect: () => undefined,
    fillText: (t: string) => void texts.push(t),
    measureText: (t: string) => ({ width: Array.from(t).length * 10 }),
    drawImage: (...args: unknown[]) => void images.push(args),
  }
  return { ctx, texts, images }
}

describe('the share poster (issue 15)', () => {
  test('wraps Chinese text by character, and cuts the last line with …', () => {
    const m = (s: string) => Array.from(s).length * 10
    expect(wrapText(m, '招牌牛肉面', 100, 2)).toEqual(['招牌牛肉面'])
    expect(wrapText(m, '一二三四五六七八九十甲乙丙', 100, 2)).toEqual(['一二三四五六七八九十', '甲乙丙'])
    expect(wrapText(m, '一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑', 100, 2)).toEqual(['一二三四五六七八九十', '甲乙丙丁戊己庚辛壬…'])
    expect(wrapText(m, '', 100, 2)).toEqual([])
  })

  test('draws the store name, the product with its price from fen, the code and how to use it', () => {
    const { ctx, texts, images } = recorder()
    const code = { img: 'CODE', width: 430, height: 500 }
    const photo = { img: 'PHOTO', width: 400, height: 300 }
    drawPoster(ctx, { storeName: '老王拉面', product: { title: '招牌牛肉面', priceFen: 1990 }, productImage: photo, code, action: '扫码看商品', sharer: '小爱 分享' })
    expect(texts).toEqual(['老王拉面', '共享购 · 消费也能攒积分', '招牌牛肉面', '¥19.90', '长按识别小程序码', '扫码看商品', '小爱 分享'])
    // the photo fills its box cropped to its proportions (400×300 into 260×180: the source is cut to 400×276.9)
    expect(images[0][0]).toBe('PHOTO')
    expect(images[0].slice(5)).toEqual([20, 80, 260, 180])
    expect(images[0][2] as number).toBeCloseTo((300 - 400 * (180 / 260)) / 2, 5)
    // the code in the bottom right corner, inside the poster
    const [img, x, y, w, h] = images[1] as [unknown, number, number, number, number]
    expect(img).toBe('CODE')
    expect(x + w).toBeLessThanOrEqual(POSTER_W)
    expect(y + h).toBeLessThanOrEqual(POSTER_H)
  })

  test('a product without an image shows its first character; a store without products only the store', () => {
    const code = { img: 'CODE', width: 430, height: 430 }
    const a = recorder()
    drawPoster(a.ctx, { storeName: '鲜果铺', product: { title: '苹果', priceFen: 990 }, productImage: null, code, action: '扫码进店', sharer: '' })
    expect(a.texts.slice(0, 5)).toEqual(['鲜果铺', '共享购 · 消费也能攒积分', '苹', '苹果', '¥9.90'])
    const b = recorder()
    drawPoster(b.ctx, { storeName: '鲜果铺', product: null, productImage: null, code, action: '扫码进店', sharer: '' })
    expect(b.texts).toEqual(['鲜果铺', '共享购 · 消费也能攒积分', '鲜', '长按识别小程序码', '扫码进店', ''])
  })
})
