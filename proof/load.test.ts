/**
 * Load: many users at once, for a bounded time, through the local gateway over HTTP — ordering in store and
 * goods, paying (WeChat Pay simulator, partly with points), cancelling, transferring, trading on the C2C market,
 * reading their assets — while the timeouts timer fires now and then. Afterwards the day's release runs.
 *
 * Asserts: no request failed except by a business refusal (a known code and a Chinese sentence; never INTERNAL,
 * never an HTTP error); the ledger verifies and points are conserved; shared value is conserved; every paid order
 * has its deduction once, every settled order its shared value once, every merchant's sales add up; escrow
 * matches open orders and live trades. Prints the latency percentiles per action.
 *
 * PROOF_LOAD_MS (default 12000) and PROOF_LOAD_WORKERS (default 24) size it.
 */
import { startTestCloud, TestCloud } from '../localcloud/testing';
import { checkWorld } from './checks';
import { ADMIN, buildWorld, cancelledOrder, drainTrades, Gateway, goodsOrder, instoreOrder, marketStep, mulberry32, rid, runFor, Stats, T0, World } from './kit';

const LOAD_MS = Number(process.env.PROOF_LOAD_MS ?? 12_000);
const WORKERS = Number(process.env.PROOF_LOAD_WORKERS ?? 24);

let tc: TestCloud;
let gw: Gateway;

beforeAll(async () => {
  process.env.ADMIN_OPENIDS = ADMIN;
  tc = await startTestCloud({ now: T0 });
  gw = new Gateway(tc.url);
});
afterAll(async () => {
  gw?.close();
  await tc?.close();
});

test(`${WORKERS} concurrent clients for ${LOAD_MS / 1000} s: only business refusals, and every invariant holds`, async () => {
  const world: World = await buildWorld(gw, { prefix: 'ld', merchants: 6, users: 40, depositPoints: '1500', userPoints: 60 });
  const sellers = world.users.slice(0, 5).map((u) => u.openid);
  const buyers = world.users.slice(5, 10).map((u) => u.openid);
  for (const s of sellers) await gw.ok('market', s, { action: 'setPaymentDetails', accountText: '支付宝 138****0000 张三' });

  const stats = new Stats();
  gw.stats = stats;
  const rnd = mulberry32(20260302);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  let settled = 0;
  let timerFires = 0;

  const timerRuns: Array<Promise<any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ticker = setInterval(() => {
    timerFires++;
    timerRuns.push(gw.timer('timeouts'));
  }, 1500);
  const t0 = Date.now();
  const steps = await runFor(LOAD_MS, WORKERS, async () => {
    const r = rnd();
    const u = pick(world.users).openid;
    const m = pick(world.merchants);
    if (r < 0.5) {
      const withPoints = rnd() < 0.15;
      const res = await instoreOrder(gw, u, m, 100 + Math.floor(rnd() * 20_000), withPoints ? '1.00' : undefined);
      if (res.settled) settled++;
    } else if (r < 0.6) {
      const res = await goodsOrder(gw, u, m, 1 + Math.floor(rnd() * 3));
      if (res.settled) settled++;
    } else if (r < 0.65) {
      await cancelledOrder(gw, u, m);
    } else if (r < 0.75) {
      const to = pick(world.users);
      await gw.call('user', u, { action: 'transfer', toUserNo: to.userNo, points: '0.50', requestId: rid('t') });
    } else if (r < 0.9) {
      if (rnd() < 0.5) await marketStep(gw, pick(sellers), 'sell', rnd);
      else await marketStep(gw, pick(buyers), 'buy', rnd);
    } else if (r < 0.95) {
      await gw.call('user', u, { action: 'assets' });
    } else {
      await gw.call('merchant', u, { action: 'list' });
      await gw.call('user', u, { action: 'ledger' });
    }
  });
  clearInterval(ticker);
  const elapsed = (Date.now() - t0) / 1000;
  for (const r of await Promise.all(timerRuns)) expect(r.ok).toBe(true);

  await drainTrades(gw, [...sellers, ...buyers]);
  const before = await checkWorld(tc.db, tc.cloud.pay.list());
  expect(before.errors).toEqual([]);
  // the evening: the day's release, then everyone looks at their assets (settle on read)
  await tc.clock.set(Date.UTC(2026, 2, 2, 14, 0, 30));
  const rel = await gw.timer('release');
  expect(rel.ok).toBe(true);
  for (const u of world.users.slice(0, 10)) await gw.ok('user', u.openid, { action: 'assets' });

  gw.stats = null;
  const lat = stats.latency();
  const report = {
    seconds: elapsed,
    steps,
    requests: stats.outcomes.length,
    requestsPerSecond: Math.round(stats.outcomes.length / elapsed),
    settledOrders: settled,
    settledPerSecond: Math.round(settled / elapsed),
    timerFires,
    latencyMs: { p50: Math.round(lat.p50), p95: Math.round(lat.p95), p99: Math.round(lat.p99), max: Math.round(lat.max) },
    refusals: stats.codes(),
    byAction: stats.byLabel(),
  };
  const { byAction, ...head } = report;
  console.log(
    `[proof/load] ${JSON.stringify(head)}\n` +
      Object.entries(byAction)
        .map(([k, v]) => `  ${k.padEnd(22)} n ${String(v.n).padStart(5)}  refused ${String(v.failed).padStart(3)}  p50 ${v.p50} ms  p95 ${v.p95} ms  p99 ${v.p99} ms`)
        .join('\n'),
  );

  expect(stats.broken).toEqual([]);
  expect(stats.notBusiness()).toHaveLength(0);
  const w = await checkWorld(tc.db, tc.cloud.pay.list(), { statsExact: true });
  console.log(`[proof/load] world: ${JSON.stringify({ ...w, errors: w.errors.length })}`);
  expect(w.errors).toEqual([]);
  expect(settled).toBeGreaterThan(20);
  expect(w.trades).toBeGreaterThan(0);
});
