/**
 * SPEC §11, the seed's worked example, figure by figure through the same functions the cloud
 * functions use.
 */
import { D, Dec, formatPoints, formatYuan } from './decimal';
import { DEFAULT_PARAMS } from './params';
import { applyRelease, initialReleaseState, scheduledRelease, segmentKey, settleHolder, totalSv } from './release';
import { depositPointsNeeded, depositPriceFen, orderRebate, pointsOffsetFen } from './settlement';
import { O1Release } from './releaseSim.testutil';

const s = (x: Dec) => x.toString();

describe('SPEC §11: the seed example', () => {
  test('the parameters: rebate 10%, deposit ¥500, total 972,360, 888 a day at 22:00, ¥2', () => {
    expect(DEFAULT_PARAMS).toMatchObject({
      rebateRate: '0.1',
      merchantDepositValueFen: 50000,
      releaseTotal: '972360',
      releasePerDay: '888',
      releaseHour: 22,
      initialGuidePriceFen: 200,
    });
  });

  test('user A spends ¥1000 at merchant B: A 1000 SV, B 200 SV, B loses 50 points', () => {
    const r = orderRebate({ cashFen: 100000, params: DEFAULT_PARAMS, guidePriceFen: 200 });
    expect(s(r.userSv)).toBe('1000');
    expect(s(r.merchantSv)).toBe('200');
    expect(s(r.rebateYuan)).toBe('100'); // B gives up ¥100 of points…
    expect(s(r.merchantDeduction)).toBe('50'); // …which at ¥2 is 50 points
  });

  test('that evening, T = 100,000 and P = ¥2: A receives 8.88 points, consuming 17.76 SV, keeping 982.24', () => {
    const sim = new O1Release();
    const r = orderRebate({ cashFen: 100000, params: DEFAULT_PARAMS, guidePriceFen: 200 });
    sim.addSv('user:A', r.userSv);
    sim.addSv('merchant:B', r.merchantSv);
    sim.addSv('others', '98800'); // the rest of the network, so that T = 100,000
    expect(s(totalSv(sim.state))).toBe('100000');

    const R = scheduledRelease({ params: DEFAULT_PARAMS, releasedSoFar: sim.state.released });
    expect(s(R)).toBe('888');
    const day = sim.release(R, 200);
    expect(day.T).toBe('100000');
    expect(day.released).toBe('888');

    const a = sim.settle('user:A');
    expect(s(a.credit)).toBe('8.88'); // 1000 ÷ 100,000 × 888
    expect(s(new D(1000).minus(a.sv))).toBe('17.76'); // 8.88 × 2
    expect(s(a.sv)).toBe('982.24');
    expect(formatPoints(a.sv)).toBe('982.24');

    // B's 200 SV: 1.776 points, credited 1.77; the 0.006 stays owed to B, in the pool
    const b = sim.settle('merchant:B');
    expect(s(b.credit)).toBe('1.77');
    expect(b.snapshot.carry).toBe('0.006');
    expect(s(b.sv)).toBe('196.448');
  });

  test('sold at once at ¥2, 8.88 points are worth ¥17.76', () => {
    expect(pointsOffsetFen('8.88', 200)).toBe(1776);
    expect(formatYuan(pointsOffsetFen('8.88', 200))).toBe('¥17.76');
  });

  test('the deposit: ¥500 of points at ¥2 is 250 points, bought from the treasury for ¥500', () => {
    const n = depositPointsNeeded({ depositValueFen: DEFAULT_PARAMS.merchantDepositValueFen, guidePriceFen: 200, heldPoints: '0' });
    expect(s(n)).toBe('250');
    expect(depositPriceFen(n, 200)).toBe(50000);
  });

  test('the same release with the raw state functions (as server/release.ts stores them)', () => {
    const state = { ...initialReleaseState(), weight: '100000' };
    const { state: after, day } = applyRelease(state, { R: '888', P: 200 });
    expect(day).toMatchObject({ T: '100000', released: '888', svConsumed: '1776', productAfter: '0.98224', sumAfter: '0.00888', newEpoch: false });
    const snapA = { sv0: '1000', product0: '1', sum0: '0', epoch0: 0, scale0: 0, seq0: 0, carry: '0' };
    const settled = settleHolder(snapA, after, (at) => {
      throw new Error(`no closed segment expected, asked ${segmentKey(at)}`);
    });
    expect([s(settled.credit), s(settled.sv)]).toEqual(['8.88', '982.24']);
  });
});
