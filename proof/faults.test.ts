/**
 * Faults: the local cloud makes transaction commits conflict (DATABASE_TRANSACTION_CONFLICT) or fail
 * (DATABASE_TRANSACTION_FAIL) at random; clients retry with the same requestId, WeChat Pay re-sends its
 * notification, the timers fire twice at once. Afterwards nothing is lost or done twice: every intended
 * transfer moved its points once (a client-side model of every balance agrees), every order was settled once,
 * every placement made one market order, and every invariant of proof/checks.ts holds.
 *
 * Also: duplicate payment notifications, duplicate timer fires (timeouts and the daily release), and a daily
 * release interrupted half-way and run again while orders settle.
 */
import { startTestCloud, TestCloud } from '../localcloud/testing';
import { D, Dec } from '../shared/decimal';
import { releaseTestHooks } from '../server/release';
import { all, checkWorld } from './checks';
import { ADMIN, Answer, buildWorld, Gateway, mulberry32, rid, T0, World } from './kit';

/* eslint-disable @typescript-eslint/no-explicit-any */
let tc: TestCloud;
let gw: Gateway;
const transient: Record<string, number> = {};

beforeEach(async () => {
  process.env.ADMIN_OPENIDS = ADMIN;
  tc = await startTestCloud({ now: T0 });
  gw = new Gateway(tc.url);
});
afterEach(async () => {
  releaseTestHooks.afterLedgerEntry = undefined;
  tc.setFaults({ conflictRate: 0, failRate: 0 });
  const w = await checkWorld(tc.db, tc.cloud.pay.list());
  expect(w.errors).toEqual([]);
  gw.close();
  await tc.close();
});

const isTransient = (a: Answer) => a.status !== 200 || a.body?.error?.code === 'INTERNAL' || a.body?.error?.code === 'BUSY';

/** A client that retries a request (same requestId) while the answer is a transient failure. */
async function retrying(fn: string, openid: string, event: Record<string, unknown>): Promise<Answer & { tries: number }> {
  for (let tries = 1; ; tries++) {
    const a = await gw.call(fn, openid, event);
    if (!isTransient(a) || tries >= 60) return { ...a, tries };
    const key = `${fn}.${String(event.action)}:${a.status}:${a.body?.error?.code}`;
    transient[key] = (transient[key] ?? 0) + 1;
  }
}

async function okRetrying(fn: string, openid: string, event: Record<string, unknown>): Promise<any> {
  const a = await retrying(fn, openid, event);
  if (a.body?.ok !== true) throw new Error(`${fn}.${String(event.action)} as ${openid} after ${a.tries} tries: ${a.status} ${JSON.stringify(a.body)}`);
  return a.body.data;
}

/** WeChat Pay: the user pays, and the notification is sent again until the function answers errcode 0. */
async function payUntilAcknowledged(outTradeNo: string): Promise<number> {
  let r = await tc.pay(outTradeNo);
  let sends = 1;
  while ((r.results[0] as any)?.errcode !== 0 && sends < 60) {
    r = { order: r.order, results: [await tc.notify(outTradeNo)] };
    sends++;
  }
  expect((r.results[0] as any)?.errcode).toBe(0);
  return sends;
}

async function balance(id: string): Promise<Dec> {
  const r = await tc.db.collection('accounts').doc(id).get();
  return D((r.data as any)?.balance ?? 0);
}

/** The treasury as SPEC §10.1 counts it: the account and the inboxes not yet swept into it. */
async function treasuryTotal(): Promise<Dec> {
  const inboxes = (await all(tc.db, 'accounts', { open: 1 })) as any[];
  return inboxes.reduce((s, a) => s.plus(a.balance), await balance('treasury'));
}

const ceil2 = (x: Dec) => x.toDecimalPlaces(2, D.ROUND_UP);

test('conflicts (30%) and failures (5%) at commit: a workload of a few hundred operations ends with nothing lost or done twice', async () => {
  const world: World = await buildWorld(gw, { prefix: 'ft', merchants: 3, users: 12, depositPoints: '1000', userPoints: 30 });
  const sellers = world.users.slice(0, 3);
  const buyers = world.users.slice(3, 6);
  for (const s of sellers) await gw.ok('market', s.openid, { action: 'setPaymentDetails', accountText: '支付宝 138****0000' });
  const users = world.users.map((u) => u.openid);
  const avail0 = new Map<string, Dec>();
  for (const u of users) avail0.set(u, await balance(`user:${u}:available`));
  const merch0 = new Map<string, Dec>();
  for (const m of world.merchants) merch0.set(m.id, await balance(`merchant:${m.id}`));
  const treasury0 = await treasuryTotal();

  tc.setFaults({ conflictRate: 0.3, failRate: 0.05 });
  // each injected failure is logged by the handler with its stack (as it should be): counted, not printed
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const rnd = mulberry32(99);
  const moved = new Map<string, Dec>(users.map((u) => [u, D(0)]));
  const deductions = new Map<string, Dec>(world.merchants.map((m) => [m.id, D(0)]));
  let ops = 0;
  let notifications = 0;
  const placements: Array<{ openid: string; requestId: string }> = [];

  await Promise.all(
    Array.from({ length: 8 }, async (_x, w) => {
      for (let i = 0; i < 30; i++) {
        ops++;
        const r = rnd();
        if (r < 0.4) {
          // a transfer between two users other than the market's sellers
          const from = world.users[6 + ((w + i) % 6)];
          const to = world.users[6 + ((w + i + 1 + Math.floor(rnd() * 5)) % 6)];
          const pts = D(1 + Math.floor(rnd() * 50)).div(100);
          await okRetrying('user', from.openid, { action: 'transfer', toUserNo: to.userNo, points: pts.toFixed(2), requestId: rid('ft') });
          moved.set(from.openid, moved.get(from.openid)!.minus(pts));
          moved.set(to.openid, moved.get(to.openid)!.plus(pts));
        } else if (r < 0.8) {
          // an in-store order, paid by WeChat Pay, settled at once
          const buyer = world.users[(w + i) % world.users.length];
          const m = world.merchants[Math.floor(rnd() * world.merchants.length)];
          const cashFen = 100 + Math.floor(rnd() * 9_900);
          const c = await okRetrying('order', buyer.openid, { action: 'create', requestId: rid('fo'), merchantId: m.id, amountFen: cashFen });
          notifications += await payUntilAcknowledged(c.pay.outTradeNo);
          deductions.set(m.id, deductions.get(m.id)!.plus(ceil2(D(cashFen).mul('0.1').div(200))));
        } else {
          // the market: a seller offers, a buyer takes it
          const seller = sellers[w % sellers.length];
          const buyer = buyers[(w + i) % buyers.length];
          const q = '1.00';
          const sreq = rid('fs');
          await okRetrying('market', seller.openid, { action: 'place', side: 'sell', priceFen: 200, quantity: q, requestId: sreq });
          placements.push({ openid: seller.openid, requestId: sreq });
          const breq = rid('fb');
          await okRetrying('market', buyer.openid, { action: 'place', side: 'buy', priceFen: 200, quantity: q, requestId: breq });
          placements.push({ openid: buyer.openid, requestId: breq });
        }
      }
    }),
  );
  // settle the market's trades, still under faults: buyers mark paid, sellers confirm (retried when transient)
  for (let round = 0; round < 3; round++) {
    for (const u of [...buyers, ...sellers]) {
      const trades = await okRetrying('market', u.openid, { action: 'myTrades' });
      for (const t of trades.items) {
        if (t.role === 'buyer' && t.status === 'awaiting_payment') await retrying('market', u.openid, { action: 'markPaid', tradeId: t.id });
        if (t.role === 'seller' && t.status === 'paid') await retrying('market', u.openid, { action: 'confirm', tradeId: t.id });
      }
    }
  }
  tc.setFaults({ conflictRate: 0, failRate: 0 });
  const logged = quiet.mock.calls.length;
  quiet.mockRestore();
  console.log(`[proof/faults] ${JSON.stringify(tc.cloud.engine.faultsInjected)} faults injected at commit; ${logged} failures logged by the functions; ${ops} operations, ${notifications} payment notifications sent; transient answers retried: ${JSON.stringify(transient)}`);

  // nothing lost or done twice: each user's available points = start + what the model moved (± market)
  for (const u of world.users.slice(6)) {
    expect((await balance(`user:${u.openid}:available`)).toFixed(2)).toBe(avail0.get(u.openid)!.plus(moved.get(u.openid)!).toFixed(2));
  }
  // each merchant lost exactly its orders' deductions, and the treasury got them
  let total = D(0);
  for (const m of world.merchants) {
    expect((await balance(`merchant:${m.id}`)).toFixed(2)).toBe(merch0.get(m.id)!.minus(deductions.get(m.id)!).toFixed(2));
    total = total.plus(deductions.get(m.id)!);
  }
  const completedTrades = (await all(tc.db, 'marketTrades', { status: 'completed' })) as any[];
  const fees = completedTrades.reduce((s, t) => s.plus(t.fee), D(0));
  expect((await treasuryTotal()).toFixed(2)).toBe(treasury0.plus(total).plus(fees).toFixed(2));
  // one market order per placement
  const orders = await all(tc.db, 'marketOrders');
  expect(orders).toHaveLength(placements.length);
  expect(completedTrades.length).toBeGreaterThan(0);
  // the faults were really there ...
  expect(tc.cloud.engine.faultsInjected.conflicts).toBeGreaterThan(0);
  expect(tc.cloud.engine.faultsInjected.failures).toBeGreaterThan(0);
  // ... and none reached a user as INTERNAL or an HTTP error: a failed commit wrote nothing, so the server retries
  // it, and at worst answers BUSY (系统繁忙, retried by the client with the same requestId) — proof/FINDINGS.md 3
  expect(Object.keys(transient).filter((k) => !k.endsWith(':200:BUSY'))).toEqual([]);
});

test('duplicate payment notifications, at once and later, under conflicts: one payment, one deduction, one settlement', async () => {
  const world = await buildWorld(gw, { prefix: 'dp', merchants: 1, users: 3, depositPoints: '500' });
  for (const k of Object.keys(transient)) delete transient[k];
  const m = world.merchants[0];
  tc.setFaults({ conflictRate: 0.3 });
  const outs: string[] = [];
  for (const u of world.users) {
    const c = await okRetrying('order', u.openid, { action: 'create', requestId: rid('dp'), merchantId: m.id, amountFen: 100_000 });
    outs.push(c.pay.outTradeNo);
  }
  for (const out of outs) {
    const first = await tc.pay(out, { times: 3 });
    const event = tc.payNotificationEvent(out);
    const replays = await Promise.all(Array.from({ length: 5 }, () => tc.invoke('payment', event, { SOURCE: 'wx_paycallback' })));
    for (const r of [...first.results, ...replays]) expect(r).toEqual({ errcode: 0, errmsg: 'OK' });
  }
  tc.setFaults({ conflictRate: 0 });
  // a notification for an order nobody paid, forged by a user or sent as if from WeChat Pay, changes nothing
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const unpaid = await gw.ok('order', world.users[0].openid, { action: 'create', requestId: rid('dp'), merchantId: m.id, amountFen: 100_000 });
  const forgedEvent = tc.payNotificationEvent(unpaid.pay.outTradeNo);
  await tc.invoke('payment', forgedEvent, { SOURCE: 'wx_client', OPENID: world.users[0].openid });
  await tc.invoke('payment', forgedEvent, { SOURCE: 'wx_paycallback' });
  expect(((await tc.db.collection('orders').doc(unpaid.order.id).get()).data as any).status).toBe('unpaid');
  expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(['[payment] refused: not from WeChat Pay', '[payment] not applied: WeChat Pay does not confirm the payment']);
  warn.mockRestore();
  for (const out of outs) {
    const o = (await tc.db.collection('orders').doc(out).get()).data as any;
    expect(o.status).toBe('completed');
  }
  // 3 orders of ¥1000: 3 × 50 points taken, once each
  expect((await balance(`merchant:${m.id}`)).toFixed(2)).toBe('350.00');
  expect(((await tc.db.collection('merchants').doc(m.id).get()).data as any).salesFen).toBe(300_000);
  // conflicts alone never reach a user: the server retries them
  expect(transient).toEqual({});
});

test('timers fired three times at once: unpaid orders cancelled once, shipped orders settled once, lapsed trades returned once, one release', async () => {
  const world = await buildWorld(gw, { prefix: 'tm', merchants: 2, users: 6, depositPoints: '1000', userPoints: 20, stock: 100 });
  const [m1, m2] = world.merchants;
  const u = world.users.map((x) => x.openid);
  // unpaid goods orders, partly paid with points (held), and shipped orders waiting for the auto-confirm
  for (let i = 0; i < 4; i++) await gw.ok('order', u[i], { action: 'create', requestId: rid('un'), merchantId: m1.id, items: [{ productId: m1.productId, quantity: 2 }], points: '1.00' });
  const shipped: string[] = [];
  for (let i = 0; i < 4; i++) {
    const c = await gw.ok('order', u[i], { action: 'create', requestId: rid('sh'), merchantId: m2.id, items: [{ productId: m2.productId, quantity: 1 }] });
    await tc.pay(c.pay.outTradeNo);
    await gw.ok('merchant', m2.owner, { action: 'ship', orderId: c.order.id });
    shipped.push(c.order.id);
  }
  // trades left unpaid
  await gw.ok('market', u[4], { action: 'setPaymentDetails', accountText: '银行卡 6222****' });
  await gw.ok('market', u[4], { action: 'place', side: 'sell', priceFen: 200, quantity: '5.00', requestId: rid('ms') });
  await gw.ok('market', u[5], { action: 'place', side: 'buy', priceFen: 200, quantity: '2.00', requestId: rid('mb') });
  await gw.ok('market', u[5], { action: 'place', side: 'buy', priceFen: 200, quantity: '1.00', requestId: rid('mb') });

  tc.setFaults({ conflictRate: 0.2 });
  await tc.clock.advance(31 * 60_000);
  let runs = await Promise.all([tc.fireTimer('timeouts'), tc.fireTimer('timeouts'), tc.fireTimer('timeouts')]);
  for (const r of runs) expect(r.error).toBeUndefined();
  const unpaid = await all(tc.db, 'orders', { merchantId: m1.id });
  expect(unpaid.map((o: any) => o.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  expect(((await tc.db.collection('products').doc(m1.productId).get()).data as any).stock).toBe(100);
  const trades = await all(tc.db, 'marketTrades');
  expect(trades.map((t: any) => t.status)).toEqual(['cancelled', 'cancelled']);

  await tc.clock.advance(7 * 86_400_000);
  runs = await Promise.all([tc.fireTimer('timeouts'), tc.fireTimer('timeouts'), tc.fireTimer('timeouts')]);
  for (const r of runs) expect(r.error).toBeUndefined();
  for (const id of shipped) expect(((await tc.db.collection('orders').doc(id).get()).data as any).status).toBe('completed');
  expect(((await tc.db.collection('merchants').doc(m2.id).get()).data as any).salesFen).toBe(4 * 990);

  // the daily release, fired three times at once (and by an admin), releases each due day once
  const releases = await Promise.all([tc.fireTimer('release'), tc.fireTimer('release'), tc.fireTimer('release'), tc.call('admin', ADMIN, { action: 'releaseNow' })]);
  for (const r of releases.slice(0, 3)) expect((r as any).error).toBeUndefined();
  tc.setFaults({ conflictRate: 0 });
  const days = await all(tc.db, 'releaseDays');
  expect(days.length).toBeGreaterThan(0);
  expect(new Set(days.map((d: any) => d.day)).size).toBe(days.length);
  const entries = await all(tc.db, 'ledger', { debit: 'release:unissued' });
  expect(entries.map((e: any) => e._id).sort()).toEqual(days.filter((d: any) => D(d.released).gt(0)).map((d: any) => `release:${d.day}`).sort());
  const released = days.reduce((s: Dec, d: any) => s.plus(d.released), D(0));
  expect((await balance('release:unissued')).toFixed(2)).toBe(D(972360).minus(released).toFixed(2));
});

test('a daily release interrupted half-way (three times: the timer and its two retries) and run again, while orders settle', async () => {
  const world = await buildWorld(gw, { prefix: 'ri', merchants: 2, users: 8, depositPoints: '1000' });
  await tc.clock.set(Date.UTC(2026, 2, 2, 13, 59, 0));
  const settle = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const u = world.users[i % world.users.length];
      const c = await okRetrying('order', u.openid, { action: 'create', requestId: rid('ri'), merchantId: world.merchants[i % 2].id, amountFen: 10_000 + i });
      await payUntilAcknowledged(c.pay.outTradeNo);
    }
  };
  await settle(8);
  await tc.clock.set(Date.UTC(2026, 2, 2, 14, 0, 5));
  let faults = 0;
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined); // the injected failures are logged
  releaseTestHooks.afterLedgerEntry = () => {
    faults++;
    throw new Error('injected: the release dies after its ledger entry');
  };
  const [failed] = await Promise.all([tc.fireTimer('release'), settle(6)]);
  expect(failed.error).toMatch(/daily release failed/);
  expect(faults).toBe(3);
  expect(await all(tc.db, 'releaseDays')).toHaveLength(0);
  expect((await balance('release:pool')).toFixed(2)).toBe('0.00');
  expect((await balance('release:unissued')).toFixed(2)).toBe('972360.00');

  releaseTestHooks.afterLedgerEntry = undefined;
  quiet.mockRestore();
  tc.setFaults({ conflictRate: 0.3 });
  const [ok] = await Promise.all([tc.fireTimer('release'), settle(6)]);
  expect(ok.error).toBeUndefined();
  const again = await tc.fireTimer('release');
  expect(again.error).toBeUndefined();
  tc.setFaults({ conflictRate: 0 });
  const days = await all(tc.db, 'releaseDays');
  expect(days.map((d: any) => d.day)).toEqual(['2026-03-02']);
  expect(D(days[0].released).lte(888)).toBe(true);
  expect((await balance('release:unissued')).toFixed(2)).toBe(D(972360).minus(days[0].released).toFixed(2));
  // everyone collects: the pool pays out at most what was released
  for (const u of world.users) await gw.ok('user', u.openid, { action: 'assets' });
  // the pool (release:pool and its claim shards, server/ledger.ts) pays out at most what was released
  const pool = (await all(tc.db, 'accounts')).filter((a: any) => String(a._id).startsWith('release:pool')).reduce((t: Dec, a: any) => t.plus(a.balance), D(0));
  expect(pool.gte(0)).toBe(true);
});
