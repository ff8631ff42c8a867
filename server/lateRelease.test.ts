/**
 * A late or missed release (SPEC §5, issue 11 §2–3), through the gateway: the every-minute `timeouts` job runs
 * any due release (at most once a day, days in order, at the `releaseHour` parameter); a catch-up of day d uses
 * day d's T and P — SV credited after d's release time waits for it and joins after, an admin's price set after
 * it applies from the next day.
 */
import type { TestCloud } from '../localcloud/testing';
import { addDays, releaseMoment } from '../shared/time';
import { activeMerchant, ADMIN, application, login, ok, refused, rid, T0, worldForEachTest, creditSvDirect, spendInStore } from './testkit.testutil';

let tc: TestCloud;
worldForEachTest((c) => (tc = c), { frozenClock: true, setup: (c) => login(c, ADMIN) });

const DAY1 = '2026-03-02'; // T0 is its 10:00
const MIN = 60_000;
void T0;

async function tick(): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const run = await tc.fireTimer('timeouts');
  if (run.error) throw new Error(run.error);
  return (run.result as { data: Record<string, unknown> }).data;
}

async function releaseDays(): Promise<{ day: string; totalSv: string; guidePriceFen: number; released: string }[]> {
  return (await ok(tc, 'admin', ADMIN, { action: 'releaseStatus' })).recent;
}

test('the minute job releases a day the 22:00 timer missed, once, and missed days in order', async () => {
  await creditSvDirect(tc, 'user:o_a', '100000');
  await tc.clock.set(releaseMoment(DAY1, 22) + MIN, true); // the 22:00 timer never ran
  expect((await tick()).release).toMatchObject({ released: [DAY1] });
  expect((await tick()).release).toMatchObject({ due: 0, released: [] }); // at most once a day
  // two days missed entirely: the next tick releases both, in order
  await tc.clock.set(releaseMoment(addDays(DAY1, 2), 22) + 5 * MIN, true);
  expect((await tick()).release).toMatchObject({ released: [addDays(DAY1, 1), addDays(DAY1, 2)] });
  const recent = await releaseDays();
  expect(recent.map((d) => d.day)).toEqual([addDays(DAY1, 2), addDays(DAY1, 1), DAY1]);
  // the 22:00 timer firing late afterwards changes nothing
  const run = await tc.fireTimer('release');
  expect((run.result as { data: { released: unknown[] } }).data.released).toEqual([]);
});

test('the release follows the releaseHour parameter (the minute job runs it), the 22:00 timer stays', async () => {
  await login(tc, 'o_a');
  await creditSvDirect(tc, 'user:o_a', '100000');
  await ok(tc, 'admin', ADMIN, { action: 'setParam', name: 'releaseHour', value: 20, reason: '测试：改为 20 点释放' });
  await tc.clock.set(releaseMoment(DAY1, 20) - MIN, true);
  expect((await tick()).release).toMatchObject({ due: 0 });
  await tc.clock.set(releaseMoment(DAY1, 20) + MIN, true);
  expect((await tick()).release).toMatchObject({ released: [DAY1] });
  await tc.clock.set(releaseMoment(DAY1, 22), true);
  const run = await tc.fireTimer('release');
  expect((run.result as { data: { released: unknown[] } }).data.released).toEqual([]);
  const a = await ok(tc, 'user', 'o_a', { action: 'assets' });
  expect(a).toMatchObject({ available: '888.00', nextReleaseAt: releaseMoment(addDays(DAY1, 1), 20) });
});

test('a catch-up of day d uses day d’s T and P: SV settled after 22:00 waits, an admin price after 22:00 waits', async () => {
  const b = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
  await spendInStore(tc, 'o_alice', b, 1000); // A 1000 SV, B 200 SV
  await creditSvDirect(tc, 'user:o_network', '98800'); // T at 22:00 = 100,000
  await tc.clock.set(releaseMoment(DAY1, 22) + 30 * MIN, true); // the timer failed; nothing noticed yet
  await spendInStore(tc, 'o_carl', b, 1000); // settled at 22:30, after day 1's release time: C 1000 SV, B +200, waiting
  await ok(tc, 'admin', ADMIN, { action: 'setGuidePrice', priceFen: 210, reason: '测试：22 点后调价' });
  await tc.clock.set(releaseMoment(DAY1, 22) + 60 * MIN, true);
  expect((await tick()).release).toMatchObject({ released: [DAY1] }); // the catch-up, at 23:00
  const [d1] = await releaseDays();
  expect(d1).toMatchObject({ day: DAY1, totalSv: '100000.00', guidePriceFen: 200, released: '888.00' });
  // SPEC §11 for A; C's SV took no part and is whole; B: 200 × 0.98224 + 200
  const a = await ok(tc, 'user', 'o_alice', { action: 'assets' });
  expect(a).toMatchObject({ available: '8.88', sharedValue: '982.24', guidePriceFen: 210 });
  const c = await ok(tc, 'user', 'o_carl', { action: 'assets' });
  expect(c).toMatchObject({ available: '0.00', sharedValue: '1000.00', unsettled: '0.00' });
  expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).sharedValue).toBe('396.44');
  // the next day C takes part like everyone else, and its statement says so
  await tc.clock.set(releaseMoment(addDays(DAY1, 1), 22) + MIN, true);
  await tick();
  const [d2] = await releaseDays();
  expect(d2).toMatchObject({ day: addDays(DAY1, 1), guidePriceFen: 210 });
  const st = await ok(tc, 'user', 'o_carl', { action: 'statements' });
  expect(st.items.map((l: { day: string }) => l.day)).toEqual([addDays(DAY1, 1)]);
  // T of day 2 = 100,000 − 1776 + 1200 (C and B's waiting SV joined); C: 1000 / 99,424 × 888 = 8.9314…
  expect(st.items[0]).toMatchObject({ totalSv: '99424.00', pointsReceived: '8.93', guidePriceFen: 210 });
});

test('a store the release brings to its deposit is activated by the minute job', async () => {
  await login(tc, 'o_nina');
  const m = await ok(tc, 'merchant', 'o_nina', { action: 'apply', requestId: rid('apply'), ...application('小店') });
  await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
  await creditSvDirect(tc, `merchant:${m.id}`, '600'); // test-only: an approved store holding SV
  await creditSvDirect(tc, 'user:o_network', '1400');
  await login(tc, 'o_vic');
  await refused(tc, 'order', 'o_vic', { action: 'create', requestId: rid('o'), merchantId: m.id, amountFen: 100 }, 'MERCHANT_INACTIVE');
  await tc.clock.set(releaseMoment(DAY1, 22) + MIN, true);
  const out = await tick();
  expect(out.release).toMatchObject({ released: [DAY1] });
  expect(out.activation).toMatchObject({ activated: [m.id] });
  const list = await ok(tc, 'merchant', 'o_vic', { action: 'list' });
  expect(list.items.map((x: { id: string }) => x.id)).toContain(m.id);
  expect((await tick()).activation).toMatchObject({ checked: 0 }); // the sweep of that release is done
});
