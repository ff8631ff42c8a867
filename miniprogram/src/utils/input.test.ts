import { checkInt, checkPoints, checkUserNo, checkYuan, feePoints, hundredthsToPoints, pointsCashFen, pointsHundredths } from './input'

describe('checkYuan: a price or amount field submits exactly what was typed, or says why not', () => {
  it('reads yuan into fen without floats', () => {
    expect(checkYuan('12.5')).toEqual({ value: 1250, error: null })
    expect(checkYuan('0.07')).toEqual({ value: 7, error: null })
    expect(checkYuan('1000000')).toEqual({ value: 100_000_000, error: null })
  })
  it('refuses a negative price instead of dropping the sign (was saved as ¥1.00)', () => {
    expect(checkYuan('-1', { label: '价格' })).toEqual({ value: null, error: '价格不能为负数' })
  })
  it('says "too large" in grouped yuan, not fen and not "最多两位小数"', () => {
    expect(checkYuan('99999999999')).toEqual({ value: null, error: '金额不能超过 ¥1,000,000.00' })
    expect(checkYuan('1000000.01')).toEqual({ value: null, error: '金额不能超过 ¥1,000,000.00' })
  })
  it('names the real reason for each bad input', () => {
    expect(checkYuan('1.234').error).toBe('金额最多两位小数')
    expect(checkYuan('0').error).toBe('金额必须大于 0')
    expect(checkYuan('abc').error).toBe('金额请输入数字，例如 12.50')
    expect(checkYuan('1e3').error).toBe('金额请输入数字，例如 12.50')
    expect(checkYuan('1.50', { minFen: 200, label: '单价' }).error).toBe('单价不能低于 ¥2.00')
    expect(checkYuan('')).toEqual({ value: null, error: null })
  })
})

describe('checkPoints', () => {
  it('refuses more than held and more than the order allows, with the figure', () => {
    const max = [
      { value: '7.96', reason: '积分余额不足：可用 7.96' },
      { value: '4.00', reason: '本单最多可用 4.00 积分' },
    ]
    expect(checkPoints('9', { max })).toEqual({ value: null, error: '积分余额不足：可用 7.96' })
    expect(checkPoints('5', { max: [{ value: '0.00', reason: '积分余额不足：可用 0.00' }] }).error).toBe('积分余额不足：可用 0.00')
    expect(checkPoints('4.5', { max })).toEqual({ value: null, error: '本单最多可用 4.00 积分' })
    expect(checkPoints('4', { max })).toEqual({ value: '4.00', error: null })
  })
  it('1.234 is an error at once (the preview no longer waits for ever)', () => {
    expect(checkPoints('1.234')).toEqual({ value: null, error: '积分最多两位小数' })
  })
  it('a transfer of -3 is refused, not sent as 3.00', () => {
    expect(checkPoints('-3', { label: '转赠积分' })).toEqual({ value: null, error: '转赠积分不能为负数' })
  })
  it('minimum quantity', () => {
    expect(checkPoints('0.5', { min: '1', label: '数量' }).error).toBe('数量至少 1.00')
    expect(checkPoints('0', {}).error).toBe('积分必须大于 0')
    expect(checkPoints('007.1')).toEqual({ value: '7.10', error: null })
  })
  it('hundredths helpers', () => {
    expect(pointsHundredths('104998.95')).toBe(10499895)
    expect(pointsHundredths('-0.5')).toBe(-50)
    expect(pointsHundredths('x')).toBeNaN()
    expect(hundredthsToPoints(5)).toBe('0.05')
    expect(hundredthsToPoints(-12345)).toBe('-123.45')
  })
})

describe('checkInt: stock', () => {
  it('refuses 1.5 and -5 instead of saving 15 and 5', () => {
    expect(checkInt('1.5', { label: '库存' })).toEqual({ value: null, error: '库存必须是整数' })
    expect(checkInt('-5', { label: '库存' })).toEqual({ value: null, error: '库存不能为负数' })
    expect(checkInt('0', { label: '库存', min: 0 })).toEqual({ value: 0, error: null })
    expect(checkInt('1000001', { label: '库存' }).error).toBe('库存不能超过 1,000,000')
    expect(checkInt('', { label: '库存' }).error).toBe('库存不能为空')
  })
})

describe('checkUserNo', () => {
  it('refuses "abc" at once', () => {
    expect(checkUserNo('abc').error).toBe('用户号只包含数字，请在对方的“我的”页面查看')
    expect(checkUserNo('12').error).toBe('用户号是 4 到 12 位数字')
    expect(checkUserNo(' 100023 ')).toEqual({ value: '100023', error: null })
  })
})

describe('cash and fee shown before confirming', () => {
  it('points × price, rounded up to the fen like the backend', () => {
    expect(pointsCashFen('8.88', 200)).toBe(1776)
    expect(pointsCashFen('1.01', 199)).toBe(201) // 200.99 → 201
    expect(pointsCashFen('250.00', 200)).toBe(50000)
  })
  it('fee in points rounded up to 0.01', () => {
    expect(feePoints('10.00', '0.05')).toBe('0.50')
    expect(feePoints('0.33', '0.05')).toBe('0.02') // 0.0165 → 0.02
    expect(feePoints('40', '0.05')).toBe('2.00')
    expect(feePoints('10', '0.123')).toBe('1.23')
  })
})
