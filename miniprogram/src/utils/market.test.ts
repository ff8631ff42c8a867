import { appealWait, maxSellable, placeSummary, placeTotal, tradeSummary } from './market'

describe('C2C confirm words show quantity, price, total and fee', () => {
  it('sell', () => {
    expect(placeSummary('sell', '10.00', 200, '0.05')).toBe(
      '数量 10.00 积分\n单价 ¥2.00 / 积分\n合计 ¥20.00（买家直接付给您）\n手续费 0.50 积分（5%，与积分一并冻结）\n买家付款后请核实到账再放行。',
    )
    expect(placeTotal('sell', '10.00', 200, '0.05')).toBe('合计 ¥20.00 · 手续费 0.50 积分（冻结 10.50 积分）')
  })
  it('buy', () => {
    expect(placeSummary('buy', '1.01', 199, '0.05')).toContain('合计 ¥2.01')
    expect(placeTotal('buy', '1000', 210, '0.05')).toBe('合计 ¥2,100.00')
  })
  it('the most a seller can sell with the fee escrowed', () => {
    expect(maxSellable('10.50', '0.05')).toBe('10.00')
    expect(maxSellable('0.00', '0.05')).toBe('0.00')
    expect(maxSellable('100', '0')).toBe('100.00')
    expect(maxSellable('7.96', '0.05')).toBe('7.58') // 7.58 + 0.38 = 7.96
  })
})

describe('trade dialogs and the appeal time', () => {
  const t = { quantity: '10.00', priceFen: 200, amountFen: 2000, fee: '0.50' }
  it('the seller sees the fee, the buyer the total', () => {
    expect(tradeSummary(t, 'seller')).toBe('数量 10.00 积分\n单价 ¥2.00 / 积分\n合计 ¥20.00\n手续费 0.50 积分（从冻结中扣除）')
    expect(tradeSummary(t, 'buyer')).toBe('数量 10.00 积分\n单价 ¥2.00 / 积分\n合计 ¥20.00')
  })
  it('申诉 says when it becomes possible, and nothing once it is', () => {
    const fmt = (ms: number) => `T${ms}`
    expect(appealWait(1000, 500, fmt)).toBe('如对方一直未处理，T1000 后可申诉')
    expect(appealWait(1000, 1000, fmt)).toBeNull()
    expect(appealWait(null, 0, fmt)).toBeNull()
  })
})
