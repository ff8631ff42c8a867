import Decimal from 'decimal.js';
import { ceil2, D, dec, fenToYuanString, floor2, formatPoints, formatPointsText, formatYuan, groupDigits, isFen, isTwoDecimals, parseAmount, parseFen, toAmountString, toSafeInteger } from './decimal';
import { DomainError } from './errors';

const s = (x: Decimal) => x.toString();

function refusal(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return { code: (e as DomainError).code, message: (e as DomainError).message };
  }
  throw new Error('expected a refusal');
}

describe('D', () => {
  test('60 significant digits, half-even, plain notation', () => {
    expect(D.precision).toBe(60);
    expect(D.rounding).toBe(Decimal.ROUND_HALF_EVEN);
    expect(new D(1).div(3).toString()).toBe('0.' + '3'.repeat(60));
    expect(new D('1e-59').toString()).toBe('0.' + '0'.repeat(58) + '1');
    expect(new D('123456789012345678901234567890').toString()).toBe('123456789012345678901234567890');
    expect(new D('0.1').plus('0.2').toString()).toBe('0.3');
  });
  test('dec re-makes a Decimal of another precision in D', () => {
    const other = new Decimal(1).div(3); // global Decimal, 20 digits
    expect(dec(other).constructor).toBe(D);
    const mine = new D(5);
    expect(dec(mine)).toBe(mine);
  });
});

describe('floor2 / ceil2: credit down, charge up', () => {
  test.each([
    ['8.885', '8.88', '8.89'],
    ['0.005', '0', '0.01'],
    ['0.015', '0.01', '0.02'],
    ['0.0049999', '0', '0.01'],
    ['17.76', '17.76', '17.76'],
    ['-0.005', '-0.01', '0'],
    ['1.999999999999999999999', '1.99', '2'],
  ])('%s → floor %s, ceil %s', (x, f, c) => {
    expect(s(floor2(x))).toBe(f);
    expect(s(ceil2(x))).toBe(c);
  });
  test('ceil2 of -0.005 is zero, printed without a sign', () => {
    expect(toAmountString(ceil2('-0.005'))).toBe('0.00');
  });
});

describe('isTwoDecimals', () => {
  test.each([
    ['8.88', true],
    ['8.8', true],
    ['8', true],
    ['8.880', true],
    ['8.881', false],
    ['0.005', false],
  ])('%s → %s', (x, ok) => expect(isTwoDecimals(x)).toBe(ok));
  test('non-finite is not', () => {
    expect(isTwoDecimals(new D(Infinity))).toBe(false);
    expect(isTwoDecimals(new D(NaN))).toBe(false);
  });
});

describe('parseAmount', () => {
  test('accepts decimal strings and finite numbers', () => {
    expect(s(parseAmount('8.88'))).toBe('8.88');
    expect(s(parseAmount(' 8.8 '))).toBe('8.8');
    expect(s(parseAmount(1000))).toBe('1000');
    expect(s(parseAmount(0.1))).toBe('0.1');
    expect(s(parseAmount('0'))).toBe('0');
    expect(s(parseAmount(-0))).toBe('0');
    expect(s(parseAmount('-1.5', { allowNegative: true }))).toBe('-1.5');
  });
  test.each([
    [NaN, '金额不是有效的数字'],
    [Infinity, '金额不是有效的数字'],
    [-Infinity, '金额不是有效的数字'],
    ['NaN', '金额格式不正确，应为数字，例如 8.88'],
    ['Infinity', '金额格式不正确，应为数字，例如 8.88'],
    ['1e3', '金额格式不正确，应为数字，例如 8.88'],
    ['0x10', '金额格式不正确，应为数字，例如 8.88'],
    ['.5', '金额格式不正确，应为数字，例如 8.88'],
    ['+5', '金额格式不正确，应为数字，例如 8.88'],
    ['01', '金额格式不正确，应为数字，例如 8.88'],
    ['', '金额格式不正确，应为数字，例如 8.88'],
    ['8.888', '金额最多只能有 2 位小数'],
    [0.005, '金额最多只能有 2 位小数'],
    ['-1', '金额不能为负数'],
    [-0.01, '金额不能为负数'],
    [null, '金额缺失或类型不正确'],
    [undefined, '金额缺失或类型不正确'],
    [{}, '金额缺失或类型不正确'],
    [[1], '金额缺失或类型不正确'],
    [BigInt(1), '金额缺失或类型不正确'],
  ])('refuses %p', (input, message) => {
    expect(refusal(() => parseAmount(input))).toEqual({ code: 'INVALID_AMOUNT', message });
  });
  test('options: field, zero, max, decimals, code', () => {
    expect(refusal(() => parseAmount('0', { field: '数量', allowZero: false }))).toEqual({ code: 'INVALID_AMOUNT', message: '数量必须大于 0' });
    expect(refusal(() => parseAmount('100.01', { field: '数量', max: '100' })).message).toBe('数量不能超过 100');
    expect(s(parseAmount('100', { max: '100' }))).toBe('100');
    expect(refusal(() => parseAmount('1.5', { maxDecimals: 0, field: '天数' })).message).toBe('天数必须是整数');
    expect(refusal(() => parseAmount('x', { code: 'INVALID_POINTS' })).code).toBe('INVALID_POINTS');
  });
});

describe('fen', () => {
  test('isFen: safe non-negative integers only', () => {
    expect(isFen(0)).toBe(true);
    expect(isFen(1776)).toBe(true);
    expect(isFen(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isFen(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
    expect(isFen(-1)).toBe(false);
    expect(isFen(1.5)).toBe(false);
    expect(isFen('100')).toBe(false);
    expect(isFen(NaN)).toBe(false);
  });
  test('parseFen', () => {
    expect(parseFen(100)).toBe(100);
    expect(refusal(() => parseFen(0, { allowZero: false, field: '支付金额' })).message).toBe('支付金额必须大于 0');
    expect(refusal(() => parseFen(1.5)).message).toBe('金额必须是以分为单位的非负整数');
  });
  test('fenToYuanString / formatYuan', () => {
    expect(fenToYuanString(1776)).toBe('17.76');
    expect(fenToYuanString(0)).toBe('0.00');
    expect(fenToYuanString(5)).toBe('0.05');
    expect(fenToYuanString(100000)).toBe('1000.00');
    expect(fenToYuanString(-50)).toBe('-0.50');
    expect(fenToYuanString(900719925474099)).toBe('9007199254740.99');
    expect(formatYuan(1776)).toBe('¥17.76');
    expect(formatYuan(-50)).toBe('-¥0.50');
    expect(formatYuan(100_000_000)).toBe('¥1,000,000.00');
    expect(formatPointsText('104998.951')).toBe('104,998.95');
    expect(groupDigits('-1234')).toBe('-1,234');
    expect(() => fenToYuanString(1.5)).toThrow(DomainError);
  });
  test('toSafeInteger refuses fractions', () => {
    expect(toSafeInteger(new D('1776'))).toBe(1776);
    expect(() => toSafeInteger('17.5')).toThrow();
  });
});

describe('formatPoints', () => {
  test('two decimals, floored', () => {
    expect(formatPoints('8.88')).toBe('8.88');
    expect(formatPoints('8.889')).toBe('8.88');
    expect(formatPoints('982.24')).toBe('982.24');
    expect(formatPoints('8')).toBe('8.00');
    expect(formatPoints('0.005')).toBe('0.00');
    expect(formatPoints('-0.001')).toBe('-0.01');
    expect(formatPoints(new D(2).div(3))).toBe('0.66');
    expect(formatPoints('123456789.999')).toBe('123456789.99');
  });
});
