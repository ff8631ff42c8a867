import { inputToParam, paramDisplay, paramToInput, shiftDecimal } from './params'

describe('parameters typed as shown (percent, yuan, units)', () => {
  it('moves the decimal point without a float', () => {
    expect(shiftDecimal('0.05', 2)).toBe('5')
    expect(shiftDecimal('0.123', 2)).toBe('12.3')
    expect(shiftDecimal('12.3', -2)).toBe('0.123')
    expect(shiftDecimal('5', -2)).toBe('0.05')
    expect(shiftDecimal('100', -2)).toBe('1')
  })
  it('a 12.3 % fee is sent as "0.123"; the 5 % shown as 5', () => {
    expect(paramToInput('percent', '0.05')).toBe('5')
    expect(inputToParam('percent', '12.3')).toEqual({ value: '0.123', error: null })
    expect(inputToParam('percent', '-1').error).toBe('比例不能为负数')
    expect(inputToParam('percent', '12.345').error).toBe('请输入百分比数字，最多两位小数，例如 5 或 12.5')
  })
  it('fen parameters are typed in yuan', () => {
    expect(paramToInput('yuan', 50000)).toBe('500.00')
    expect(paramToInput('yuan', 123456789)).toBe('1234567.89')
    expect(inputToParam('yuan', '600')).toEqual({ value: 60000, error: null })
    expect(inputToParam('yuan', '-5').error).toBe('金额不能为负数')
  })
  it('whole numbers stay whole', () => {
    expect(inputToParam('days', '10')).toEqual({ value: 10, error: null })
    expect(inputToParam('days', '1.5').error).toBe('时长必须是整数')
    expect(inputToParam('hourOfDay', '24').error).toBe('时刻不能超过 23')
    expect(inputToParam('points', '888')).toEqual({ value: '888', error: null })
  })
})

describe('paramDisplay: old → new in words', () => {
  it('as the backend says it', () => {
    expect(`${paramDisplay('percent', '0.05')} → ${paramDisplay('percent', '0.123')}`).toBe('5% → 12.3%')
    expect(paramDisplay('yuan', 50000)).toBe('¥500.00')
    expect(paramDisplay('points', '972360')).toBe('972,360 积分')
    expect(paramDisplay('hourOfDay', 9)).toBe('09:00')
  })
})
