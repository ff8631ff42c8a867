/**
 * The treasury's inboxes and their sweep (server/ledger.ts; docs/architecture.md "The treasury"): income lands in
 * one inbox per order or trade, the sweep posts the final ones into `treasury` in bounded batches, an unsettled
 * order's stays (its refund takes it back from there), and SPEC §10.1 holds throughout.
 */
import type { TestCloud } from '../localcloud/testing';
import { D } from '../shared/decimal';
import { sweepTreasuryInbox, verifyLedger } from './ledger';
import { activeMerchant, balanceOf, login, ok, product, rid, treasuryOf, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('treasury inboxes and the sweep', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('25 in-store payments and a goods order: swept in batches of 10, the goods order waits for its receipt; a refund never touches the treasury', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const p = await product(tc, 'o_bob', '面', 2000, 10);
    const buyers = Array.from({ length: 5 }, (_, i) => `o_b${i}`);
    for (const b of buyers) await login(tc, b);
    const t0 = D(await balanceOf(tc, 'treasury'));
    const total0 = D(await treasuryOf(tc));
    const ids: string[] = [];
    await Promise.all(
      buyers.map(async (b) => {
        for (let i = 0; i < 5; i++) {
          const { order, pay } = await ok(tc, 'order', b, { action: 'create', requestId: rid(), merchantId: mid, amountFen: 2000 });
          await tc.pay(pay.outTradeNo);
          ids.push(order.id);
        }
      }),
    );
    const goods = await ok(tc, 'order', 'o_b0', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(goods.pay.outTradeNo);
    const refunded = await ok(tc, 'order', 'o_b1', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(refunded.pay.outTradeNo);
    // each payment's deduction (¥20 × 10% ÷ ¥2 = 1 point) is in its own inbox; the treasury itself did not move
    expect(await balanceOf(tc, 'treasury')).toBe(t0.toFixed(2));
    expect(await balanceOf(tc, `treasury:in:order:${ids[0]}`)).toBe('1.00');
    expect(D(await treasuryOf(tc)).minus(total0).toFixed(2)).toBe('27.00');
    // a refund before settlement: from the order's inbox
    await ok(tc, 'order', 'o_b1', { action: 'refund', orderId: refunded.order.id, reason: '不要了' });
    expect(await balanceOf(tc, `treasury:in:order:${refunded.order.id}`)).toBe('0.00');
    expect(await balanceOf(tc, 'treasury')).toBe(t0.toFixed(2));

    tc.cloud.makeCurrent();
    const r = await sweepTreasuryInbox({ batch: 10 });
    expect(r).toEqual({ swept: 25, points: '25.00', batches: 3 });
    expect(await balanceOf(tc, 'treasury')).toBe(t0.plus(25).toFixed(2));
    expect(await balanceOf(tc, `treasury:in:order:${goods.order.id}`)).toBe('1.00'); // not settled: not due
    expect((await verifyLedger(tc.db)).totals).toMatchObject({ treasuryInbox: '1.00' });
    // again: nothing left to sweep; after receipt the goods order's is swept
    expect(await sweepTreasuryInbox({ batch: 10 })).toEqual({ swept: 0, points: '0.00', batches: 0 });
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: goods.order.id });
    await ok(tc, 'order', 'o_b0', { action: 'confirm', orderId: goods.order.id });
    tc.cloud.makeCurrent();
    expect(await sweepTreasuryInbox({ batch: 10 })).toEqual({ swept: 1, points: '1.00', batches: 1 });
    expect(await balanceOf(tc, 'treasury')).toBe(t0.plus(26).toFixed(2));
    expect(D(await treasuryOf(tc)).minus(total0).toFixed(2)).toBe('26.00');
  });
});
