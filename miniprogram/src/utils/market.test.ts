import { maxSellable, placeSummary, placeTotal } from './market'

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
