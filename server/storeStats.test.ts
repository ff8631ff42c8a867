/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import { activeMerchant, fail, grantPoints, login, ok, product, rid, T0, worldForEachTest } from './testkit.testutil';

const DAY = 86_400_000;

describe('the merchant centre (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('today and this month: paid orders counted once, refunds against the day of the sale; orders to handle', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const p = await product(tc, 'o_bob', '牛肉面', 2000, 50);
    await login(tc, 'o_alice');
    const empty = await ok(tc, 'merchant', 'o_bob', { action: 'dashboard' });
    expect(empty.today).toEqual({ day: '2026-03-02', orders: 0, amountFen: 0, cashFen: 0, refunds: 0, refundFen: 0 });
    expect(empty.recent).toHaveLength(14);
    expect(empty.recent[13].day).toBe('2026-03-02');
    expect(empty.recent[0].day).toBe('2026-02-17');
    expect(empty.pointsBalance).toBe('250.00');

    const goods = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 2 }] });
    await tc.pay(goods.pay.outTradeNo);
    await tc.pay(goods.pay.outTradeNo).catch(() => undefined); // a repeated notification counts nothing more
    const instore = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 1000 });
    await tc.pay(instore.pay.outTradeNo);
    const refunded = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(refunded.pay.outTradeNo);
    await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 777 }); // never paid: not a sale
    let d = await ok(tc, 'merchant', 'o_bob', { action: 'dashboard' });
    expect(d.today).toEqual({ day: '2026-03-02', orders: 3, amountFen: 7000, cashFen: 7000, refunds: 0, refundFen: 0 });
    expect(d.toHandle).toBe(2);

    // the next day: a refund of yesterday's order counts against yesterday; a new sale today
    await tc.clock.advance(DAY);
    await ok(tc, 'order', 'o_alice', { action: 'refund', orderId: refunded.order.id });
    const next = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 500 });
    await tc.pay(next.pay.outTradeNo);
    d = await ok(tc, 'merchant', 'o_bob', { action: 'dashboard' });
    expect(d.today).toEqual({ day: '2026-03-03', orders: 1, amountFen: 500, cashFen: 500, refunds: 0, refundFen: 0 });
    expect(d.recent[12]).toEqual({ day: '2026-03-02', orders: 3, amountFen: 7000, cashFen: 7000, refunds: 1, refundFen: 2000 });
    expect(d.month).toEqual({ day: '2026-03', orders: 4, amountFen: 7500, cashFen: 7500, refunds: 1, refundFen: 2000, days: 2 });
    expect(d.toHandle).toBe(1);
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'dashboard' })).code).toBe('NOT_MERCHANT');
  });

  test("the day's first payments at once: each counted once, the day created once", async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const buyers = ['o_b1', 'o_b2', 'o_b3', 'o_b4', 'o_b5', 'o_b6'];
    for (const b of buyers) await login(tc, b);
    const created = await Promise.all(buyers.map((b, i) => ok(tc, 'order', b, { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 * (i + 1) })));
    await Promise.all(created.map((c: any) => tc.pay(c.pay.outTradeNo)));
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'dashboard' });
    expect(d.today).toEqual({ day: '2026-03-02', orders: 6, amountFen: 2100, cashFen: 2100, refunds: 0, refundFen: 0 });
  });

  test('an order paid with points alone counts once, however often its request is sent again', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    await grantPoints(tc, 'o_alice', '20');
    // ¥10 at the guide price of ¥2 a point: 5 points, no cash
    const ev = { action: 'create', requestId: rid(), merchantId: mid, amountFen: 1000, points: '5' };
    const first = await ok(tc, 'order', 'o_alice', ev);
    expect([first.order.status, first.pay]).toEqual(['completed', null]);
    expect((await ok(tc, 'order', 'o_alice', ev)).order.id).toBe(first.order.id);
    expect((await ok(tc, 'order', 'o_alice', ev)).order.id).toBe(first.order.id);
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'dashboard' });
    expect(d.today).toEqual({ day: '2026-03-02', orders: 1, amountFen: 1000, cashFen: 0, refunds: 0, refundFen: 0 });
  });

  test('the month starts on the 1st (Asia/Shanghai)', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    // 2026-03-31 23:30 in Shanghai, then 2026-04-01 00:30
    await tc.clock.set(Date.UTC(2026, 2, 31, 15, 30), true);
    const a = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 300 });
    await tc.pay(a.pay.outTradeNo);
    await tc.clock.set(Date.UTC(2026, 2, 31, 16, 30), true);
    const b = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 400 });
    await tc.pay(b.pay.outTradeNo);
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'dashboard' });
    expect(d.today.cashFen).toBe(400);
    expect(d.month).toMatchObject({ day: '2026-04', cashFen: 400, orders: 1 });
    expect(d.recent.slice(-2).map((x: any) => [x.day, x.cashFen])).toEqual([['2026-03-31', 300], ['2026-04-01', 400]]);
    expect(T0).toBeLessThan(Date.UTC(2026, 2, 31));
  });

  test('products: nine images, specifications, delete (kept for its orders, gone from every list)', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    const images = Array.from({ length: 9 }, (_, i) => `https://img.example.com/${i}.png`);
    const specs = [{ name: '份量', value: '大碗' }, { name: '辣度', value: '微辣' }];
    const p = await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: '牛肉面', priceFen: 2000, stock: 5, images, specs });
    expect(p.images).toEqual(images);
    expect(p.specs).toEqual(specs);
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: 'x', priceFen: 1, stock: 1, images: [...images, images[0]] })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: 'x', priceFen: 1, stock: 1, specs: [{ name: '', value: 'a' }] })).code).toBe('INVALID_INPUT');
    const seen = await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: mid });
    expect(seen.products[0].specs).toEqual(specs);
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(pay.outTradeNo);

    expect(await ok(tc, 'merchant', 'o_bob', { action: 'deleteProduct', productId: p.id })).toEqual({ ok: true });
    expect(await ok(tc, 'merchant', 'o_bob', { action: 'deleteProduct', productId: p.id })).toEqual({ ok: true });
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'products' })).items).toEqual([]);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: mid })).products).toEqual([]);
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] })).code).toBe('PRODUCT_OFF_SHELF');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'setOnShelf', productId: p.id, onShelf: true })).code).toBe('PRODUCT_NOT_FOUND');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), id: p.id, title: '复活', priceFen: 1, stock: 1 })).code).toBe('PRODUCT_NOT_FOUND');
    // its order goes on: shipped and received
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id });
    expect((await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id })).status).toBe('completed');
    await activeMerchant(tc, 'o_carl', { depositPoints: '250' });
    expect((await fail(tc, 'merchant', 'o_carl', { action: 'deleteProduct', productId: p.id })).code).toBe('PRODUCT_NOT_FOUND');
  });
});
