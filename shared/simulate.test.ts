/**
 * The simulator against cases computed by hand from SPEC §4–§9 (the arithmetic is in each test's comment),
 * and its books: points conserved every day (SPEC §10.1).
 */
import { D } from './decimal';
import { DomainError } from './errors';
import { SimAssumptions, SimOptions, SimDay, SimResult, simulate, splitByMix, spendingFen, validateSimInput } from './simulate';
import type { Params } from './params';

function run(assumptions: Partial<SimAssumptions>, params: Partial<Params> = {}, opts: SimOptions = { settleStoresDaily: true }): SimResult {
  return simulate(validateSimInput({ params, assumptions }), opts);
}

/** released + treasuryReserve = buyers + stores + treasury + pool, every day (SPEC §10.1). */
function expectConserved(r: SimResult): void {
  for (const d of r.days) {
    const lhs = new D(d.releasedTotal).plus(r.input.params.treasuryReserve);
    const rhs = new D(d.circulation).plus(d.treasury).plus(d.pool);
    expect(`${d.day}:${rhs.toFixed(2)}`).toBe(`${d.day}:${lhs.toFixed(2)}`);
    expect(new D(d.pool).gte(0)).toBe(true);
  }
}

const pick = (d: SimDay) => ({ svTotal: d.svTotal, released: d.released, capped: d.capped, svAfter: d.svAfter });

describe('the simulator against hand-computed cases', () => {
  test('spending so low that every release is capped: ¥100 a day and a ¥100 reference purchase', () => {
    const r = run({ days: 1095, spending: { kind: 'constant', yuanPerDay: '100' }, reference: { yuan: '100', day: 1 } });
    // day 1: two ¥100 orders → buyers 100 + reference 100 SV, the store 2 × 20 SV: T = 240 < 888 × ¥2,
    // so only 240 ÷ 2 = 120 points are released and all SV is consumed
    expect(pick(r.days[0])).toEqual({ svTotal: '240.00', released: '120.00', capped: true, svAfter: '0.00' });
    // every later day: T = 100 + 20 = 120 → 60 points
    for (const d of r.days.slice(1)) expect(pick(d)).toEqual({ svTotal: '120.00', released: '60.00', capped: true, svAfter: '0.00' });
    expect(r.summary.cappedDays).toBe(1095);
    // 120 + 1094 × 60
    expect(r.summary.released).toBe('65760.00');
    expect(r.summary.unreleased).toBe('906600.00');
    // the store: deposit 250 (¥500 to the treasury), deductions ¥10 ÷ ¥2 = 5 points an order; its release 40/240 × 120 = 20
    // on day 1, then 20/120 × 60 = 10 a day: 250 − 10 + 20 + 1094 × (10 − 5)
    const last = r.days[1094];
    expect(last.merchantBalances).toEqual(['5730.00']);
    expect(r.days[0].deductions).toBe('10.00');
    expect(r.days[0].topUpTreasury).toBe('250.00');
    expect(r.summary.treasuryIncomeFen).toBe(50000);
    // treasury: 50,000 − 250 + 10 + 1094 × 5
    expect(last.treasury).toBe('55230.00');
    // buyers 50 + 1094 × 50, the reference buyer 100/240 × 120 = 50
    expect(last.buyersPoints).toBe(new D(50).plus(1094 * 50).plus(50).toFixed(2));
    // the reference purchase: 50 points × ¥2 = ¥100, ten times its ¥10 rebate, all on day 1
    expect(r.summary.reference).toEqual({ purchaseYuan: '100.00', pointsReceived: '50.00', valueReceivedYuan: '100.00', rebateYuan: '10.00', halfDay: 1, ninetyDay: 1 });
    expectConserved(r);
    // settled lazily (the default), the store's balance lags by the day's release (10), held in the pool; nothing else changes
    const lazy = run({ days: 1095, spending: { kind: 'constant', yuanPerDay: '100' }, reference: { yuan: '100', day: 1 } }, {}, {});
    expect(lazy.days[1094].merchantBalances).toEqual(['5720.00']);
    expect(lazy.days[1094].pool).toBe('10.00');
    expect(lazy.days.map(pick)).toEqual(r.days.map(pick));
    expect(lazy.summary.reference).toEqual(r.summary.reference);
    expectConserved(lazy);
  });

  test('spending so high that the release is never capped: ¥1,000,000 a day, the schedule runs out on day 1095', () => {
    const r = run({ days: 1095, spending: { kind: 'constant', yuanPerDay: '1000000' }, reference: { yuan: '1000', day: 1 } });
    // day 1: buyers 1,000,000 + reference 1000 SV, the store 200,000 + 200: T = 1,201,200 > 1776
    expect(pick(r.days[0])).toEqual({ svTotal: '1201200.00', released: '888.00', capped: false, svAfter: '1199424.00' });
    expect(r.summary.cappedDays).toBe(0);
    expect(r.days).toHaveLength(1095);
    expect(r.days[1094].released).toBe('888.00');
    expect(r.summary).toMatchObject({ days: 1095, released: '972360.00', unreleased: '0.00' });
    // SV: 1,201,200 + 1094 × 1,200,000 credited, 972,360 × ¥2 consumed
    expect(r.summary.svTotal).toBe('1312056480.00');
    // the reference buyer on day 1: 1000 / 1,201,200 × 888 points, consuming twice that in SV
    const p1 = new D(1000).div(1201200).times(888);
    expect(r.days[0].reference.pointsReceived).toBe(p1.toDecimalPlaces(2, D.ROUND_FLOOR).toFixed(2));
    expect(r.days[0].reference.sv).toBe(new D(1000).minus(p1.times(2)).toDecimalPlaces(2, D.ROUND_FLOOR).toFixed(2));
    // day 2: its SV is multiplied by f1 = 1 − 1776/1,201,200, then T2 = T1·f1 + 1,200,000
    const f1 = new D(1).minus(new D(1776).div(1201200));
    const T2 = new D(1201200).times(f1).plus(1200000);
    expect(r.days[1].svTotal).toBe(T2.toDecimalPlaces(2, D.ROUND_FLOOR).toFixed(2));
    const p2 = p1.plus(new D(1000).times(f1).div(T2).times(888));
    expect(r.days[1].reference.pointsReceived).toBe(p2.toDecimalPlaces(2, D.ROUND_FLOOR).toFixed(2));
    // a big platform: the ¥1000 purchase never gets back half its ¥100 rebate
    expect(r.summary.reference.halfDay).toBeNull();
    expect(r.summary.reference.ninetyDay).toBeNull();
    expect(new D(r.summary.reference.valueReceivedYuan).lt(50)).toBe(true);
    // the store, 50,000 points of deductions a day, tops up to the deposit value at once: nothing refused
    expect(r.summary.refusedFen).toBe(0);
    expect(r.days[0].deductions).toBe('50050.00');
    expectConserved(r);
  });

  test('zero spending: nothing is released, nothing is lost', () => {
    const r = run({ days: 30, spending: { kind: 'constant', yuanPerDay: '0' }, reference: { yuan: '0', day: 1 } });
    for (const d of r.days) expect(pick(d)).toEqual({ svTotal: '0.00', released: '0.00', capped: false, svAfter: '0.00' });
    expect(r.summary).toMatchObject({ days: 30, released: '0.00', unreleased: '972360.00', cappedDays: 0, circulation: '250.00', treasury: '49750.00' });
    expect(r.summary.reference).toMatchObject({ pointsReceived: '0.00', valueReceivedYuan: '0.00', halfDay: null, ninetyDay: null });
    expectConserved(r);
  });

  test('the last day of the schedule releases what is left, and the run stops when the supply is out', () => {
    const r = run({ days: 100, spending: { kind: 'constant', yuanPerDay: '100000' } }, { releaseTotal: '2000', releasePerDay: '888' });
    expect(r.days.map((d) => [d.scheduled, d.released, d.unreleased])).toEqual([
      ['888.00', '888.00', '1112.00'],
      ['888.00', '888.00', '224.00'],
      ['224.00', '224.00', '0.00'],
    ]);
    expect(r.summary).toMatchObject({ days: 3, released: '2000.00', unreleased: '0.00' });
    expectConserved(r);
  });

  test('capped days leave points unreleased: the schedule goes on past its nominal length until they are out', () => {
    // T = 120 a day (¥100) releases 60 of the 300 scheduled: 1000 points take 17 days (16 × 60 + 40)
    const r = run({ days: 30, spending: { kind: 'constant', yuanPerDay: '100' }, reference: { yuan: '0', day: 1 } }, { releaseTotal: '1000', releasePerDay: '300' });
    expect(r.days.slice(0, 16).every((d) => d.released === '60.00' && d.capped)).toBe(true);
    expect(r.days[16]).toMatchObject({ scheduled: '40.00', released: '40.00', capped: false });
    expect(r.summary.days).toBe(17);
    expect(r.summary.unreleased).toBe('0.00');
  });

  test('holders sell on the market: the guide price follows the trades, held in the band', () => {
    // no trade on day 1 (nothing released yet); from day 2 buyers sell half of what the last release gave them,
    // asking +5 % a day: 200 → 210 → 221 (220.5 rounded half-up) → 232
    const r = run({ days: 5, spending: { kind: 'constant', yuanPerDay: '500' }, sellShare: '0.5', price: { kind: 'drift', perDay: '0.05' } });
    expect(r.days.map((d) => d.guidePriceFen)).toEqual([200, 200, 210, 221, 232]);
    expect(r.days[0].sold).toBe('0.00');
    expect(new D(r.days[1].sold).gt(0)).toBe(true);
    expect(r.days[1].tradePriceFen).toBe(210);
    // the seller's fee: 5 % of the points sold, rounded up, to the treasury
    expect(r.days[1].fee).toBe(new D(r.days[1].sold).times('0.05').toDecimalPlaces(2, D.ROUND_CEIL).toFixed(2));
    // a stated path beyond the band is held to it: ±10 % of 200 is 180–220
    const p = run({ days: 4, spending: { kind: 'constant', yuanPerDay: '500' }, sellShare: '1', price: { kind: 'path', fen: [200, 1000, 100] } });
    expect(p.days.map((d) => d.guidePriceFen)).toEqual([200, 200, 220, 198]);
    expectConserved(r);
    expectConserved(p);
  });

  test('paying with points: limited by what buyers hold; the points go to the store and earn nothing', () => {
    const r = run({ days: 3, spending: { kind: 'constant', yuanPerDay: '500' }, pointsShare: '0.5', reference: { yuan: '0', day: 1 } });
    // day 1 buyers hold nothing: all cash. Day 1: T = 500×0.1×12 = 600 → 300 points, buyers 250, store 50
    expect(r.days[0]).toMatchObject({ cashFen: 50000, pointsPaid: '0.00', released: '300.00' });
    // day 2: half of ¥500 = ¥250 = 125 points at ¥2; cash ¥250 → SV 250 + 50; deduction ceil2(2500 fen ÷ 200) = 12.5
    expect(r.days[1]).toMatchObject({ cashFen: 25000, pointsPaid: '125.00', deductions: '12.50', svTotal: '300.00', released: '150.00' });
    expectConserved(r);
  });

  test('the sales mix splits the day by weight; two stores each buy their deposit', () => {
    expect(splitByMix(100001, ['3', '1'])).toEqual([75001, 25000]);
    expect(spendingFen({ kind: 'growth', yuanPerDay: '100', growthPerDay: '0.01' }, 3)).toBe(10201);
    expect(spendingFen({ kind: 'list', yuan: ['1', '2.5'] }, 9)).toBe(250);
    const r = run({ days: 2, spending: { kind: 'constant', yuanPerDay: '400' }, storeMix: ['3', '1'], reference: { yuan: '0', day: 1 } });
    expect(r.days[0].topUpTreasury).toBe('500.00');
    // ¥300 and ¥100: deductions 15 and 5; store SV 60 and 20 of T = 480 → 240 points: 30 and 10
    expect(r.days[0].merchantBalances).toEqual(['265.00', '255.00']);
    expectConserved(r);
  });

  test('inputs are validated with a reason', () => {
    const bad = (a: unknown) => {
      try {
        validateSimInput({ assumptions: a });
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe('INVALID_SIMULATION');
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ days: 0 })).toMatch(/模拟天数/);
    expect(bad({ days: 1096 * 4 })).toMatch(/模拟天数/);
    expect(bad({ spending: { kind: 'constant', yuanPerDay: '-1' } })).toMatch(/每日消费/);
    expect(bad({ spending: { kind: 'growth', yuanPerDay: '1000000', growthPerDay: '0.5' } })).toMatch(/增长/);
    expect(bad({ storeMix: [] })).toMatch(/门店/);
    expect(bad({ storeMix: ['0'] })).toMatch(/不能全为 0/);
    expect(bad({ pointsShare: '1.5' })).toMatch(/积分支付比例/);
    expect(bad({ price: { kind: 'moon' } })).toMatch(/价格假设/);
    expect(bad({ startDay: '2026-02-30' })).toMatch(/开始日期/);
    expect(() => validateSimInput({ params: { rebateRate: '2' } })).toThrow(/平台让利比例/);
    expect(() => validateSimInput({ params: { rebateRat: '0.2' } })).toThrow(/未知参数 rebateRat/);
    expect(validateSimInput({ assumptions: { days: 1095 } }, 1095).assumptions.days).toBe(1095);
    expect(() => validateSimInput({ assumptions: { days: 1096 } }, 1095)).toThrow(/模拟天数/);
  });
});
