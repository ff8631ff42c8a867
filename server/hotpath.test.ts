/**
 * The hot path's cost in database round trips (each one milliseconds in CloudBase; docs/architecture.md
 * "Running at the platform's scale"). Counts the operations of the actions every customer makes, so a change
 * that adds some is seen here, and lists the documents they write.
 */
import type { TestCloud } from '../localcloud/testing';
import { recordOps, summary, txOps, writtenDocs } from './dbops.testutil';
import { activeMerchant, grantPoints, login, ok, rid, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('round trips of the payment path', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('an in-store payment, part paid with points', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    await grantPoints(tc, 'o_alice', '10');
    await ok(tc, 'user', 'o_alice', { action: 'assets' });
    const create = await recordOps(() => ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 10000, points: '5' }));
    const { order, pay } = create.result;
    const paid = await recordOps(() => tc.pay(pay.outTradeNo));
    const done = await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id });
    expect(done.status).toBe('completed');
    const show = (name: string, ops: any[]) => {
      const t = txOps(ops);
      console.log(name, JSON.stringify({ all: summary(ops), tx: summary(t) }), '\n', t.map((o) => `${o.op} ${o.coll}/${o.id ?? ''}`).join('\n'), '\nwrites:', writtenDocs(ops).join(' '));
    };
    show('create', create.ops);
    show('pay', paid.ops);
  });
});
