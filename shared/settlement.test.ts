import fc from 'fast-check';
import { D, Dec } from './decimal';
import { DomainError } from './errors';
import { DEFAULT_PARAMS } from './params';
import { depositPointsNeeded, depositPriceFen, marketFee, maxPointsForAmount, meetsDeposit, orderRebate, pointsOffsetFen, splitPayment } from './settlement';

const s = (x: Dec) => x.toString();
const params = DEFAULT_PARAMS;

describe('orderRebate (SPEC §4)', () => {
  test('¥1000 at ¥2: 1000 SV, 200 SV, 50 points', () => {
    const r = orderRebate({ cashFen: 100000, params, guidePriceFen: 200 });
    expect([s(r.userSv), s(r.merchantSv), s(r.merchantDeduction), s(r.rebateYuan)]).toEqual(['1000', '200', '50', '100']);
  });
  test('one fen: the user SV is exact, the merchant SV (0.002) is floored to 0, the deduction (0.005) ceiled to 0.01', () => {
    const r = orderRebate({ cashFen: 1, params, guidePriceFen: 200 });
    expect([s(r.userSv), s(r.merchantSv), s(r.merchantDeduction)]).toEqual(['0.01', '0', '0.01']);
  });
  test('¥12.34 at ¥3.00: 12.34 SV, 2.46 SV (2.468 floored), 0.42 points (0.41133… ceiled)', () => {
    const r = orderRebate({ cashFen: 1234, params, guidePriceFen: 300 });
    expect([s(r.userSv), s(r.merchantSv), s(r.merchantDeduction)]).toEqual(['12.34', '2.46', '0.42']);
  });
  test('other rates: 7.5% × 10 on ¥0.99 = 0.7425 → 0.74', () => {
    const r = orderRebate({ cashFen: 99, params: { ...params, rebateRate: '0.075' }, guidePriceFen: 200 });
    expect([s(r.userSv), s(r.merchantSv), s(r.merchantDeduction)]).toEqual(['0.74', '0.14', '0.04']);
  });
  test('zero cash (paid all in points) earns nothing and deducts nothing', () => {
    const r = orderRebate({ cashFen: 0, params, guidePriceFen: 200 });
    expect([s(r.userSv), s(r.merchantSv), s(r.merchantDeduction)]).toEqual(['0', '0', '0']);
  });
  test('refuses fractional fen and a zero price', () => {
    expect(() => orderRebate({ cashFen: 1.5, params, guidePriceFen: 200 })).toThrow(DomainError);
    expect(() => orderRebate({ cashFen: 100, params, guidePriceFen: 0 })).toThrow(DomainError);
  });
});

describe('pointsOffsetFen (SPEC §7): n × P floored to the fen', () => {
  test.each([
    ['8.88', 200, 1776],
    ['0.01', 200, 2],
    ['0.01', 50, 0], // half a fen: floored
    ['0.03', 50, 1], // 1.5 fen
    ['1.23', 333, 409], // 409.59
    ['0', 200, 0],
  ])('%s points at %i fen → %i fen', (p, price, fen) => expect(pointsOffsetFen(p, price)).toBe(fen));
  test('refuses more than 2 decimals', () => {
    expect(() => pointsOffsetFen('0.005', 200)).toThrow(DomainError);
  });
});

describe('maxPointsForAmount: the fewest points reaching the largest offset ≤ the amount', () => {
  test.each([
    [100, 200, '0.5'], // exact
    [101, 200, '0.5'], // 0.51 would pay 102 > 101
    [100, 300, '0.33'], // 0.34 would pay 102
    [100, 30, '3.34'], // 3.34 × 30 = 100.2 → 100: the whole amount
    [100, 50, '2'],
    [1, 200, '0'], // 0.01 point is worth 2 fen: cannot pay 1 fen
    [0, 200, '0'],
    [177600, 200, '888'],
    [99, 1, '99'],
  ])('%i fen at %i fen/point → %s', (amount, price, max) => expect(s(maxPointsForAmount(amount, price))).toBe(max));

  test('property: never pays more than the amount, and 0.01 more never pays more usefully', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000 }), (amount, price) => {
        const max = maxPointsForAmount(amount, price);
        const off = pointsOffsetFen(max, price);
        expect(off).toBeLessThanOrEqual(amount);
        const more = max.plus('0.01');
        const offMore = pointsOffsetFen(more, price);
        expect(offMore > amount || offMore === off).toBe(true);
        if (max.gt(0)) expect(pointsOffsetFen(max.minus('0.01'), price)).toBeLessThan(off);
      }),
      { numRuns: 500 },
    );
  });
});

describe('splitPayment', () => {
  test('¥100 with 30 points at ¥2: ¥60 points, ¥40 cash', () => {
    const r = splitPayment({ amountFen: 10000, points: '30', guidePriceFen: 200 });
    expect(r).toEqual({ points: new D(30), pointsFen: 6000, cashFen: 4000 });
  });
  test('all in points', () => {
    expect(splitPayment({ amountFen: 10000, points: '50', guidePriceFen: 200 }).cashFen).toBe(0);
  });
  test('no points', () => {
    expect(splitPayment({ amountFen: 10000, points: '0', guidePriceFen: 200 })).toMatchObject({ pointsFen: 0, cashFen: 10000 });
  });
  test('too many points is refused with the maximum in the message', () => {
    try {
      splitPayment({ amountFen: 101, points: '0.51', guidePriceFen: 200 });
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('POINTS_EXCEED_AMOUNT');
      expect((e as DomainError).message).toBe('本单最多可用 0.50 积分抵扣，你填写了 0.51');
    }
  });
  test('refuses 3 decimals and negatives', () => {
    expect(() => splitPayment({ amountFen: 10000, points: '1.005', guidePriceFen: 200 })).toThrow('抵扣积分最多只能有 2 位小数');
    expect(() => splitPayment({ amountFen: 10000, points: '-1', guidePriceFen: 200 })).toThrow('抵扣积分不能为负数');
  });
});

describe('deposit (SPEC §6)', () => {
  test('¥500 at ¥2 from nothing: 250 points costing ¥500', () => {
    const n = depositPointsNeeded({ depositValueFen: 50000, guidePriceFen: 200, heldPoints: '0' });
    expect(s(n)).toBe('250');
    expect(depositPriceFen(n, 200)).toBe(50000);
  });
  test('rounded up: ¥500 at ¥3 needs 166.67 points (166.666…), costing 50001 fen (charged up)', () => {
    const n = depositPointsNeeded({ depositValueFen: 50000, guidePriceFen: 300, heldPoints: '0' });
    expect(s(n)).toBe('166.67');
    expect(depositPriceFen(n, 300)).toBe(50001);
    expect(meetsDeposit({ depositValueFen: 50000, guidePriceFen: 300, heldPoints: n })).toBe(true);
    expect(meetsDeposit({ depositValueFen: 50000, guidePriceFen: 300, heldPoints: '166.66' })).toBe(false);
  });
  test('already holding some; holding enough; below zero', () => {
    expect(s(depositPointsNeeded({ depositValueFen: 50000, guidePriceFen: 200, heldPoints: '100.5' }))).toBe('149.5');
    expect(s(depositPointsNeeded({ depositValueFen: 50000, guidePriceFen: 200, heldPoints: '300' }))).toBe('0');
    expect(s(depositPointsNeeded({ depositValueFen: 50000, guidePriceFen: 200, heldPoints: '-50' }))).toBe('300');
  });
  test('depositPriceFen rounds a part-fen up: 0.01 point at 50 fen costs 1 fen', () => {
    expect(depositPriceFen('0.01', 50)).toBe(1);
    expect(depositPriceFen('0.03', 50)).toBe(2);
  });
});

describe('marketFee: 5% of the points sold, charged (up)', () => {
  test.each([
    ['100', '5'],
    ['8.88', '0.45'], // 0.444
    ['1', '0.05'],
    ['0.01', '0.01'], // 0.0005
  ])('%s points → fee %s', (q, fee) => expect(s(marketFee(q, '0.05'))).toBe(fee));
});
