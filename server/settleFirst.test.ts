/**
 * SPEC §5: "the points are the holder's at the moment of the release: every action sees them, whether or not
 * anything has shown them to the holder yet". The release writes no holder, so every path that reads or debits
 * a holder's points settles it first (server/svView.ts settleFirst / pointsNow). Each test releases a day through
 * the timer, then acts through the gateway BEFORE anything reads the holder (no user.assets, no merchant.mine).
 */
import type { TestCloud } from '../localcloud/testing';
import { D } from '../shared/decimal';
import { releaseMoment } from '../shared/time';
import { activeMerchant, ADMIN, application, availableOf, balanceOf, call, login, ok, refused, rid, T0, worldForEachTest, creditSvDirect, spendInStore } from './testkit.testutil';

let tc: TestCloud;
worldForEachTest((c) => (tc = c), { frozenClock: true, setup: (c) => login(c, ADMIN) });

const DAY1 = '2026-03-02'; // T0 is its 10:00; its release is at 22:00
const A = 'o_alice';

async function releaseDay1(): Promise<void> {
  await tc.clock.set(releaseMoment(DAY1, 22), true);
  const run = await tc.fireTimer('release');
  if (run.error) throw new Error(run.error);
}

/** SPEC §11's evening: the user spent ¥1000 at B, the network's T is 100,000 SV, P = ¥2 → 8.88 points each. */
async function seedEvening(users: string[]): Promise<{ b: string }> {
  const b = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
  for (const u of users) await spendInStore(tc, u, b, 1000);
  // users: 1000 SV each; B: 200 SV each; the rest of the network makes T = 100,000
  const rest = 100_000 - users.length * 1200;
  await creditSvDirect(tc, 'user:o_network', String(rest));
  await releaseDay1();
  return { b };
}

describe('released points are usable before anything reads the holder (SPEC §5, §11)', () => {
  test('order.quote and order.create pay with the 8.88 released points', async () => {
    await seedEvening([A]);
    const c = await activeMerchant(tc, 'o_carol', { depositPoints: '250' });
    expect(await availableOf(tc, A)).toBe('0.00'); // nothing booked yet: only the release happened
    const q = await ok(tc, 'order', A, { action: 'quote', merchantId: c, amountFen: 1776, points: '8.88' });
    expect(q).toMatchObject({ maxPoints: '8.88', pointsFen: 1776, cashFen: 0 });
    const { order } = await ok(tc, 'order', A, { action: 'create', requestId: rid('o'), merchantId: c, amountFen: 1776, points: '8.88' });
    expect(order).toMatchObject({ pointsUsed: '8.88', cashFen: 0, status: 'completed' });
    expect(await availableOf(tc, A)).toBe('0.00');
    expect(await balanceOf(tc, 'merchant:' + c)).toBe('258.88');
  });

  test('user.transfer gives the released points away at once', async () => {
    await seedEvening([A]);
    const bob = await login(tc, 'o_dave');
    const t = await ok(tc, 'user', A, { action: 'transfer', requestId: rid('t'), toUserNo: bob.userNo, points: '8.88' });
    expect(t.available).toBe('0.00');
    expect(await availableOf(tc, 'o_dave')).toBe('8.88');
  });

  test('market.place sell escrows the released points at once', async () => {
    await seedEvening([A]);
    await ok(tc, 'market', A, { action: 'setPaymentDetails', accountText: '支付宝 alice@example.com' });
    const r = await ok(tc, 'market', A, { action: 'place', requestId: rid('mk'), side: 'sell', priceFen: 200, quantity: '8.00' });
    expect(r.order).toMatchObject({ side: 'sell', quantity: '8.00', status: 'open' });
    expect(await balanceOf(tc, `user:${A}:escrow`)).toBe('8.40'); // 8.00 + 5% fee
    expect(await availableOf(tc, A)).toBe('0.48');
  });

  test('SPEC §11 whole: spent, transferred and sold before anyone looks; then the assets page agrees', async () => {
    const users = ['o_u1', 'o_u2', 'o_u3'];
    await seedEvening(users);
    const c = await activeMerchant(tc, 'o_carol', { depositPoints: '250' });
    const dave = await login(tc, 'o_dave');
    await ok(tc, 'order', 'o_u1', { action: 'create', requestId: rid('o'), merchantId: c, amountFen: 1776, points: '8.88' });
    await ok(tc, 'user', 'o_u2', { action: 'transfer', requestId: rid('t'), toUserNo: dave.userNo, points: '8.88' });
    await ok(tc, 'market', 'o_u3', { action: 'setPaymentDetails', accountText: '支付宝 u3@example.com' });
    await ok(tc, 'market', 'o_u3', { action: 'place', requestId: rid('mk'), side: 'sell', priceFen: 200, quantity: '8.00' });
    for (const u of users) {
      const a = await ok(tc, 'user', u, { action: 'assets' });
      expect(a.sharedValue).toBe('982.24'); // 1000 − 8.88 × 2
      expect(a.unsettled).toBe('0.00');
    }
    expect((await ok(tc, 'user', 'o_u1', { action: 'assets' })).available).toBe('0.00');
    expect((await ok(tc, 'user', 'o_u3', { action: 'assets' })).available).toBe('0.48');
    expect((await ok(tc, 'user', 'o_dave', { action: 'assets' })).available).toBe('8.88');
    // issue 12 §2: no claim wrote `release:pool` (only the release did); claims come from the holders' shards
    const credits = (await tc.db.collection('ledger').where({ kind: 'release_credit' }).get()).data as { debit: string; amount: string }[];
    expect(credits.length).toBe(3);
    for (const e of credits) expect(e.debit).toMatch(/^release:pool:\d+$/);
    expect(await balanceOf(tc, 'release:pool')).toBe('888.00');
    const shards = new Set(credits.map((e) => e.debit));
    let shardSum = D(0);
    for (const id of shards) shardSum = shardSum.plus(await balanceOf(tc, id));
    expect(shardSum.toFixed(2)).toBe('-26.64'); // 3 × 8.88 over the claim shards; the pool as a whole: 861.36
  });
});

describe('a store sees its released points for taking orders and for activation (SPEC §4.2, §6)', () => {
  test('a store below zero that the release brings above zero takes orders again', async () => {
    const n = await activeMerchant(tc, 'o_nina', { depositPoints: '250' });
    await spendInStore(tc, 'o_ulla', n, 6000); // deduction 300 points → −50.00; N 1200 SV, U 6000 SV
    expect(await balanceOf(tc, 'merchant:' + n)).toBe('-50.00');
    await login(tc, 'o_vic');
    await refused(tc, 'order', 'o_vic', { action: 'create', requestId: rid('o'), merchantId: n, amountFen: 100 }, 'MERCHANT_NEGATIVE');
    expect((await ok(tc, 'merchant', 'o_vic', { action: 'get', merchantId: n })).acceptingOrders).toBe(false);
    await releaseDay1(); // T = 7200: N receives 1200 / 7200 × 888 = 148.00 → 98.00
    expect((await ok(tc, 'merchant', 'o_vic', { action: 'get', merchantId: n })).acceptingOrders).toBe(true);
    const list = await ok(tc, 'merchant', 'o_vic', { action: 'list' });
    expect(list.items.find((m: { id: string }) => m.id === n)?.acceptingOrders).toBe(true);
    expect(await balanceOf(tc, 'merchant:' + n)).toBe('-50.00'); // the views booked nothing
    await ok(tc, 'order', 'o_vic', { action: 'create', requestId: rid('o'), merchantId: n, amountFen: 100 });
    expect(await balanceOf(tc, 'merchant:' + n)).toBe('98.00');
  });

  test('a store that reaches its deposit by the release is active for its first order and for its owner', async () => {
    await login(tc, 'o_nina');
    const m = await ok(tc, 'merchant', 'o_nina', { action: 'apply', requestId: rid('apply'), ...application('小店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    // an approved store holding SV (test-only: in real life a store earns SV while active)
    await creditSvDirect(tc, `merchant:${m.id}`, '600');
    await creditSvDirect(tc, 'user:o_network', '1400'); // T = 2000: the store receives 600/2000 × 888 = 266.40 ≥ 250
    await login(tc, 'o_vic');
    await refused(tc, 'order', 'o_vic', { action: 'create', requestId: rid('o'), merchantId: m.id, amountFen: 100 }, 'MERCHANT_INACTIVE');
    await releaseDay1();
    await ok(tc, 'order', 'o_vic', { action: 'create', requestId: rid('o'), merchantId: m.id, amountFen: 100 });
    const mine = await ok(tc, 'merchant', 'o_nina', { action: 'mine' });
    expect(mine).toMatchObject({ status: 'active', pointsBalance: '266.40' });
  });

  test('merchant.movePoints and buyDeposit count the store’s released points', async () => {
    const n = await activeMerchant(tc, 'o_nina', { depositPoints: '250' });
    await creditSvDirect(tc, `merchant:${n}`, '1000');
    await creditSvDirect(tc, 'user:o_network', '99000'); // store receives 8.88
    await releaseDay1();
    // 258.88 held, 250 kept as deposit: 8.88 can move out
    const after = await ok(tc, 'merchant', 'o_nina', { action: 'movePoints', requestId: rid('mv'), direction: 'toAvailable', points: '8.88' });
    expect(after.pointsBalance).toBe('250.00');
    expect(await availableOf(tc, 'o_nina')).toBe('8.88');
    const r = await call(tc, 'merchant', 'o_nina', { action: 'movePoints', requestId: rid('mv'), direction: 'toAvailable', points: '0.01' });
    expect(r.ok).toBe(false);
  });

  test('merchant.statements: the store’s release statement, day by day, as a user’s (SPEC §5)', async () => {
    const { b } = await seedEvening(['o_alice']); // B: 200 SV of T = 100,000 → 1.776 points, 3.552 SV consumed
    const st = await ok(tc, 'merchant', 'o_bob', { action: 'statements' });
    expect(st.items).toEqual([
      { day: DAY1, pointsReceived: '1.77', svConsumed: '3.56', svAfter: '196.44', totalSv: '100000.00', released: '888.00', guidePriceFen: 200 },
    ]);
    expect((await ok(tc, 'user', 'o_bob', { action: 'statements' })).items).toEqual([]); // the owner as a user holds no SV
    await refused(tc, 'merchant', 'o_alice', { action: 'statements' }, 'NOT_MERCHANT');
    expect(await balanceOf(tc, 'merchant:' + b)).toBe('200.00'); // 250 − 50; the statement booked nothing
  });
});

describe('shared value is shown as credited between releases (issue 11 §5)', () => {
  test('credits after a release (Π ≠ 1) read back to the fen, with no release in between', async () => {
    const { b } = await seedEvening([A]); // day 1 released: Π = 1 − 888 × 2 ÷ 100,000
    expect((await ok(tc, 'user', A, { action: 'assets' })).sharedValue).toBe('982.24'); // SPEC §11
    const E = 'o_erin';
    await login(tc, E);
    const { pay } = await ok(tc, 'order', E, { action: 'create', requestId: rid('o'), merchantId: b, amountFen: 17929 });
    await tc.pay(pay.outTradeNo);
    expect((await ok(tc, 'user', E, { action: 'assets' })).sharedValue).toBe('179.29'); // ¥179.29 × 10% × 10
    const again = await ok(tc, 'order', E, { action: 'create', requestId: rid('o'), merchantId: b, amountFen: 3333 });
    await tc.pay(again.pay.outTradeNo);
    expect((await ok(tc, 'user', E, { action: 'assets' })).sharedValue).toBe('212.62'); // 179.29 + 33.33
    const a = await ok(tc, 'order', A, { action: 'create', requestId: rid('o'), merchantId: b, amountFen: 3333 });
    await tc.pay(a.pay.outTradeNo);
    expect((await ok(tc, 'user', A, { action: 'assets' })).sharedValue).toBe('1015.57'); // 982.24 + 33.33
  });
});
