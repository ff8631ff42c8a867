/**
 * Stock of a fast-selling product (server/stock.ts): a limited offer shared in a crowded group. Every unit is sold
 * once, never more; the orders beyond the stock are refused OUT_OF_STOCK (never BUSY); a cancellation gives the
 * units back to the shards they came from.
 */
import type { TestCloud } from '../localcloud/testing';
import { recordOps } from './dbops.testutil';
import { dealStock, shardCountFor, STOCK_SHARDS } from './stock';
import { activeMerchant, call, login, ok, product, rid, stockOf, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function shards(tc: TestCloud, productId: string): Promise<number[]> {
  const out: number[] = [];
  for (let k = 0; k < STOCK_SHARDS; k++) {
    const d = (await tc.db.collection('stockShards').doc(`${productId}:${k}`).get()).data as { stock: number } | null;
    out.push(d?.stock ?? -1);
  }
  return out;
}

describe('stock shards', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('the deal: even shares, at most STOCK_SHARDS shards, one per unit below that', () => {
    expect(dealStock(30, shardCountFor(30))).toEqual([4, 4, 4, 4, 4, 4, 3, 3]);
    expect(dealStock(3, shardCountFor(3))).toEqual([1, 1, 1]);
    expect(shardCountFor(0)).toBe(1);
  });

  test('a flash sale: 60 buyers at once for 30 units — 30 sold, 30 refused OUT_OF_STOCK, none BUSY; a cancel gives units back', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const p = await product(tc, 'o_bob', '限量月饼', 1000, 30);
    expect(await shards(tc, p.id)).toEqual([4, 4, 4, 4, 4, 4, 3, 3]);
    const buyers = Array.from({ length: 60 }, (_, i) => `o_fan${i}`);
    for (const b of buyers) await login(tc, b);
    const { result, ops } = await recordOps(() =>
      Promise.all(buyers.map((b) => call(tc, 'order', b, { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] }))),
    );
    const sold = result.filter((r: any) => r.ok);
    const codes = result.filter((r: any) => !r.ok).map((r: any) => r.error.code);
    expect(sold).toHaveLength(30);
    expect(codes).toEqual(Array(30).fill('OUT_OF_STOCK'));
    expect(await shards(tc, p.id)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await stockOf(tc, p.id)).toBe(0);
    const attempts = ops.filter((o) => o.op === 'begin').length;
    console.log(`flash sale, ${buyers.length} concurrent orders for 30 units over ${STOCK_SHARDS} shards: ${attempts} transaction attempts`);
    // a cancellation returns its unit to the shard it came from
    const first = (sold[0] as any).data.order.id as string;
    const taken = ((await tc.db.collection('orders').doc(first).get()).data as any).stockTaken[p.id];
    expect(Object.values(taken)).toEqual([1]);
    const owner = ((await tc.db.collection('orders').doc(first).get()).data as any).buyerOpenid as string;
    await ok(tc, 'order', owner, { action: 'cancel', orderId: first });
    const after = await shards(tc, p.id);
    expect(after[Number(Object.keys(taken)[0])]).toBe(1);
    expect(after.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await stockOf(tc, p.id)).toBe(1);
  });

  test('an order for more than one shard holds takes from several; the merchant re-stocking deals again', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const p = await product(tc, 'o_bob', '面', 500, 16);
    await login(tc, 'o_alice');
    const { order } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 7 }] });
    const taken = ((await tc.db.collection('orders').doc(order.id).get()).data as any).stockTaken[p.id];
    expect(Object.values(taken).reduce((a: number, b: any) => a + b, 0)).toBe(7);
    expect(Object.keys(taken).length).toBeGreaterThanOrEqual(4);
    expect((await shards(tc, p.id)).reduce((a, b) => a + b, 0)).toBe(9);
    const refused = await call(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 10 }] });
    expect(refused.ok ? null : refused.error.code).toBe('OUT_OF_STOCK');
    expect((await shards(tc, p.id)).reduce((a, b) => a + b, 0)).toBe(9); // a refused order took nothing
    await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', id: p.id, requestId: rid(), title: '面', priceFen: 500, stock: 3 });
    expect(await shards(tc, p.id)).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(await stockOf(tc, p.id)).toBe(3);
  });
});
