import fc from 'fast-check';
import { ceil2, D, Dec, floor2, ZERO } from './decimal';
import { DEFAULT_PARAMS, Params } from './params';
import {
  applyRelease,
  holderPosition,
  holderStatement,
  initialReleaseState,
  neededSums,
  newHolderSnapshot,
  scheduledRelease,
  SEGMENT_FACTOR,
  settleHolder,
  totalSv,
} from './release';
import { ReleaseReference } from './releaseReference';
import { O1Release } from './releaseSim.testutil';

const s = (x: Dec) => x.toString();
const noSums = () => undefined;

describe('scheduledRelease', () => {
  const params = DEFAULT_PARAMS;
  test('888 a day until the total is out, then what is left, then nothing', () => {
    expect(s(scheduledRelease({ params, releasedSoFar: '0' }))).toBe('888');
    expect(s(scheduledRelease({ params, releasedSoFar: '971472' }))).toBe('888');
    expect(s(scheduledRelease({ params, releasedSoFar: '971800.5' }))).toBe('559.5');
    expect(s(scheduledRelease({ params, releasedSoFar: '972360' }))).toBe('0');
    expect(s(scheduledRelease({ params, releasedSoFar: '972361' }))).toBe('0');
  });
  test('the seed schedule is exactly 1095 full days', () => {
    let released = ZERO;
    let days = 0;
    for (;;) {
      const r = scheduledRelease({ params, releasedSoFar: released });
      if (r.isZero()) break;
      expect(s(r)).toBe('888');
      released = released.plus(r);
      days++;
    }
    expect(days).toBe(1095);
    expect(s(released)).toBe('972360');
  });
});

describe('applyRelease: the three cases of SPEC §5', () => {
  test('T = 0: nothing is released, the state only counts the day', () => {
    const st = initialReleaseState();
    const { state, day } = applyRelease(st, { R: '888', P: 200 });
    expect(day).toMatchObject({ seq: 1, T: '0', R: '888', released: '0', svConsumed: '0', newEpoch: false, closedSums: [] });
    expect(state).toEqual({ ...st, seq: 1 });
  });

  test('R·P < T: R released, every SV multiplied by 1 − R·P/T', () => {
    const sim = new O1Release();
    sim.addSv('a', '1000');
    sim.addSv('b', '99000');
    const day = sim.release('888', 200);
    expect(day).toMatchObject({ T: '100000', released: '888', svConsumed: '1776', releasedTotal: '888', newEpoch: false });
    expect(day.productAfter).toBe('0.98224');
    expect(day.sumAfter).toBe('0.00888');
    expect(s(sim.position('a').sv)).toBe('982.24');
    expect(s(sim.position('a').unclaimed)).toBe('8.88');
    expect(s(sim.position('b').sv)).toBe('97241.76');
    expect(s(sim.position('b').unclaimed)).toBe('879.12');
    expect(s(totalSv(sim.state))).toBe('98224');
  });

  test('R·P ≥ T: only T ÷ P released (floored to 0.01), all SV to zero, a new epoch', () => {
    const sim = new O1Release();
    sim.addSv('a', '1000.01');
    sim.addSv('b', '0.02');
    const day = sim.release('888', 200); // worth 1776 ≥ T = 1000.03
    expect(day).toMatchObject({ T: '1000.03', released: '500.01', svConsumed: '1000.03', newEpoch: true, productAfter: '0' });
    expect(day.endedEpochSum).toBe(day.sumAfter);
    expect(day.closedSums).toEqual([{ epoch: 0, scale: 0, sum: day.sumAfter }]);
    expect(sim.state).toMatchObject({ epoch: 1, product: '1', sum: '0', weight: '0', released: '500.01', scale: 0 });
    expect(s(sim.position('a').sv)).toBe('0');
    expect(s(sim.position('b').sv)).toBe('0');
    // a: 1000.01/1000.03 × 500.01 = 500.000…; b: 0.02/1000.03 × 500.01 = 0.0099997…
    expect(s(sim.settle('a').credit)).toBe('500');
    expect(s(sim.settle('b').credit)).toBe('0');
    expect(sim.snapshot('b').carry).toBe(s(new D('0.02').div('1000.03').times('500.01').toDecimalPlaces(20, D.ROUND_HALF_EVEN)));
  });

  test('R·P exactly equal to T ends the epoch and releases all of R', () => {
    const sim = new O1Release();
    sim.addSv('a', '1776');
    const day = sim.release('888', 200);
    expect(day).toMatchObject({ T: '1776', released: '888', newEpoch: true });
    expect(s(sim.settle('a').credit)).toBe('888');
  });

  test('a new epoch then T = 0 until new SV arrives; the schedule is not lost', () => {
    const sim = new O1Release();
    sim.addSv('a', '100');
    expect(sim.release('888', 200).released).toBe('50');
    expect(sim.release('888', 200)).toMatchObject({ T: '0', released: '0' });
    sim.addSv('a', '1000000');
    expect(sim.release('888', 200)).toMatchObject({ T: '1000000', released: '888', releasedTotal: '938' });
    const r = sim.settle('a');
    expect(s(r.credit)).toBe('888');
    expect(s(sim.credited.get('a')!)).toBe('938'); // 50 from epoch 0, paid when the new SV was added
    expect(s(r.sv)).toBe('998224');
  });

  test('dust below 0.01 point: the epoch ends, 0 released', () => {
    const sim = new O1Release();
    sim.addSv('a', '0.01');
    expect(sim.release('888', 200)).toMatchObject({ released: '0', newEpoch: true, svConsumed: '0.01' });
  });

  test('R = 0 (schedule exhausted): nothing happens', () => {
    const sim = new O1Release();
    sim.addSv('a', '100');
    expect(sim.release('0', 200)).toMatchObject({ T: '100', released: '0', newEpoch: false });
    expect(s(sim.position('a').sv)).toBe('100');
  });

  test('refuses R with more than 2 decimals and a non-integer price', () => {
    expect(() => applyRelease(initialReleaseState(), { R: '1.001', P: 200 })).toThrow();
    expect(() => applyRelease(initialReleaseState(), { R: '1', P: 2.5 })).toThrow();
    expect(() => applyRelease(initialReleaseState(), { R: '1', P: 0 })).toThrow();
  });
});

describe('holders: rounding leaves stay in the pool and are paid later', () => {
  test('the sub-0.01 remainder is carried, so two settlements pay floor2 of the total', () => {
    const sim = new O1Release();
    sim.addSv('m', '200');
    sim.addSv('x', '99800');
    sim.release('888', 200); // m gets 200/100000 × 888 = 1.776
    const first = sim.settle('m');
    expect(s(first.credit)).toBe('1.77');
    expect(first.snapshot.carry).toBe('0.006');
    sim.release('888', 200); // m: 196.448/98224 × 888 = 1.776
    const second = sim.settle('m');
    expect(s(second.credit)).toBe('1.78'); // 1.776 + 0.006 = 1.782
    expect(second.snapshot.carry).toBe('0.002');
  });

  test('a settlement alone leaves W unchanged', () => {
    const sim = new O1Release();
    sim.addSv('a', '333.33');
    sim.addSv('b', '4444.44');
    sim.release('888', 300);
    const w = sim.state.weight;
    const r = sim.settle('a');
    expect(r.weightDelta.abs().lt('1e-50')).toBe(true);
    expect(new D(sim.state.weight).minus(w).abs().lt('1e-50')).toBe(true);
  });

  test('addSv settles first, then adds: W grows by sv/Π', () => {
    const sim = new O1Release();
    sim.addSv('a', '1000');
    sim.addSv('b', '99000');
    sim.release('888', 200);
    const r = sim.addSv('a', '500');
    expect(s(r.credit)).toBe('8.88');
    expect(s(r.sv)).toBe('1482.24');
    expect(r.weightDelta.minus(new D(500).div('0.98224')).abs().lt('1e-50')).toBe(true);
    expect(s(totalSv(sim.state))).toBe('98724');
  });

  test('a holder from an ended epoch keeps its points and has no SV', () => {
    const sim = new O1Release();
    sim.addSv('a', '10');
    sim.addSv('b', '30');
    sim.release('888', 200); // 40 SV worth 20 points: epoch 0 ends
    sim.addSv('c', '100000');
    sim.release('888', 200);
    sim.release('888', 200);
    const snap = sim.snapshot('a');
    expect(neededSums(snap, sim.state)).toEqual([{ epoch: 0, scale: 0 }, { epoch: 0, scale: 1 }]);
    const r = sim.settle('a');
    expect(s(r.credit)).toBe('5');
    expect(s(r.sv)).toBe('0');
    expect(r.weightDelta.isZero()).toBe(true);
  });

  test('a missing closed Σ is an error, never a silent zero', () => {
    const sim = new O1Release();
    sim.addSv('a', '10');
    sim.release('888', 200);
    expect(() => settleHolder(sim.snapshot('a'), sim.state, noSums)).toThrow(/missing Σ of segment 0:0/);
  });

  test('snapshots without the optional fields (scale0, seq0, carry) read as 0', () => {
    const st = initialReleaseState();
    const snap = { sv0: '100', product0: '1', sum0: '0', epoch0: 0 };
    const { state } = applyRelease({ epoch: 0, product: '1', sum: '0', weight: '100', released: '0' }, { R: '10', P: 200 });
    expect(holderPosition(snap, state, noSums)).toEqual({ sv: new D(80), unclaimed: new D(10) });
    expect(newHolderSnapshot(st)).toEqual({ sv0: '0', product0: '1', sum0: '0', epoch0: 0, scale0: 0, seq0: 0, carry: '0' });
  });
});

describe('Σ segments: a late holder after Π has shrunk far', () => {
  test('Π falls 1e-6 a day for 200 days; holders who join late are paid exactly', () => {
    const sim = new O1Release();
    const ref = new ReleaseReference();
    const R = new D(888);
    const RP = R.times(2);
    for (let d = 0; d < 200; d++) {
      // keep T just above R·P so that f = 1 − R·P/T ≈ 1e-6
      const need = RP.times('1.000001').minus(totalSv(sim.state));
      const id = `h${d % 7}`;
      if (need.gt(0)) {
        const add = ceil2(need);
        sim.addSv(id, add);
        ref.addSv(id, add);
      }
      if (d % 13 === 0) sim.settle(`h${(d + 3) % 7}`);
      const day = sim.release(R, 200);
      const rd = ref.release(R, 200);
      expect(day.newEpoch).toBe(false);
      expect(new D(day.T).minus(rd.T).abs().lt('1e-15')).toBe(true);
    }
    expect(new D(sim.state.product).lt('1e-1000')).toBe(true);
    expect(sim.state.scale).toBeGreaterThan(55);
    for (const [id, h] of ref.holders) {
      const pos = sim.position(id);
      expect(pos.sv.minus(h.sv).abs().lt('1e-9')).toBe(true);
      expect(sim.credited.get(id)!.plus(pos.unclaimed).minus(h.received).abs().lt('1e-9')).toBe(true);
    }
  });

  test('one day crossing several segment thresholds closes the skipped segments with Σ = 0', () => {
    // Π = 2e-18 (segment 0) and T just 1e-18 above R·P: f ≈ 5.6e-22 takes Π below 1e-36.
    const T = new D('1776.000000000000000001');
    const state = { epoch: 0, product: '2e-18', sum: '0.5', weight: T.div('2e-18').toString(), released: '0', scale: 0, seq: 7 };
    const holder = { sv0: T.toString(), product0: '2e-18', sum0: '0.5', epoch0: 0, scale0: 0, seq0: 7, carry: '0' };
    const { state: next, day } = applyRelease(state, { R: '888', P: 200 });
    expect(day).toMatchObject({ T: T.toString(), released: '888', newEpoch: false });
    expect(next.scale).toBe(2);
    expect(next.sum).toBe('0');
    expect(day.closedSums).toEqual([
      { epoch: 0, scale: 0, sum: day.sumAfter },
      { epoch: 0, scale: 1, sum: '0' },
    ]);
    expect(new D(next.product).lt(SEGMENT_FACTOR.pow(2))).toBe(true);
    const stored = new Map(day.closedSums.map((c) => [`${c.epoch}:${c.scale}`, c.sum]));
    expect(neededSums(holder, next)).toEqual([{ epoch: 0, scale: 0 }, { epoch: 0, scale: 1 }]);
    const lookup = (at: { epoch: number; scale: number }) => stored.get(`${at.epoch}:${at.scale}`);
    const pos = holderPosition(holder, next, lookup);
    expect(s(settleHolder(holder, next, lookup).credit)).toBe('888');
    expect(pos.unclaimed.minus(888).abs().lt('1e-20')).toBe(true);
    expect(pos.sv.minus('1e-18').abs().lt('1e-30')).toBe(true);
  });
});

describe('holderStatement: day by day', () => {
  test('the SPEC §11 holder over three days, with a credit between days 2 and 3', () => {
    const sim = new O1Release();
    sim.addSv('a', '1000');
    sim.addSv('x', '99000');
    sim.release('888', 200);
    sim.release('888', 200);
    sim.addSv('a', '100');
    sim.release('888', 250);
    const lines = holderStatement(sim.history.get('a')!, sim.days.map((d, i) => ({ ...d, day: `2025-01-0${i + 1}` })));
    expect(lines.map((l) => l.day)).toEqual(['2025-01-01', '2025-01-02', '2025-01-03']);
    expect(s(lines[0].points)).toBe('8.88');
    expect(s(lines[0].svConsumed)).toBe('17.76');
    expect(s(lines[0].svAfter)).toBe('982.24');
    // day 2: T = 98224, a holds 982.24 → 888/100 = 8.88 again, consuming 17.76
    expect(s(lines[1].points)).toBe('8.88');
    expect(s(lines[1].svAfter)).toBe('964.48');
    expect(s(lines[2].svBefore)).toBe('1064.48');
    const T3 = new D(lines[2].T);
    expect(s(T3)).toBe('96548');
    expect(lines[2].points.minus(new D('1064.48').div(T3).times(888)).abs().lt('1e-50')).toBe(true);
    expect(lines[2].svConsumed.minus(lines[2].points.times('2.5')).abs().lt('1e-50')).toBe(true);
    // the statement adds up to what a settlement pays
    const total = lines.reduce((t, l) => t.plus(l.points), ZERO);
    sim.settle('a');
    expect(s(floor2(total))).toBe(s(sim.credited.get('a')!));
    expect(s(floor2(total))).toBe('27.55');
  });

  test('days before the holder existed are left out; the epoch-ending day consumes all', () => {
    const sim = new O1Release();
    sim.release('888', 200);
    sim.addSv('a', '100');
    sim.release('888', 200);
    const lines = holderStatement(sim.history.get('a')!, sim.days);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ seq: 2, released: '50' });
    expect(s(lines[0].points)).toBe('50');
    expect(s(lines[0].svConsumed)).toBe('100');
    expect(s(lines[0].svAfter)).toBe('0');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: the O(1) form against the naive reference, on random histories.

type Op =
  | { kind: 'credit'; holder: number; cents: number }
  | { kind: 'settle'; holder: number }
  | { kind: 'release'; priceFen: number }
  | { kind: 'topUp'; holder: number; ratio: string; priceFen?: number; exact?: boolean };

const HOLDERS = 8;
const holderArb = fc.integer({ min: 0, max: HOLDERS - 1 });
const centsArb = fc.oneof(
  fc.integer({ min: 1, max: 5_000 }), // up to 50 SV: dust and small orders
  fc.integer({ min: 1, max: 500_000 }), // up to 5,000 SV
  fc.integer({ min: 1, max: 1_000_000_000 }), // up to 10,000,000 SV
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('credit' as const), holder: holderArb, cents: centsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('settle' as const), holder: holderArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('release' as const), priceFen: fc.integer({ min: 1, max: 2_000 }) }) },
  // make T land just above (or exactly on) R·P: tiny factors, deep Σ segments, exact epoch ends
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('topUp' as const),
      holder: holderArb,
      ratio: fc.constantFrom('0', '0.000000001', '0.000001', '0.001', '0.5'),
      priceFen: fc.integer({ min: 1, max: 2_000 }),
    }),
  },
);
const paramsArb = fc.record({
  releasePerDay: fc.constantFrom('888', '0.01', '10.55', '5000'),
  releaseTotal: fc.constantFrom('972360', '100', '20000.01'),
});

function centsToString(c: number): string {
  return new D(c).div(100).toFixed(2);
}

/**
 * Plain checks for the hot loops: jest's expect builds an error object per call, which made it the
 * largest cost of these properties. A failure still throws, and fast-check shrinks and reports it.
 */
function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
}
function same<T>(got: T, want: T, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
}

/** How often the random histories met each case, so a generator change cannot quietly stop covering one. */
const seen = { releases: 0, zeroT: 0, newEpoch: 0, segmentsClosed: 0, scheduleExhausted: 0, exactEnd: 0 };

const TINY = new D('1e-12');
const CLOSE = new D('1e-6');
const CENT = new D('0.01');

/** Runs a history on both forms, checking the schedule and each day's decision; returns the two. */
function runHistory(params: Pick<Params, 'releasePerDay' | 'releaseTotal'>, ops: Op[], defaultPrice = 200) {
  const sim = new O1Release();
  const ref = new ReleaseReference();
  let lastPrice = defaultPrice;

  const release = (priceFen: number) => {
    lastPrice = priceFen;
    const R = scheduledRelease({ params, releasedSoFar: sim.state.released });
    const day = sim.release(R, priceFen);
    const rd = ref.release(R, priceFen);
    ok(new D(day.released).lte(R), `day ${day.seq} released ${day.released} > scheduled ${R}`);
    ok(R.lte(params.releasePerDay), `scheduled ${R} > releasePerDay`);
    ok(new D(day.releasedTotal).lte(params.releaseTotal), `released total ${day.releasedTotal} > releaseTotal`);
    ok(new D(day.T).minus(rd.T).abs().lte(TINY.times(rd.T.plus(1))), `day ${day.seq}: T ${day.T} vs reference ${rd.T}`);
    same(day.released, rd.released.toString(), `day ${day.seq} released`);
    same(day.newEpoch, rd.newEpoch, `day ${day.seq} newEpoch`);
    seen.releases++;
    if (day.T === '0') seen.zeroT++;
    if (day.newEpoch) seen.newEpoch++;
    if (day.newEpoch && day.released === R.toString()) seen.exactEnd++;
    if (!day.newEpoch && day.closedSums.length) seen.segmentsClosed++;
    if (R.lt(params.releasePerDay)) seen.scheduleExhausted++;
  };

  for (const op of ops) {
    const id = `h${'holder' in op ? op.holder : 0}`;
    if (op.kind === 'credit') {
      const sv = centsToString(op.cents);
      sim.addSv(id, sv);
      ref.addSv(id, sv);
    } else if (op.kind === 'settle') {
      sim.settle(id);
    } else if (op.kind === 'topUp') {
      const price = op.priceFen ?? lastPrice;
      const R = scheduledRelease({ params, releasedSoFar: sim.state.released });
      const need = R.times(price).div(100).times(new D(1).plus(op.ratio)).minus(totalSv(sim.state));
      if (need.gt(0)) {
        // Whole cents like real credits; 'exact' (12 decimals) lets T land within 1e-12 of R·P.
        const add = op.exact ? need.toDecimalPlaces(12, D.ROUND_UP) : ceil2(need);
        sim.addSv(id, add);
        ref.addSv(id, add);
      }
      if (op.priceFen !== undefined) release(op.priceFen);
    } else {
      release(op.priceFen);
    }
  }
  return { sim, ref };
}

/** Every holder agrees with the reference; after settling everyone, rounding has only left points in the pool. */
function checkAgreement(sim: O1Release, ref: ReleaseReference) {
  same(sim.state.released, ref.released.toString(), 'released total');
  const w = new D(sim.state.weight);
  const wSnap = sim.weightFromSnapshots();
  ok(w.minus(wSnap).abs().lte(w.abs().times('1e-40').plus('1e-40')), `W ${w} vs Σ sv0/Π0 ${wSnap}`);
  for (const [id, h] of ref.holders) {
    const pos = sim.position(id);
    ok(pos.sv.minus(h.sv).abs().lt(CLOSE), `${id}: SV ${pos.sv} vs reference ${h.sv}`);
    const got = (sim.credited.get(id) ?? ZERO).plus(pos.unclaimed);
    ok(got.minus(h.received).abs().lt(CLOSE), `${id}: points ${got} vs reference ${h.received}`);
  }
  const settlementsBefore = sim.settlements;
  for (const id of ref.holders.keys()) sim.settle(id);
  let credited = ZERO;
  for (const [id, h] of ref.holders) {
    const c = sim.credited.get(id)!;
    ok(c.lte(h.received.plus(TINY)), `${id}: credited ${c} > received ${h.received}`);
    ok(h.received.minus(c).lt(CENT), `${id}: credited ${c} short of ${h.received} by 0.01 or more`);
    ok(new D(sim.snapshot(id).carry!).lt(CENT), `${id}: carry ${sim.snapshot(id).carry} ≥ 0.01`);
    credited = credited.plus(c);
  }
  const released = new D(sim.state.released);
  const left = released.minus(credited);
  ok(credited.lte(released), `credited ${credited} > released ${released}`);
  ok(left.lt(CENT.times(Math.max(1, ref.holders.size))), `pool keeps ${left}, more than 0.01 a holder`);
  ok(left.lte(CENT.times(Math.max(1, settlementsBefore))), `pool keeps ${left}, more than 0.01 a settlement`);
}

describe('properties: O(1) release = naive reference', () => {
  afterAll(() => {
    expect(seen.zeroT).toBeGreaterThan(10);
    expect(seen.newEpoch).toBeGreaterThan(10);
    expect(seen.exactEnd).toBeGreaterThan(0);
    expect(seen.segmentsClosed).toBeGreaterThan(30);
    expect(seen.scheduleExhausted).toBeGreaterThan(10);
  });

  test('random histories (credits, settlements, releases, T = 0 days, epoch ends, tiny factors)', () => {
    fc.assert(
      fc.property(paramsArb, fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' }), (params, ops) => {
        const { sim, ref } = runHistory(params, ops);
        checkAgreement(sim, ref);
      }),
      { numRuns: 300 },
    );
  });

  test('histories that start empty, end epochs often and include whole-schedule exhaustion', () => {
    const smallOps = fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('credit' as const), holder: fc.integer({ min: 0, max: 2 }), cents: fc.integer({ min: 1, max: 300_000 }) }) },
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('release' as const), priceFen: fc.integer({ min: 50, max: 400 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), holder: fc.integer({ min: 0, max: 2 }) }) },
      ),
      { minLength: 1, maxLength: 60, size: 'max' },
    );
    fc.assert(
      fc.property(fc.constantFrom({ releasePerDay: '888', releaseTotal: '2000' }, { releasePerDay: '888', releaseTotal: '972360' }), smallOps, (params, ops) => {
        const { sim, ref } = runHistory(params, ops);
        checkAgreement(sim, ref);
      }),
      { numRuns: 200 },
    );
  });

  test('tight markets: T kept just above R·P, so Π falls through many Σ segments while holders come and go', () => {
    const tightOps = fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            kind: fc.constant('topUp' as const),
            holder: holderArb,
            ratio: fc.constantFrom('0.000000001', '0.0000001', '0.00001', '0.01'),
            priceFen: fc.integer({ min: 100, max: 300 }),
            exact: fc.boolean(),
          }),
        },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('credit' as const), holder: holderArb, cents: centsArb }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), holder: holderArb }) },
      ),
      { minLength: 1, maxLength: 40, size: 'max' },
    );
    fc.assert(
      fc.property(tightOps, (ops) => {
        const { sim, ref } = runHistory(DEFAULT_PARAMS, ops);
        checkAgreement(sim, ref);
      }),
      { numRuns: 100 },
    );
  });

  test('1,095 consecutive days (the seed schedule) with daily orders, random prices and settlements', () => {
    const dayArb = fc.record({
      credits: fc.array(fc.record({ holder: fc.integer({ min: 0, max: 19 }), cents: fc.integer({ min: 1, max: 300_000 }) }), { maxLength: 3 }),
      settle: fc.option(fc.integer({ min: 0, max: 19 }), { nil: undefined }),
      priceFen: fc.integer({ min: 150, max: 260 }),
      topUp: fc.option(fc.constantFrom('0', '0.00001', '0.01'), { freq: 8, nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(dayArb, { minLength: 1095, maxLength: 1095 }), (days) => {
        const ops: Op[] = [];
        for (const d of days) {
          for (const c of d.credits) ops.push({ kind: 'credit', holder: c.holder % HOLDERS, cents: c.cents });
          if (d.settle !== undefined) ops.push({ kind: 'settle', holder: d.settle % HOLDERS });
          if (d.topUp !== undefined) ops.push({ kind: 'topUp', holder: d.credits.length % HOLDERS, ratio: d.topUp });
          ops.push({ kind: 'release', priceFen: d.priceFen });
        }
        const { sim, ref } = runHistory(DEFAULT_PARAMS, ops);
        expect(sim.days).toHaveLength(1095);
        expect(new D(sim.state.released).lte(DEFAULT_PARAMS.releaseTotal)).toBe(true);
        checkAgreement(sim, ref);
        // statements reproduce what each holder received
        for (const id of ref.holders.keys()) {
          const lines = holderStatement(sim.history.get(id)!, sim.days);
          const total = lines.reduce((t, l) => t.plus(l.points), ZERO);
          ok(total.minus(ref.holders.get(id)!.received).abs().lt('1e-6'), `statement points of ${id}`);
          const consumed = lines.reduce((t, l) => t.plus(l.svConsumed), ZERO);
          ok(consumed.minus(ref.holders.get(id)!.consumed).abs().lt('1e-6'), `statement SV consumed of ${id}`);
        }
      }),
      { numRuns: 3 },
    );
  });
});
