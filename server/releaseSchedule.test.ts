/**
 * Issue 11 §6: many days of orders with failed and late timers, settlements between a release's due time and its
 * catch-up, and stores crossing zero by the release, against the naive reference (shared/releaseReference.ts) that
 * releases every day exactly at 22:00. Day by day: T, the released amount and P of every day; each holder's SV and
 * points (booked + claimable) whenever the server has caught up; each store's balance as orders see it.
 *
 * RELEASE_SCHEDULE_DAYS sets the length (default 240, so the suite stays short; `RELEASE_SCHEDULE_DAYS=1095`
 * is the full three years, timed in docs/benchmarks.md).
 */
import type { TestCloud } from '../localcloud/testing';
import { D, Dec } from '../shared/decimal';
import { ReleaseReference } from '../shared/releaseReference';
import { addDays, releaseMoment } from '../shared/time';
import { runTx } from './db';
import { creditSv, holderShardPart, HolderDoc, holderView, readReleaseState, readShardTotals, settleHolderNow } from './holders';
import { merchantAccount, postEntry, TREASURY } from './ledger';
import { ReleaseDayDoc, releaseIfDue, RELEASE_DAYS_COLL } from './release';
import { pointsNow } from './svView';
import { getDb, readAll } from './db';
import { ADMIN, login, ok, worldForEachTest } from './testkit.testutil';

let tc: TestCloud;
worldForEachTest((c) => (tc = c), { frozenClock: true, setup: (c) => login(c, ADMIN) });

const DAYS = Number(process.env.RELEASE_SCHEDULE_DAYS ?? 240);
const DAY1 = '2026-03-02';
const MIN = 60_000;
const HOUR = 60 * MIN;

type Ev = { at: number; kind: 'credit'; id: string; sv: Dec } | { at: number; kind: 'deduct'; id: string; points: Dec } | { at: number; kind: 'settle'; id: string } | { at: number; kind: 'price'; fen: number } | { at: number; kind: 'timer' };

test(`${DAYS} days with failed and late timers match the naive reference day by day`, async () => {
  tc.cloud.makeCurrent();
  let seed = 1095;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const users = ['user:o_s1', 'user:o_s2', 'user:o_s3'];
  const stores = ['merchant:m_s1', 'merchant:m_s2'];
  const ids = [...users, ...stores];
  const ref = new ReleaseReference();
  let refPrice = 200;
  const refDays = new Map<string, { T: Dec; released: Dec; P: number }>();
  const deducted = new Map<string, Dec>(stores.map((s) => [s, D(0)]));
  let key = 0;
  let late = 0;
  let missed = 0;
  let pendingCredits = 0;
  let crossings = 0;
  const negative = new Map<string, boolean>(stores.map((s) => [s, false]));
  const started = Date.now();

  for (let i = 0; i < DAYS; i++) {
    const day = addDays(DAY1, i);
    const due = releaseMoment(day, 22);
    const evs: Ev[] = [];
    const busy = i % 120 < 90; // quiet stretches end epochs (T < R·P)
    const orders = busy ? 1 + Math.floor(rnd() * 3) : rnd() < 0.2 ? 1 : 0;
    for (let k = 0; k < orders; k++) {
      const id = ids[Math.floor(rnd() * ids.length)];
      const cashFen = 1 + Math.floor(rnd() * (busy ? 300_000 : 20_000));
      evs.push({ at: due - 10 * HOUR + k * MIN, kind: 'credit', id, sv: id.startsWith('user:') ? D(cashFen).div(100) : D(cashFen).times('0.002') });
    }
    // stores pay deductions (SPEC §4.5) that may take them below zero; the release may bring them back
    for (const s of stores) {
      if (rnd() < 0.3) evs.push({ at: due - 9 * HOUR, kind: 'deduct', id: s, points: D(1 + Math.floor(rnd() * 4000)).div(100) });
      // now and then a sale that takes the store just below zero: the next releases bring it back
      const held = ref.holder(s).received.minus(deducted.get(s)!);
      if (rnd() < 0.05 && held.gt(0)) evs.push({ at: due - 9 * HOUR + MIN, kind: 'deduct', id: s, points: held.toDecimalPlaces(2, D.ROUND_DOWN).plus(D(1 + Math.floor(rnd() * 3000)).div(100)) });
    }
    if (rnd() < 0.1) evs.push({ at: due - 8 * HOUR, kind: 'settle', id: ids[Math.floor(rnd() * ids.length)] });
    // the timer: on time, late (up to 3 h), or missed (the next chance is tomorrow's)
    const r = rnd();
    if (r < 0.6) evs.push({ at: due + 1000, kind: 'timer' });
    else if (r < 0.8) {
      late++;
      evs.push({ at: due + (1 + Math.floor(rnd() * 180)) * MIN, kind: 'timer' });
    } else missed++;
    // orders settled after 22:00 (before or after the catch-up), an admin's price change now and then
    for (let k = 0; k < 2; k++) {
      if (rnd() < 0.5) {
        const id = ids[Math.floor(rnd() * ids.length)];
        evs.push({ at: due + (1 + Math.floor(rnd() * 600)) * MIN, kind: 'credit', id, sv: D(1 + Math.floor(rnd() * 50_000)).div(100) });
      }
    }
    if (rnd() < 0.05) evs.push({ at: due + (1 + Math.floor(rnd() * 120)) * MIN, kind: 'price', fen: 150 + Math.floor(rnd() * 150) });
    evs.sort((a, b) => a.at - b.at);

    // the reference releases at exactly 22:00, between the events before and after it
    let refReleased = false;
    const refRelease = () => {
      if (refReleased) return;
      refReleased = true;
      const R = D(888).lte(D(972360).minus(ref.released)) ? D(888) : D(972360).minus(ref.released);
      const T = ref.totalSv();
      const out = ref.release(R, refPrice);
      refDays.set(day, { T, released: out.released, P: refPrice });
    };
    for (const e of evs) {
      if (e.at >= due) refRelease();
      await tc.clock.set(e.at, true);
      if (e.kind === 'credit') {
        const st = await readReleaseState(getDb());
        if (e.at >= due && st?.lastReleasedDay !== day) pendingCredits++;
        await runTx((tx) => creditSv(tx, e.id, e.sv.toString(), `sched:${++key}`));
        ref.addSv(e.id, e.sv);
      } else if (e.kind === 'deduct') {
        await runTx((tx) => postEntry(tx, { key: `sched-deduct:${++key}`, kind: 'order_deduction', debit: merchantAccount(e.id.slice(9)), credit: TREASURY, amount: e.points, allowNegative: true }));
        deducted.set(e.id, deducted.get(e.id)!.plus(e.points));
      } else if (e.kind === 'settle') await settleHolderNow(e.id);
      else if (e.kind === 'price') {
        await ok(tc, 'admin', ADMIN, { action: 'setGuidePrice', priceFen: e.fen, reason: '随机测试调整' });
        refPrice = e.fen;
        tc.cloud.makeCurrent();
      } else await releaseIfDue({ by: 'test', maxDays: 5 });
    }
    refRelease();

    // whenever the server has caught up: every released day as the reference had it, every holder to 0.01
    const st = await readReleaseState(getDb());
    if (st?.lastReleasedDay !== day) continue;
    for (const rec of await readAll<ReleaseDayDoc>(getDb().collection(RELEASE_DAYS_COLL).where({ day: getDb().command.gte(addDays(day, -3)) }))) {
      const want = refDays.get(rec.day)!;
      expect([rec.day, rec.guidePriceFen, rec.released]).toEqual([rec.day, want.P, want.released.toString()]);
      expect(D(rec.T).minus(want.T).abs().lte('1e-12')).toBe(true);
    }
    for (const id of ids) {
      const h = ref.holder(id);
      const v = await holderView(id);
      const pts = await pointsNow(id);
      expect(v.sv.minus(h.sv).abs().lte('0.01')).toBe(true);
      const refPoints = h.received.minus(deducted.get(id) ?? 0);
      // booked + claimable (what an order or a transfer sees) = what the reference gave, to 0.01 (rounding down)
      expect(pts.points.minus(refPoints).abs().lte('0.01')).toBe(true);
      if (stores.includes(id)) {
        const below = refPoints.lt(0);
        if (negative.get(id) && !below) crossings++;
        negative.set(id, below);
      }
    }
  }
  // the scenario did what it claims
  expect(late).toBeGreaterThan(DAYS / 10);
  expect(missed).toBeGreaterThan(DAYS / 10);
  expect(pendingCredits).toBeGreaterThan(DAYS / 10);
  expect(crossings).toBeGreaterThan(0);
  // W and the holder count of the shards = what the holders' snapshots give
  const state = (await readReleaseState(getDb()))!;
  const totals = await readShardTotals(getDb(), state.epoch);
  let w = D(0);
  let counted = 0;
  for (const h of await readAll<HolderDoc>(getDb().collection('holders'))) {
    const part = await holderShardPart(getDb(), h, state);
    w = w.plus(part.weight);
    counted += part.counted;
  }
  expect(totals.weight.minus(w).abs().lte('1e-30')).toBe(true);
  expect(totals.holders).toBe(counted);
  console.log(`[releaseSchedule] ${DAYS} days (${late} late, ${missed} missed timers, ${pendingCredits} credits waiting for a catch-up, ${crossings} store crossings above zero) in ${Date.now() - started} ms`);
}, 600_000);
