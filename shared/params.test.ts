import { DomainError } from './errors';
import { DEFAULT_PARAMS, diffParams, PARAM_LABELS, PARAM_NAMES, Params, validateParamChange, validateParamPatch, validateParams } from './params';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('INVALID_PARAMS');
    return (e as DomainError).message;
  }
  throw new Error('expected INVALID_PARAMS');
}

const withField = (name: keyof Params, value: unknown) => ({ ...DEFAULT_PARAMS, [name]: value });

describe('DEFAULT_PARAMS: the seed values (SPEC §3)', () => {
  test('exact values', () => {
    expect(DEFAULT_PARAMS).toEqual({
      rebateRate: '0.1',
      userSvMultiplier: '10',
      merchantSvMultiplier: '2',
      merchantDepositValueFen: 50000,
      releasePerDay: '888',
      releaseTotal: '972360',
      releaseHour: 22,
      initialGuidePriceFen: 200,
      marketFeeRate: '0.05',
      treasuryReserve: '50000',
      priceBand: '0.1',
      autoConfirmDays: 7,
      unpaidOrderMinutes: 30,
      tradePaymentMinutes: 30,
      appealAfterHours: 24,
      buyerLapseLimit: 3,
      buyerBanHours: 24,
    });
    expect(Object.isFrozen(DEFAULT_PARAMS)).toBe(true);
  });
  test('valid, and every field has a Chinese label', () => {
    expect(validateParams(DEFAULT_PARAMS)).toEqual(DEFAULT_PARAMS);
    expect(Object.keys(PARAM_LABELS).sort()).toEqual([...PARAM_NAMES].sort());
    expect(PARAM_LABELS.rebateRate).toBe('平台让利比例');
  });
});

describe('validateParams', () => {
  test('normalises: numbers for decimals, numeric strings for integers; drops non-parameters', () => {
    const p = validateParams({ ...DEFAULT_PARAMS, rebateRate: 0.1, releasePerDay: '888.00', releaseHour: '22', _id: 'params', version: 3 });
    expect(p).toEqual(DEFAULT_PARAMS);
    expect(p).not.toHaveProperty('_id');
  });
  test.each<[keyof Params, unknown, string]>([
    ['rebateRate', '1.5', '参数不正确：平台让利比例（rebateRate）必须大于 0% 且不大于 100%，收到 1.5（150%）'],
    ['rebateRate', '0', '参数不正确：平台让利比例（rebateRate）必须大于 0% 且不大于 100%，收到 0（0%）'],
    ['rebateRate', '-0.1', '参数不正确：平台让利比例（rebateRate）必须大于 0% 且不大于 100%，收到 -0.1（-10%）'],
    ['rebateRate', '0.12345', '参数不正确：平台让利比例（rebateRate）最多 4 位小数，收到 0.12345'],
    ['rebateRate', 'ten', '参数不正确：平台让利比例（rebateRate）必须是数字，收到 "ten"'],
    ['rebateRate', NaN, '参数不正确：平台让利比例（rebateRate）必须是数字，收到 null'],
    ['marketFeeRate', '1', '参数不正确：C2C交易手续费率（marketFeeRate）必须不小于 0% 且小于 100%，收到 1（100%）'],
    ['priceBand', '1', '参数不正确：价格浮动范围（priceBand）必须不小于 0% 且小于 100%，收到 1（100%）'],
    ['releasePerDay', '-888', '参数不正确：每日释放积分（releasePerDay）不能小于 0，收到 -888'],
    ['releasePerDay', '888.001', '参数不正确：每日释放积分（releasePerDay）最多 2 位小数，收到 888.001'],
    ['releaseTotal', -1, '参数不正确：积分总发行量（releaseTotal）不能小于 0，收到 -1'],
    ['treasuryReserve', '-5', '参数不正确：平台初始储备积分（treasuryReserve）不能小于 0，收到 -5'],
    ['userSvMultiplier', '1001', '参数不正确：用户共享值倍数（userSvMultiplier）必须在 0 到 1000 之间，收到 1001'],
    ['initialGuidePriceFen', 0, '参数不正确：初始指导价（分/积分）（initialGuidePriceFen）必须在 1 到 1000000000000 之间，收到 0'],
    ['initialGuidePriceFen', -200, '参数不正确：初始指导价（分/积分）（initialGuidePriceFen）必须在 1 到 1000000000000 之间，收到 -200'],
    ['initialGuidePriceFen', 2.5, '参数不正确：初始指导价（分/积分）（initialGuidePriceFen）必须是整数，收到 2.5'],
    ['unpaidOrderMinutes', 30.5, '参数不正确：订单未支付取消（分钟）（unpaidOrderMinutes）必须是整数，收到 30.5'],
    ['unpaidOrderMinutes', 0, '参数不正确：订单未支付取消（分钟）（unpaidOrderMinutes）必须在 1 到 10080 之间，收到 0'],
    ['tradePaymentMinutes', '30min', '参数不正确：C2C买家付款时限（分钟）（tradePaymentMinutes）必须是整数，收到 "30min"'],
    ['releaseHour', 24, '参数不正确：每日释放时间（时，北京时间）（releaseHour）必须在 0 到 23 之间，收到 24'],
    ['autoConfirmDays', 0, '参数不正确：自动确认收货天数（autoConfirmDays）必须在 1 到 365 之间，收到 0'],
    ['merchantDepositValueFen', -1, '参数不正确：商家保证金价值（分）（merchantDepositValueFen）必须在 0 到 1000000000000 之间，收到 -1'],
    ['buyerLapseLimit', 0, '参数不正确：买家超时未付次数上限（buyerLapseLimit）必须在 1 到 100 之间，收到 0'],
  ])('%s = %p is refused', (name, value, expected) => {
    expect(message(() => validateParams(withField(name, value)))).toBe(expected);
  });
  test('boundaries that are allowed', () => {
    expect(validateParams(withField('rebateRate', '1')).rebateRate).toBe('1');
    expect(validateParams(withField('marketFeeRate', '0')).marketFeeRate).toBe('0');
    expect(validateParams(withField('priceBand', '0.9999')).priceBand).toBe('0.9999');
    expect(validateParams(withField('releasePerDay', '0')).releasePerDay).toBe('0');
    expect(validateParams(withField('releaseHour', 0)).releaseHour).toBe(0);
    expect(validateParams(withField('initialGuidePriceFen', 1)).initialGuidePriceFen).toBe(1);
  });
  test('missing fields and several errors are all listed', () => {
    const { rebateRate: _r, ...rest } = DEFAULT_PARAMS;
    expect(message(() => validateParams({ ...rest, releaseHour: 25 }))).toBe(
      '参数不正确：缺少平台让利比例（rebateRate）；每日释放时间（时，北京时间）（releaseHour）必须在 0 到 23 之间，收到 25',
    );
    expect(message(() => validateParams(null))).toBe('参数不正确：参数必须是一个对象');
    expect(message(() => validateParams([1]))).toBe('参数不正确：参数必须是一个对象');
  });
});

describe('validateParamPatch / validateParamChange: an admin changes fields', () => {
  test('one field changes, the rest stay', () => {
    const next = validateParamPatch(DEFAULT_PARAMS, { releasePerDay: '1000' });
    expect(next).toEqual({ ...DEFAULT_PARAMS, releasePerDay: '1000' });
    expect(diffParams(DEFAULT_PARAMS, next)).toEqual([{ name: 'releasePerDay', from: '888', to: '1000' }]);
    expect(validateParamChange(DEFAULT_PARAMS, 'rebateRate', 0.15).rebateRate).toBe('0.15');
  });
  test('refuses unknown fields, empty patches and bad values', () => {
    expect(message(() => validateParamPatch(DEFAULT_PARAMS, { releasePerDya: '1' }))).toBe('参数不正确：未知参数 releasePerDya');
    expect(message(() => validateParamPatch(DEFAULT_PARAMS, {}))).toBe('参数不正确：没有要修改的参数');
    expect(message(() => validateParamPatch(DEFAULT_PARAMS, 'x'))).toBe('参数不正确：修改内容必须是一个对象');
    expect(message(() => validateParamChange(DEFAULT_PARAMS, 'toString', 1))).toBe('参数不正确：未知参数 toString');
    expect(message(() => validateParamChange(DEFAULT_PARAMS, 'priceBand', '-0.1'))).toBe(
      '参数不正确：价格浮动范围（priceBand）必须不小于 0% 且小于 100%，收到 -0.1（-10%）',
    );
  });
  test('an equal value written differently is no change', () => {
    expect(diffParams(DEFAULT_PARAMS, validateParamPatch(DEFAULT_PARAMS, { rebateRate: '0.10' }))).toEqual([]);
  });
});
