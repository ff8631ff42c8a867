/**
 * The hot path's cost in database round trips (each one ≈ 8 ms in CloudBase; docs/architecture.md "Running at the
 * platform's scale"). Counts the operations of the actions every customer makes, so a change that adds some fails
 * here, and checks that they write no document other stores' orders write.
 */
import type { TestCloud } from '../localcloud/testing';
import { DbOp, recordOps, roundTrips, summary, txOps, writtenDocs } from './dbops.testutil';
import { activeMerchant, grantPoints, login, ok, rid, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('round trips of the payment path', () => {
  let tc: TestCloud;
  // with a round trip's latency, as on the platform: operations sent together are then in flight together, so the
  // count of sequential round trips does not depend on how many promise steps the runtime's code takes between them
  worldForEachTest((c) => (tc = c), { profile: { name: 'local', dbRoundTripMs: 2 } });

  test('an in-store payment, part paid with points: operations counted, nothing shared written', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    await grantPoints(tc, 'o_alice', '20');
    const order = async () => {
      const create = await recordOps(() => ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 10000, points: '5' }));
      const paid = await recordOps(() => tc.pay(create.result.pay.outTradeNo));
      expect((await ok(tc, 'order', 'o_alice', { action: 'get', orderId: create.result.order.id })).status).toBe('completed');
      return { create: create.ops, pay: paid.ops, id: create.result.order.id as string };
    };
    await order(); // the first one creates what every later one finds (holders, the release state)
    const { create, pay, id } = await order();
    const show = (name: string, ops: DbOp[]) =>
      console.log(`${name}: ${JSON.stringify({ all: summary(ops), inTransaction: summary(txOps(ops)) })}\n${txOps(ops).map((o) => `  ${o.op} ${o.coll}/${o.id ?? ''}`).join('\n')}`);
    show('order.create', create);
    show('payment', pay);
    // the figures of this design (docs/architecture.md "Short transactions"), of the first transaction of each (what
    // follows the commit — messages, the store's day — runs in transactions of its own); more fails, to be seen
    const firstTx = (ops: DbOp[]) => {
      const t = txOps(ops);
      return t.slice(0, t.findIndex((o) => o.op === 'commit') + 1);
    };
    expect(summary(firstTx(create)).total).toBeLessThanOrEqual(18);
    expect(roundTrips(firstTx(create))).toBeLessThanOrEqual(8);
    // 30 includes the lock (update) of each holder and of their one W shard before reading them (lock-then-read, once each), and the
    // store's settled sales (an increment in the last wave); the order's treasury inbox, new, is created without a
    // lock (postEntry creditNew)
    expect(summary(firstTx(pay)).total).toBeLessThanOrEqual(30);
    // and in sequential round trips (operations sent together count one; begin and commit one each)
    console.log(`round trips: order.create ${roundTrips(firstTx(create))} (request ${roundTrips(create)}), payment ${roundTrips(firstTx(pay))} (request ${roundTrips(pay)})`);
    expect(roundTrips(firstTx(pay))).toBeLessThanOrEqual(5);
    // the whole requests: no bootstrap check before them (cloudfunctions/order, payment); the notification's
    // transaction, then, together, the messages and the store's day (one increment)
    expect(roundTrips(create)).toBeLessThanOrEqual(8);
    expect(roundTrips(pay)).toBeLessThanOrEqual(6);
    // written: the buyer's, the order's and the store's own documents and one W shard — no treasury, no pool,
    // no counter, no other store's
    const allowed = [
      /^orders\//, /^requests\//, /^ledger\//, /^accounts\/user:o_alice:available$/, new RegExp(`^accounts/(hold:order|treasury:in:order):${id}$`),
      /^accounts\/hold:order:/, new RegExp(`^accounts/merchant:${mid}$`), new RegExp(`^holders/(user:o_alice|merchant:${mid})$`), /^holderHistory\//,
      /^svShards\/\d+$/, new RegExp(`^merchants/${mid}$`), /^messages\/(o_alice|o_bob)\|/, /^storeDayMarks\//, new RegExp(`^storeDays/${mid}:`),
    ];
    const stray = [...writtenDocs(create), ...writtenDocs(pay)].filter((d) => !allowed.some((re) => re.test(d)));
    expect(stray).toEqual([]);
  });
});
