/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import { activeMerchant, balanceOf, expectLedgerOk, fail, login, ok, orderDoc, product, rid, stockOf, worldForEachTest } from './testkit.testutil';

const DAY = 86_400_000;
const HOME = { name: '张三', phone: '13800138000', region: '上海市 上海市 浦东新区', detail: '世纪大道 100 号 8 楼' };

describe('fulfilment modes, addresses, pickup codes (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  async function shop(modes?: string[]) {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    if (modes) await ok(tc, 'merchant', 'o_bob', { action: 'setFulfilment', modes });
    const p = await product(tc, 'o_bob', '牛肉面', 2000, 10);
    await login(tc, 'o_alice');
    return { mid, pid: p.id as string };
  }

  test('a store chooses its modes; a product narrows them; the store page shows both', async () => {
    const { mid, pid } = await shop(['dinein', 'delivery', 'pickup']);
    const mine = await ok(tc, 'merchant', 'o_bob', { action: 'mine' });
    expect(mine.fulfilmentModes).toEqual(['delivery', 'pickup', 'dinein']); // canonical order
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'setFulfilment', modes: [] })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'setFulfilment', modes: ['pickup', 'pickup'] })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'setFulfilment', modes: ['drone'] })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'setFulfilment', modes: ['pickup'] })).code).toBe('NOT_MERCHANT');
    const saved = await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), id: pid, title: '牛肉面', priceFen: 2000, stock: 10, fulfilmentModes: ['dinein', 'pickup'] });
    expect(saved.fulfilmentModes).toEqual(['pickup', 'dinein']);
    const detail = await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: mid });
    expect(detail.fulfilmentModes).toEqual(['delivery', 'pickup', 'dinein']);
    expect(detail.products[0].fulfilmentModes).toEqual(['pickup', 'dinein']);
    // the product is not shipped
    const r = await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }], fulfilment: 'delivery', address: HOME });
    expect(r.code).toBe('FULFILMENT_UNAVAILABLE');
    expect(r.message).toContain('到店自提');
    expect(await stockOf(tc, pid)).toBe(10);
  });

  test('delivery: the address is required and kept on the order; ship needs carrier and tracking no.; the buyer sees them; auto-confirm counts from shipping', async () => {
    const { mid, pid } = await shop();
    const base = { action: 'create', merchantId: mid, items: [{ productId: pid, quantity: 2 }], fulfilment: 'delivery' };
    expect((await fail(tc, 'order', 'o_alice', { ...base, requestId: rid() })).code).toBe('ADDRESS_REQUIRED');
    const bad = await fail(tc, 'order', 'o_alice', { ...base, requestId: rid(), address: { ...HOME, phone: 'abc' } });
    expect(bad).toMatchObject({ code: 'ADDRESS_REQUIRED', message: '请填写正确的联系电话' });
    expect((await fail(tc, 'order', 'o_alice', { ...base, requestId: rid(), address: HOME, note: 'x'.repeat(101) })).code).toBe('INVALID_INPUT');
    const { order, pay } = await ok(tc, 'order', 'o_alice', { ...base, requestId: rid(), address: { ...HOME, name: ' 张三 ' }, note: '放门口' });
    expect(order).toMatchObject({ fulfilment: 'delivery', address: HOME, note: '放门口', carrier: null, trackingNo: null, pickupCode: null, amountFen: 4000 });
    await tc.pay(pay.outTradeNo);
    // the store sees where to send it
    const listed = await ok(tc, 'merchant', 'o_bob', { action: 'orders', status: 'paid' });
    expect(listed.items[0]).toMatchObject({ id: order.id, address: HOME, note: '放门口' });
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id, carrier: '顺丰速运' })).code).toBe('INVALID_INPUT');
    const verify = await fail(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: '123456', orderId: order.id });
    expect(verify.code).toBe('PICKUP_CODE_INVALID');
    const shipped = await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id, carrier: '顺丰速运', trackingNo: 'SF1234567890' });
    expect(shipped).toMatchObject({ status: 'shipped', carrier: '顺丰速运', trackingNo: 'SF1234567890' });
    expect(shipped.autoConfirmAt).toBe(shipped.shippedAt + 7 * DAY);
    const seen = await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id });
    expect(seen).toMatchObject({ status: 'shipped', carrier: '顺丰速运', trackingNo: 'SF1234567890', address: HOME });
    // not settled until the buyer confirms or the timer does, 7 days after shipping
    await tc.clock.advance(7 * DAY - 60_000);
    await tc.fireTimer('timeouts');
    expect((await orderDoc(tc, order.id)).status).toBe('shipped');
    await tc.clock.advance(120_000);
    await tc.fireTimer('timeouts');
    const done = await orderDoc(tc, order.id);
    expect(done.status).toBe('completed');
    expect(done.userSv).toBe('40.00');
    await expectLedgerOk(tc);
  });

  test('pickup: paid → the store types the code → completed and settled once; the store never sees the code', async () => {
    const { mid, pid } = await shop(['pickup']);
    // an older client without `fulfilment` gets the store's only mode
    const legacy = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] });
    expect(legacy.order.fulfilment).toBe('pickup');
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }], fulfilment: 'pickup', note: '少辣' });
    expect(order.pickupCode).toMatch(/^\d{6}$/);
    expect(order.address).toBeNull();
    // unpaid: the code completes nothing
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: order.pickupCode })).code).toBe('PICKUP_CODE_INVALID');
    await tc.pay(pay.outTradeNo);
    const storeView = await ok(tc, 'merchant', 'o_bob', { action: 'orders', status: 'paid' });
    expect(storeView.items.find((x: any) => x.id === order.id).pickupCode).toBeNull();
    expect((await ok(tc, 'order', 'o_bob', { action: 'get', orderId: order.id })).pickupCode).toBeNull();
    expect((await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id })).pickupCode).toBe(order.pickupCode);
    // pickup orders are not shipped
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id, carrier: 'x', trackingNo: 'y' })).code).toBe('INVALID_STATE');
    const wrong = order.pickupCode === '000000' ? '000001' : '000000';
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: wrong })).code).toBe('PICKUP_CODE_INVALID');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: 'abc' })).code).toBe('INVALID_INPUT');
    // another store cannot complete it, even with the right code and order id
    await activeMerchant(tc, 'o_carl', { depositPoints: '250' });
    expect((await fail(tc, 'merchant', 'o_carl', { action: 'verifyPickup', code: order.pickupCode, orderId: order.id })).code).toBe('PICKUP_CODE_INVALID');
    const done = await ok(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: order.pickupCode });
    expect(done).toMatchObject({ id: order.id, status: 'completed', userSv: '20.00', merchantSv: '4.00', pickupCode: null });
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: order.pickupCode, orderId: order.id })).code).toBe('INVALID_STATE');
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('20.00');
    await expectLedgerOk(tc);
  });

  test('pickup: two waiting orders with one code need the scanned order id', async () => {
    const { mid, pid } = await shop(['pickup']);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const spy = jest.spyOn(require('crypto'), 'randomInt');
    const ids: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        spy.mockImplementation(((a: number, b?: number) => (b === 1_000_000 ? 4242 : Math.floor(Math.random() * ((b ?? a) - (b === undefined ? 0 : a))) + (b === undefined ? 0 : a))) as any);
        const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }], fulfilment: 'pickup' });
        expect(order.pickupCode).toBe('004242');
        await tc.pay(pay.outTradeNo);
        ids.push(order.id);
      }
    } finally {
      spy.mockRestore();
    }
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: '004242' })).code).toBe('PICKUP_CODE_AMBIGUOUS');
    const done = await ok(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: '004242', orderId: ids[1] });
    expect(done.id).toBe(ids[1]);
    // now the code names one waiting order
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'verifyPickup', code: '004242' })).id).toBe(ids[0]);
  });

  test('dine-in: paid and completed at once, like an in-store payment; a refund is then refused', async () => {
    const { mid, pid } = await shop(['dinein', 'pickup']);
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 2 }], fulfilment: 'dinein' });
    expect(order).toMatchObject({ status: 'unpaid', fulfilment: 'dinein', pickupCode: null });
    await tc.pay(pay.outTradeNo);
    const o = await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id });
    expect(o).toMatchObject({ status: 'completed', userSv: '40.00', merchantSv: '8.00', merchantDeduction: '2.00' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('248.00');
    expect((await fail(tc, 'order', 'o_alice', { action: 'refund', orderId: order.id })).code).toBe('INVALID_STATE');
    expect(await stockOf(tc, pid)).toBe(8);
    // an in-store payment takes no mode
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100, fulfilment: 'dinein' })).code).toBe('INVALID_INPUT');
    await expectLedgerOk(tc);
  });

  test('the address book: save, same address once, default first, edit, delete, at most 20', async () => {
    await login(tc, 'o_alice');
    expect((await ok(tc, 'user', 'o_alice', { action: 'addresses' })).items).toEqual([]);
    const a = await ok(tc, 'user', 'o_alice', { action: 'saveAddress', ...HOME });
    expect(a.saved).toMatchObject({ ...HOME, isDefault: true });
    const again = await ok(tc, 'user', 'o_alice', { action: 'saveAddress', ...HOME });
    expect(again.items).toHaveLength(1);
    const office = { name: '张三', phone: '021-5555 1234', region: '上海市 上海市 黄浦区', detail: '南京东路 1 号' };
    const b = await ok(tc, 'user', 'o_alice', { action: 'saveAddress', ...office, isDefault: true });
    expect(b.items.map((x: any) => [x.detail, x.isDefault])).toEqual([[office.detail, true], [HOME.detail, false]]);
    const edited = await ok(tc, 'user', 'o_alice', { action: 'saveAddress', id: a.saved.id, ...HOME, detail: '世纪大道 200 号' });
    expect(edited.items.find((x: any) => x.id === a.saved.id).detail).toBe('世纪大道 200 号');
    expect((await fail(tc, 'user', 'o_alice', { action: 'saveAddress', ...HOME, region: '' })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'user', 'o_alice', { action: 'saveAddress', id: 'nope', ...HOME })).code).toBe('ADDRESS_NOT_FOUND');
    const left = await ok(tc, 'user', 'o_alice', { action: 'deleteAddress', id: b.saved.id });
    expect(left.items).toHaveLength(1);
    expect(left.items[0]).toMatchObject({ id: a.saved.id, isDefault: true }); // the book keeps a default
    for (let i = 0; i < 19; i++) await ok(tc, 'user', 'o_alice', { action: 'saveAddress', ...HOME, detail: `某路 ${i} 号` });
    expect((await fail(tc, 'user', 'o_alice', { action: 'saveAddress', ...HOME, detail: '第 21 个' })).code).toBe('ADDRESS_BOOK_FULL');
    // another user's book is their own
    await login(tc, 'o_bob');
    expect((await ok(tc, 'user', 'o_bob', { action: 'addresses' })).items).toEqual([]);
    expect((await fail(tc, 'user', 'o_bob', { action: 'deleteAddress', id: a.saved.id })).code).toBe('ADDRESS_NOT_FOUND');
  });
});
