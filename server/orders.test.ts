import type { TestCloud } from '../localcloud/testing';
import { conflictError } from './db';
import {
  ADMIN, activeMerchant, balanceOf, fail, treasuryOf, grantPoints, login, ok, orderDoc, product, refused, rid, stockOf, worldForEachTest,
} from './testkit.testutil';

const MIN = 60_000;
const DAY = 86_400_000;

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('orders through the gateway', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  async function shop(owner = 'o_bob', deposit = '250') {
    const mid = await activeMerchant(tc, owner, { depositPoints: deposit });
    const p = await product(tc, owner, '牛肉面', 2000, 10);
    await login(tc, 'o_alice');
    return { mid, pid: p.id as string };
  }

  /** Alice's order at the store, paid at WeChat Pay, its notification lost (the function answered nothing useful). */
  async function paidWithoutNotification(mid: string, amountFen = 100000): Promise<string> {
    const sim = tc.cloud.pay as any;
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen });
    const realNotify = sim.notify;
    sim.notify = async () => ({ errcode: 500, errmsg: 'lost' });
    try {
      await tc.pay(pay.outTradeNo);
    } finally {
      sim.notify = realNotify;
    }
    return order.id as string;
  }

  test('the seed example: ¥1000 in store at default params → 1000 SV, 200 SV, 50 points to the treasury', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    await tc.clock.advance(1000);
    const treasuryBefore = await treasuryOf(tc);
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 });
    expect(order.status).toBe('unpaid');
    expect(order.kind).toBe('instore');
    expect(order.cashFen).toBe(100000);
    expect(pay.totalFee).toBe(100000);
    const r = await tc.pay(pay.outTradeNo);
    expect(r.results).toEqual([{ errcode: 0, errmsg: 'OK' }]);
    const done = await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id });
    expect(done.status).toBe('completed');
    expect(done.merchantDeduction).toBe('50.00');
    expect(done.userSv).toBe('1000.00');
    expect(done.merchantSv).toBe('200.00');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
    expect(Number(await treasuryOf(tc)) - Number(treasuryBefore)).toBe(50);
    // the deduction waits in the order's treasury inbox (no payment writes the treasury itself) …
    expect(await balanceOf(tc, `treasury:in:order:${order.id}`)).toBe('50.00');
    const t0 = await balanceOf(tc, 'treasury');
    // … until the every-minute timer sweeps settled income into the treasury
    await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    expect(await balanceOf(tc, `treasury:in:order:${order.id}`)).toBe('0.00');
    expect(Number(await balanceOf(tc, 'treasury')) - Number(t0)).toBe(50);
    const assets = await ok(tc, 'user', 'o_alice', { action: 'assets' });
    expect(assets.sharedValue).toBe('1000.00');
    const mine = await ok(tc, 'merchant', 'o_bob', { action: 'mine' });
    expect(mine.sharedValue).toBe('200.00');
    expect(mine.pointsBalance).toBe('200.00');
    expect(mine.salesFen).toBe(100000);
    const hist = await ok(tc, 'user', 'o_bob', { action: 'ledger' });
    expect(hist.items[0]).toMatchObject({ kind: 'order_deduction', amount: '-50.00', account: 'merchant' });
  });

  test('two orders drawing the same id in the same second: the second gets another id, the first stays as it was', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    tc.clock.freeze();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const spy = jest.spyOn(require('crypto'), 'randomInt').mockReturnValue(12345678);
    try {
      const a = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 1000 });
      spy.mockReturnValueOnce(12345678).mockReturnValueOnce(12345678).mockReturnValue(87654321);
      const b = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 2000 });
      expect(a.order.id).toMatch(/12345678$/);
      expect(b.order.id).toMatch(/87654321$/);
      expect(b.order.id.slice(0, -8)).toBe(a.order.id.slice(0, -8));
      expect((await orderDoc(tc, a.order.id)).amountFen).toBe(1000);
      expect((await orderDoc(tc, b.order.id)).amountFen).toBe(2000);
      expect(b.pay.outTradeNo).toBe(b.order.id);
    } finally {
      spy.mockRestore();
    }
  });

  test('goods: stock reserved at creation, pay, ship, confirm → settled once', async () => {
    const { mid, pid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 3 }] });
    expect(order).toMatchObject({ kind: 'goods', amountFen: 6000, cashFen: 6000, status: 'unpaid', lines: [{ productId: pid, title: '牛肉面', priceFen: 2000, quantity: 3 }] });
    expect(await stockOf(tc, pid)).toBe(7);
    await tc.pay(pay.outTradeNo);
    let o = await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id });
    expect(o.status).toBe('paid');
    expect(o.merchantDeduction).toBe('3.00');
    // the view never reports shared value that was not credited: what settlement will credit is "expected"
    expect(o).toMatchObject({ userSv: '0.00', merchantSv: '0.00', expectedUserSv: '60.00', expectedMerchantSv: '12.00' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('247.00');
    // not settled yet: no shared value
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('0.00');
    expect((await fail(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id })).code).toBe('INVALID_STATE');
    const listed = await ok(tc, 'merchant', 'o_bob', { action: 'orders', status: 'paid' });
    expect(listed.items.map((x: any) => x.id)).toEqual([order.id]);
    // the merchant knows its buyer by user number; an openid is never shown to anyone else
    const aliceNo = (await ok(tc, 'user', 'o_alice', { action: 'login' })).userNo;
    expect(listed.items[0].buyerUserNo).toBe(aliceNo);
    expect(JSON.stringify(listed)).not.toContain('o_alice');
    o = await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id, trackingNo: 'SF100' });
    expect(o.status).toBe('shipped');
    expect(o.autoConfirmAt).toBe(o.shippedAt + 7 * DAY);
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id })).code).toBe('INVALID_STATE');
    o = await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id });
    expect(o.status).toBe('completed');
    expect(o.expectedUserSv).toBeNull();
    expect(o.userSv).toBe('60.00');
    expect(o.merchantSv).toBe('12.00');
    expect((await fail(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id })).code).toBe('INVALID_STATE');
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('60.00');
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).sharedValue).toBe('12.00');
    const page = await ok(tc, 'order', 'o_alice', { action: 'list' });
    expect(page.items.map((x: any) => x.status)).toEqual(['completed']);
  });

  test('paying part with points: held in the order, to the merchant at settlement; cash earns, points do not', async () => {
    const { mid, pid } = await shop();
    await grantPoints(tc, 'o_alice', '100');
    await tc.clock.advance(1000);
    const q = await ok(tc, 'order', 'o_alice', { action: 'quote', merchantId: mid, items: [{ productId: pid, quantity: 5 }], points: '20' });
    expect(q).toEqual({ amountFen: 10000, maxPoints: '50.00', pointsFen: 4000, cashFen: 6000, guidePriceFen: 200 });
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 5 }], points: '20' });
    expect(order).toMatchObject({ pointsUsed: '20.00', pointsFen: 4000, cashFen: 6000 });
    expect(pay.totalFee).toBe(6000);
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('80.00');
    expect(await balanceOf(tc, `hold:order:${order.id}`)).toBe('20.00');
    await tc.pay(pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('247.00'); // 250 − ceil2(60 × 10% ÷ 2)
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id });
    const done = await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id });
    expect(done.userSv).toBe('60.00');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('267.00');
    expect(await balanceOf(tc, `hold:order:${order.id}`)).toBe('0.00');
    const hist = await ok(tc, 'user', 'o_alice', { action: 'ledger' });
    expect(hist.items.map((i: any) => [i.kind, i.amount])).toEqual([['order_points_hold', '-20.00'], ['test_grant', '+100.00']]);
  });

  test('an order paid entirely with points is paid at once; in store it settles at once, with no shared value', async () => {
    const { mid } = await shop();
    await grantPoints(tc, 'o_alice', '30');
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 5000, points: '25' });
    expect(pay).toBeNull();
    expect(order).toMatchObject({ status: 'completed', cashFen: 0, pointsFen: 5000, merchantDeduction: '0.00', userSv: '0.00', merchantSv: '0.00' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('275.00');
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('5.00');
  });

  test('points: more than the order needs, more than held, sub-cent, negative, not a number are refused and change nothing', async () => {
    const { mid, pid } = await shop();
    await grantPoints(tc, 'o_alice', '10');
    const base = { action: 'create', merchantId: mid, items: [{ productId: pid, quantity: 1 }] };
    expect((await fail(tc, 'order', 'o_alice', { ...base, requestId: rid(), points: '10.01' })).code).toBe('POINTS_EXCEED_AMOUNT');
    await grantPoints(tc, 'o_alice', '0.5');
    expect((await fail(tc, 'order', 'o_alice', { ...base, requestId: rid(), points: '10.50' })).code).toBe('POINTS_EXCEED_AMOUNT');
    const big = await fail(tc, 'order', 'o_alice', { action: 'create', merchantId: mid, amountFen: 100000, requestId: rid(), points: '11' });
    expect(big.code).toBe('INSUFFICIENT_POINTS');
    // the preview refuses the same way (it showed "-¥22.00" for points the buyer did not have)
    expect(await fail(tc, 'order', 'o_alice', { action: 'quote', merchantId: mid, amountFen: 100000, points: '11' })).toEqual({ code: 'INSUFFICIENT_POINTS', message: '积分余额不足：可用 10.50 积分' });
    expect((await fail(tc, 'order', 'o_alice', { action: 'quote', merchantId: mid, amountFen: 100_000_001 })).message).toBe('支付金额不能超过 ¥1,000,000.00');
    for (const points of ['1.001', '-1', 'abc', '1e2', { n: 1 }, true]) {
      const e = await fail(tc, 'order', 'o_alice', { ...base, requestId: rid(), points });
      expect(e.code).toBe('INVALID_POINTS');
      expect(e.message).toMatch(/积分/);
    }
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('10.50');
    expect(await stockOf(tc, pid)).toBe(10);
    expect((await ok(tc, 'order', 'o_alice', { action: 'list' })).items).toEqual([]);
  });

  test('bad order input gets a clear code and changes nothing', async () => {
    const { mid, pid } = await shop();
    const cases: [Record<string, unknown>, string][] = [
      [{ merchantId: mid, amountFen: -100 }, 'INVALID_AMOUNT'],
      [{ merchantId: mid, amountFen: 0 }, 'INVALID_AMOUNT'],
      [{ merchantId: mid, amountFen: 10.5 }, 'INVALID_AMOUNT'],
      [{ merchantId: mid, amountFen: '100' }, 'INVALID_AMOUNT'],
      [{ merchantId: mid, amountFen: 1e12 }, 'INVALID_AMOUNT'],
      [{ merchantId: mid }, 'INVALID_INPUT'],
      [{ merchantId: mid, amountFen: 100, items: [{ productId: pid, quantity: 1 }] }, 'INVALID_INPUT'],
      [{ merchantId: mid, items: [] }, 'INVALID_INPUT'],
      [{ merchantId: mid, items: [{ productId: pid, quantity: 0 }] }, 'INVALID_INPUT'],
      [{ merchantId: mid, items: [{ productId: pid, quantity: 1.5 }] }, 'INVALID_INPUT'],
      [{ merchantId: mid, items: [{ productId: pid, quantity: 1 }, { productId: pid, quantity: 1 }] }, 'INVALID_INPUT'],
      [{ merchantId: mid, items: 'all' }, 'INVALID_INPUT'],
      [{ merchantId: mid, items: [{ productId: 'nope', quantity: 1 }] }, 'PRODUCT_NOT_FOUND'],
      [{ merchantId: mid, items: [{ productId: pid, quantity: 11 }] }, 'OUT_OF_STOCK'],
      [{ merchantId: 'm000000', amountFen: 100 }, 'MERCHANT_NOT_FOUND'],
      [{ merchantId: 42, amountFen: 100 }, 'INVALID_INPUT'],
      [{ merchantId: '../x', amountFen: 100 }, 'INVALID_INPUT'],
    ];
    for (const [payload, code] of cases) {
      const e = await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), ...payload });
      expect([JSON.stringify(payload), e.code]).toEqual([JSON.stringify(payload), code]);
      expect(e.message.length).toBeGreaterThan(2);
    }
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', merchantId: mid, amountFen: 100 })).code).toBe('INVALID_REQUEST_ID');
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', merchantId: mid, amountFen: 100, requestId: 'short' })).code).toBe('INVALID_REQUEST_ID');
    expect((await fail(tc, 'order', 'o_alice', { action: 'nope' })).code).toBe('UNKNOWN_ACTION');
    await ok(tc, 'merchant', 'o_bob', { action: 'setOnShelf', productId: pid, onShelf: false });
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] })).code).toBe('PRODUCT_OFF_SHELF');
    expect(await stockOf(tc, pid)).toBe(10);
    expect((await ok(tc, 'order', 'o_alice', { action: 'list' })).items).toEqual([]);
    // a product of another merchant
    const other = await activeMerchant(tc, 'o_carl');
    const p2 = await product(tc, 'o_carl', '苹果', 500, 5);
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p2.id, quantity: 1 }] })).code).toBe('PRODUCT_NOT_FOUND');
    expect(other).toBeTruthy();
    // the owner cannot buy from their own store
    expect((await fail(tc, 'order', 'o_bob', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 })).code).toBe('SELF_ORDER');
    // ... and the checkout says so before the owner tries: the quote is refused the same way (proof/FINDINGS.md 5)
    expect(await fail(tc, 'order', 'o_bob', { action: 'quote', merchantId: mid, amountFen: 100 })).toEqual({ code: 'SELF_ORDER', message: '不能在自己的店铺下单' });
    expect(await fail(tc, 'order', 'o_bob', { action: 'quote', merchantId: mid, items: [{ productId: pid, quantity: 1 }] })).toMatchObject({ code: 'SELF_ORDER' });
    // another merchant's owner still gets a quote for this store
    expect((await ok(tc, 'order', 'o_carl', { action: 'quote', merchantId: mid, amountFen: 100 })).cashFen).toBe(100);
    // not logged in
    expect((await fail(tc, 'order', 'o_stranger', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 })).code).toBe('NOT_REGISTERED');
    const anon = await tc.callRaw('order', null, { action: 'list' });
    expect(anon.body.ok).toBe(false);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
  });

  test('a replayed create returns the first order and reserves once; the same id with another payload is refused', async () => {
    const { mid, pid } = await shop();
    const req = { action: 'create', requestId: rid('same'), merchantId: mid, items: [{ productId: pid, quantity: 2 }] };
    const [a, b] = await Promise.all([ok(tc, 'order', 'o_alice', req), ok(tc, 'order', 'o_alice', req)]);
    const c = await ok(tc, 'order', 'o_alice', req);
    expect(b.order.id).toBe(a.order.id);
    expect(c.order.id).toBe(a.order.id);
    expect(c.pay.outTradeNo).toBe(a.order.id);
    expect(await stockOf(tc, pid)).toBe(8);
    expect((await fail(tc, 'order', 'o_alice', { ...req, items: [{ productId: pid, quantity: 3 }] })).code).toBe('REQUEST_ID_REUSED');
    expect((await ok(tc, 'order', 'o_alice', { action: 'list' })).items).toHaveLength(1);
  });

  test("someone else's order, unknown ids, and actions the state does not allow", async () => {
    const { mid, pid } = await shop();
    await login(tc, 'o_eve');
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] });
    for (const action of ['get', 'confirm', 'cancel', 'refund', 'pay']) {
      expect([action, (await fail(tc, 'order', 'o_eve', { action, orderId: order.id })).code]).toEqual([action, 'FORBIDDEN']);
      expect([action, (await fail(tc, 'order', 'o_alice', { action, orderId: 'O000' })).code]).toEqual([action, 'ORDER_NOT_FOUND']);
      expect([action, (await fail(tc, 'order', 'o_alice', { action, orderId: { $ne: null } })).code]).toEqual([action, 'INVALID_INPUT']);
    }
    // another merchant cannot ship it
    await activeMerchant(tc, 'o_carl');
    expect((await fail(tc, 'merchant', 'o_carl', { action: 'ship', orderId: order.id })).code).toBe('FORBIDDEN');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'ship', orderId: order.id })).code).toBe('NOT_MERCHANT');
    // unpaid: cannot ship, confirm or refund
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id })).code).toBe('INVALID_STATE');
    expect((await fail(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id })).code).toBe('INVALID_STATE');
    expect((await fail(tc, 'order', 'o_alice', { action: 'refund', orderId: order.id })).code).toBe('INVALID_STATE');
    // the merchant sees it, the buyer can re-request payment
    expect((await ok(tc, 'order', 'o_bob', { action: 'get', orderId: order.id })).id).toBe(order.id);
    const again = await ok(tc, 'order', 'o_alice', { action: 'pay', orderId: order.id });
    expect(again.pay.outTradeNo).toBe(pay.outTradeNo);
    await tc.pay(pay.outTradeNo);
    expect((await fail(tc, 'order', 'o_alice', { action: 'cancel', orderId: order.id })).code).toBe('INVALID_STATE');
    expect((await fail(tc, 'order', 'o_alice', { action: 'pay', orderId: order.id })).code).toBe('INVALID_STATE');
    const instore = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 500 });
    await tc.pay(instore.pay.outTradeNo);
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'ship', orderId: instore.order.id })).code).toBe('INVALID_STATE');
    expect((await fail(tc, 'order', 'o_alice', { action: 'refund', orderId: instore.order.id })).code).toBe('INVALID_STATE');
  });

  test('the buyer cancels an unpaid order: stock and points come back; its payment can no longer be made', async () => {
    const { mid, pid } = await shop();
    await grantPoints(tc, 'o_alice', '5');
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 4 }], points: '5' });
    expect(await stockOf(tc, pid)).toBe(6);
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('0.00');
    const c = await ok(tc, 'order', 'o_alice', { action: 'cancel', orderId: order.id });
    expect(c.status).toBe('cancelled');
    expect(await stockOf(tc, pid)).toBe(10);
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('5.00');
    expect(tc.payOrder(pay.outTradeNo)?.state).toBe('CLOSED');
    await expect(tc.pay(pay.outTradeNo)).rejects.toThrow();
    expect((await fail(tc, 'order', 'o_alice', { action: 'cancel', orderId: order.id })).code).toBe('INVALID_STATE');
  });

  test('unpaid orders are cancelled 30 minutes after creation by the timer, not before', async () => {
    const { mid, pid } = await shop();
    await grantPoints(tc, 'o_alice', '3');
    const { order } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 2 }], points: '3' });
    await tc.clock.advance(29 * MIN);
    await tc.fireTimer('timeouts');
    expect((await orderDoc(tc, order.id)).status).toBe('unpaid');
    await tc.clock.advance(2 * MIN);
    await tc.fireTimer('timeouts');
    const o = await orderDoc(tc, order.id);
    expect(o.status).toBe('cancelled');
    expect(o.cancelReason).toMatch(/超时/);
    expect(await stockOf(tc, pid)).toBe(10);
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('3.00');
    expect((await fail(tc, 'order', 'o_alice', { action: 'pay', orderId: order.id })).code).toBe('INVALID_STATE');
    await tc.fireTimer('timeouts'); // again: nothing more happens
    expect(await stockOf(tc, pid)).toBe(10);
  });

  test('an order paid just before its timeout is processed as paid, not cancelled, even if the notification is late', async () => {
    const { mid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 1000 });
    // the user pays, but the notification is lost (the callback fails once)
    tc.setFaults({ failRate: 1 });
    await tc.pay(pay.outTradeNo).catch(() => undefined);
    tc.setFaults({ failRate: 0 });
    expect(tc.payOrder(pay.outTradeNo)?.state).toBe('SUCCESS');
    expect((await orderDoc(tc, order.id)).status).toBe('unpaid');
    await tc.clock.advance(31 * MIN);
    await tc.fireTimer('timeouts');
    const o = await orderDoc(tc, order.id);
    expect(o.status).toBe('completed');
    expect(o.transactionId).toBeTruthy();
  });

  test('shipped orders are confirmed automatically 7 days after shipping', async () => {
    const { mid, pid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] });
    await tc.pay(pay.outTradeNo);
    await tc.clock.advance(2 * DAY);
    await tc.fireTimer('timeouts');
    expect((await orderDoc(tc, order.id)).status).toBe('paid'); // paid but never shipped: no auto-confirm
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id });
    await tc.clock.advance(7 * DAY - MIN);
    await tc.fireTimer('timeouts');
    expect((await orderDoc(tc, order.id)).status).toBe('shipped');
    await tc.clock.advance(2 * MIN);
    await tc.fireTimer('timeouts');
    const o = await orderDoc(tc, order.id);
    expect(o.status).toBe('completed');
    expect(o.userSv).toBe('20.00');
    await tc.fireTimer('timeouts');
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('20.00');
  });

  test('refunds before settlement: the deduction back to the merchant, points to the buyer, stock to the shelf, cash by cloudPay.refund', async () => {
    const { mid, pid } = await shop();
    await grantPoints(tc, 'o_alice', '10');
    const a = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 2 }], points: '10' });
    await tc.pay(a.pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('249.00'); // 250 − ceil2(20 × 10% ÷ 2)
    const r = await ok(tc, 'order', 'o_alice', { action: 'refund', orderId: a.order.id, reason: '不想要了' });
    expect(r.status).toBe('refunded');
    // a refunded order never credited shared value and never will (it said 获得共享值 199.00)
    expect(r).toMatchObject({ userSv: '0.00', merchantSv: '0.00', expectedUserSv: null, expectedMerchantSv: null });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('250.00');
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('10.00');
    expect(await stockOf(tc, pid)).toBe(10);
    const payState = tc.payOrder(a.pay.outTradeNo)!;
    expect(payState.state).toBe('REFUND');
    expect(payState.refunds.map((x) => x.refundFee)).toEqual([2000]);
    expect((await orderDoc(tc, a.order.id)).refund.status).toBe('done');
    expect((await fail(tc, 'order', 'o_alice', { action: 'refund', orderId: a.order.id })).code).toBe('INVALID_STATE');

    // shipped: only the merchant may refund
    const b = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] });
    await tc.pay(b.pay.outTradeNo);
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: b.order.id });
    expect((await fail(tc, 'order', 'o_alice', { action: 'refund', orderId: b.order.id })).code).toBe('INVALID_STATE');
    expect((await ok(tc, 'order', 'o_bob', { action: 'refund', orderId: b.order.id, reason: '缺货' })).status).toBe('refunded');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('250.00');

    // settled: no refund
    const c = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] });
    await tc.pay(c.pay.outTradeNo);
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: c.order.id });
    await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: c.order.id });
    expect((await fail(tc, 'order', 'o_bob', { action: 'refund', orderId: c.order.id })).code).toBe('INVALID_STATE');
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('20.00');
  });

  test('a refund WeChat Pay refuses at first is retried by the timer', async () => {
    const { mid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 3000 });
    await tc.pay(pay.outTradeNo);
    // in store: settled at payment, so make a goods order instead
    expect((await fail(tc, 'order', 'o_alice', { action: 'refund', orderId: order.id })).code).toBe('INVALID_STATE');
    const p = await product(tc, 'o_bob', '汤', 1000, 3);
    const g = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(g.pay.outTradeNo);
    const sim = tc.cloud.pay as any;
    const original = sim.refund.bind(sim);
    sim.refund = async () => ({ returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: 'SYSTEMERROR' });
    const r = await ok(tc, 'order', 'o_alice', { action: 'refund', orderId: g.order.id });
    expect(r.status).toBe('refunded');
    expect((await orderDoc(tc, g.order.id)).refund.status).toBe('pending');
    sim.refund = original;
    await tc.fireTimer('timeouts');
    expect((await orderDoc(tc, g.order.id)).refund.status).toBe('done');
    expect(tc.payOrder(g.pay.outTradeNo)!.state).toBe('REFUND');
  });

  test('duplicate payment notifications have one effect', async () => {
    const { mid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 });
    const r = await tc.pay(pay.outTradeNo, { times: 3 });
    expect(r.results).toEqual([{ errcode: 0, errmsg: 'OK' }, { errcode: 0, errmsg: 'OK' }, { errcode: 0, errmsg: 'OK' }]);
    const ev = tc.payNotificationEvent(pay.outTradeNo);
    const replays = await Promise.all([1, 2, 3, 4].map(() => tc.invoke('payment', ev, { SOURCE: 'wx_paycallback' })));
    expect(replays).toEqual([1, 2, 3, 4].map(() => ({ errcode: 0, errmsg: 'OK' })));
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('1000.00');
    expect((await orderDoc(tc, order.id)).status).toBe('completed');
  });

  test('forged payment notifications change nothing', async () => {
    const { mid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 });
    const forged = {
      returnCode: 'SUCCESS', resultCode: 'SUCCESS', outTradeNo: pay.outTradeNo, totalFee: 100000, cashFee: 100000,
      subMchId: '1230000001', transactionId: '4200000000000000001', timeEnd: '20260302100000',
    };
    // 1. from a client (through the gateway, and in-process with SOURCE wx_client)
    const viaHttp = await tc.call('payment', 'o_alice', forged);
    expect(viaHttp.errcode).not.toBe(0);
    expect(await tc.invoke('payment', forged, 'o_alice')).toMatchObject({ errcode: 403 });
    // 2. claiming to be WeChat Pay for an order nobody paid (queryOrder says NOTPAY)
    expect(await tc.invoke('payment', forged, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    // 3. a wrong amount, an unknown trade
    expect(await tc.invoke('payment', { ...forged, totalFee: 1 }, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(await tc.invoke('payment', { ...forged, outTradeNo: 'O999' }, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(await tc.invoke('payment', { ...forged, returnCode: 'FAIL' }, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(await tc.invoke('payment', 'garbage', { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect((await orderDoc(tc, order.id)).status).toBe('unpaid');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('250.00');
    // the real payment still works afterwards
    await tc.pay(pay.outTradeNo);
    expect((await orderDoc(tc, order.id)).status).toBe('completed');
    // a genuine notification with a different amount than the order is refused even after payment
    expect(await tc.invoke('payment', { ...tc.payNotificationEvent(pay.outTradeNo), totalFee: 99 }, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
  });

  test('a replayed create of an order the user paid whose notification was lost: confirmed with WeChat Pay, answers the paid order', async () => {
    const { mid } = await shop();
    const sim = tc.cloud.pay as any;
    const create = { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 };
    const first = await ok(tc, 'order', 'o_alice', create);
    // the user pays; the function that would apply the notification dies first (SIGKILL): WeChat Pay has the money
    const realNotify = sim.notify;
    sim.notify = async () => ({ errcode: 500, errmsg: 'lost' });
    await tc.pay(first.pay.outTradeNo);
    sim.notify = realNotify;
    expect((await orderDoc(tc, first.order.id)).status).toBe('unpaid');
    // the client replays its create (unifiedOrder now answers ORDERPAID): the first order, paid, without a request
    const again = await ok(tc, 'order', 'o_alice', create);
    expect(again.order.id).toBe(first.order.id);
    expect(again.order.status).toBe('completed');
    expect(again.pay).toBeNull();
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00'); // 250 − 50 deduction, applied once
    // a second replay changes nothing
    const third = await ok(tc, 'order', 'o_alice', create);
    expect(third.order).toMatchObject({ id: first.order.id, status: 'completed' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
  });

  test('an unpaid order whose payment WeChat Pay took without a notification: the timeouts job finds it with queryOrder', async () => {
    const { mid } = await shop();
    const orderId = await paidWithoutNotification(mid);
    await tc.clock.advance(31 * MIN);
    await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    expect((await orderDoc(tc, orderId)).status).toBe('completed');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
  });

  test('a backlog of payments whose notifications were lost: one pass of the timeouts job settles them, several at once', async () => {
    const { mid } = await shop();
    const { mid: mid2 } = await shop('o_carol');
    const sim = tc.cloud.pay as any;
    const realQuery = sim.queryOrder.bind(sim);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await paidWithoutNotification(i % 2 ? mid : mid2, 1000 + i));
    // WeChat Pay answers each query after a moment: how many the job has in flight shows
    let inFlight = 0;
    let most = 0;
    sim.queryOrder = async (p: unknown) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return realQuery(p);
    };
    try {
      await tc.clock.advance(31 * MIN);
      await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    } finally {
      sim.queryOrder = realQuery;
    }
    for (const id of ids) expect((await orderDoc(tc, id)).status).toBe('completed');
    expect(most).toBe(8);
  });

  test('a payment WeChat Pay confirms but that cannot be applied now is never cancelled: the next run applies it', async () => {
    const { mid } = await shop();
    const orderId = await paidWithoutNotification(mid);
    // the store's holder stays locked by others for the whole run: the payment's transaction cannot commit
    const engine = tc.cloud.engine as any;
    const realLock = engine.lockFor.bind(engine);
    engine.lockFor = (tx: unknown, coll: string, id: string, k?: string) => {
      if (coll === 'holders' && id === `merchant:${mid}`) throw conflictError(`${coll}/${id} is locked by another transaction`);
      return realLock(tx, coll, id, k);
    };
    let run: any;
    try {
      // the buyer's cancel meanwhile: refused, nothing changed
      await refused(tc, 'order', 'o_alice', { action: 'cancel', orderId }, 'BUSY');
      await tc.clock.advance(31 * MIN);
      run = await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    } finally {
      engine.lockFor = realLock;
    }
    expect(run.orders).toMatchObject({ paidLate: 0, paidPending: 1, cancelled: 0 });
    expect((await orderDoc(tc, orderId)).status).toBe('unpaid');
    await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    expect((await orderDoc(tc, orderId)).status).toBe('completed');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
  });

  test('100 payments that cannot be applied yet do not hide the orders after them from the timeouts job', async () => {
    const { mid } = await shop();
    const stuck: string[] = [];
    for (let i = 0; i < 101; i++) stuck.push(await paidWithoutNotification(mid, 100 + i));
    const { order: unpaid } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 500 });
    // the store's holder cannot be written meanwhile: every payment WeChat Pay confirms fails to apply
    const engine = tc.cloud.engine as any;
    const realLock = engine.lockFor.bind(engine);
    engine.lockFor = (tx: unknown, coll: string, id: string, k?: string) => {
      if (coll === 'holders' && id === `merchant:${mid}`) throw new Error('holders: unavailable');
      return realLock(tx, coll, id, k);
    };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    let run: any;
    try {
      await tc.clock.advance(31 * MIN);
      run = await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    } finally {
      engine.lockFor = realLock;
      warn.mockRestore();
    }
    // the 101 earliest are left for the next run, the one after them is cancelled in this one
    expect(run.orders).toMatchObject({ paidLate: 0, paidPending: 101, cancelled: 1 });
    expect((await orderDoc(tc, unpaid.id)).status).toBe('cancelled');
    expect((await orderDoc(tc, stuck[100])).status).toBe('unpaid');
    const next = await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    expect(next.orders).toMatchObject({ paidLate: 101, paidPending: 0, cancelled: 0 });
    for (const id of stuck) expect((await orderDoc(tc, id)).status).toBe('completed');
  }, 60_000);

  test('the payment notification fails closed: no confirmation, no sub-merchant or another one → not applied', async () => {
    const { mid } = await shop();
    const sim = tc.cloud.pay as any;
    const realQuery = sim.queryOrder.bind(sim);
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 });
    // WeChat Pay's query is down while the genuine notification arrives: not applied, WeChat asked to retry
    sim.queryOrder = async () => ({ returnCode: 'FAIL', returnMsg: 'SYSTEMERROR' });
    const r = await tc.pay(pay.outTradeNo);
    expect(r.results).toEqual([{ errcode: 500, errmsg: 'RETRY' }]);
    sim.queryOrder = async () => { throw new Error('network down'); };
    expect(await tc.notify(pay.outTradeNo)).toEqual({ errcode: 500, errmsg: 'RETRY' });
    expect((await orderDoc(tc, order.id)).status).toBe('unpaid');
    // the query answers for another sub-merchant (or another trade): ignored
    sim.queryOrder = async (q: any) => ({ ...(await realQuery(q)), subMchId: '1299999999' });
    expect(await tc.notify(pay.outTradeNo)).toEqual({ errcode: 0, errmsg: 'OK' });
    sim.queryOrder = async (q: any) => ({ ...(await realQuery(q)), outTradeNo: 'O000' });
    expect(await tc.notify(pay.outTradeNo)).toEqual({ errcode: 0, errmsg: 'OK' });
    sim.queryOrder = realQuery;
    // a notification without its sub-merchant is not believed, though the trade is really paid
    const { subMchId: _omit, ...noSub } = tc.payNotificationEvent(pay.outTradeNo);
    expect(await tc.invoke('payment', noSub, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
    expect((await orderDoc(tc, order.id)).status).toBe('unpaid');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('250.00');
    // left for the timeouts job: past its time, the timer finds it paid at WeChat Pay and applies it once
    await tc.clock.advance(31 * MIN);
    await tc.fireTimer('timeouts');
    expect((await orderDoc(tc, order.id)).status).toBe('completed');
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('200.00');
  });

  test('an inactive merchant or one below zero takes no orders; a top-up opens it again', async () => {
    await login(tc, 'o_alice');
    const pending = await activeMerchant(tc, 'o_carl', { depositPoints: '0' });
    expect((await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: pending, amountFen: 100 })).code).toBe('MERCHANT_INACTIVE');
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    // ¥6000 in store: deduction 300 points → −50
    const big = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 600000 });
    await tc.pay(big.pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('-50.00');
    const e = await fail(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 });
    expect(e.code).toBe('MERCHANT_NEGATIVE');
    const listed = await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: mid });
    expect(listed.acceptingOrders).toBe(false);
    const mine = await ok(tc, 'merchant', 'o_bob', { action: 'mine' });
    expect(mine.depositPointsNeeded).toBe('300.00');
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', points: '50', requestId: rid() });
    await tc.pay(d.pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('0.00');
    await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 });
  });

  test("WeChat Pay is asked once the order is complete, before its commit; an attempt that runs again asks about the same trade; a refused order asks nothing", async () => {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    await login(tc, 'o_alice');
    const asked: Array<{ outTradeNo: string; subMchId: string; committed: boolean }> = [];
    const unifiedOrder = tc.cloud.pay.unifiedOrder.bind(tc.cloud.pay);
    const spy = jest.spyOn(tc.cloud.pay, 'unifiedOrder').mockImplementation(async (params: Record<string, unknown>) => {
      const outTradeNo = String(params.outTradeNo);
      asked.push({ outTradeNo, subMchId: String(params.subMchId), committed: !!(await orderDoc(tc, outTradeNo)) });
      return unifiedOrder(params);
    });
    const create = (amountFen: number, extra: Record<string, unknown> = {}) => ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen, ...extra });
    const subMchId = ((await tc.db.collection('merchants').doc(mid).get()).data as { subMchId: string }).subMchId;
    try {
      const first = await create(5000);
      expect(asked).toEqual([{ outTradeNo: first.order.id, subMchId, committed: false }]);
      expect(first.pay.outTradeNo).toBe(first.order.id);

      // the first attempt's commit conflicts: the creation runs again with the same order id, and the request
      // already asked is the one returned (no second trade at WeChat Pay)
      asked.length = 0;
      const commitWrites = jest.spyOn(tc.cloud.engine, 'commitWrites').mockImplementationOnce(() => {
        throw conflictError('injected: the first attempt conflicts');
      });
      const again = await create(6000);
      expect(commitWrites).toHaveBeenCalledTimes(2);
      commitWrites.mockRestore();
      expect(asked).toEqual([{ outTradeNo: again.order.id, subMchId, committed: false }]);
      expect(again.pay.outTradeNo).toBe(again.order.id);
      expect((await tc.pay(again.pay.outTradeNo)).results).toEqual([{ errcode: 0, errmsg: 'OK' }]);
      expect((await ok(tc, 'order', 'o_alice', { action: 'get', orderId: again.order.id })).status).toBe('completed');

      // part paid with points: the cash part is asked for
      await grantPoints(tc, 'o_alice', '10');
      asked.length = 0;
      const withPoints = await create(8000, { points: '5' });
      expect(asked).toEqual([{ outTradeNo: withPoints.order.id, subMchId, committed: false }]);
      expect(tc.cloud.pay.get(withPoints.order.id)?.totalFee).toBe(withPoints.order.cashFen);

      // a refused order asks nothing
      await tc.db.collection('merchants').doc(mid).update({ data: { status: 'suspended' } });
      asked.length = 0;
      expect((await tc.call('order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 3000 })).error?.code).toBe('MERCHANT_SUSPENDED');
      expect(asked).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  test('the whole flow under injected transaction conflicts: every step retries to one effect', async () => {
    const { mid, pid } = await shop();
    await grantPoints(tc, 'o_alice', '10');
    tc.setFaults({ conflictRate: 0.25 });
    const flows = await Promise.all(
      [1, 2, 3].map(async () => {
        const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }], points: '2' });
        await tc.pay(pay.outTradeNo, { times: 2 });
        await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id });
        return order.id as string;
      }),
    );
    await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: flows[0] });
    await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: flows[1] });
    await ok(tc, 'order', 'o_bob', { action: 'refund', orderId: flows[2] });
    tc.setFaults({ conflictRate: 0 });
    expect(await stockOf(tc, pid)).toBe(8);
    expect(await balanceOf(tc, 'user:o_alice:available')).toBe('6.00');
    // 250 − 3 × ceil2(16 × 10% ÷ 2) + 0.8 back + 2 × 2 points at settlement
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('252.40');
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).sharedValue).toBe('32.00');
  });

  test('50 concurrent orders at a merchant close to zero: no lost update, refused exactly from the moment its balance is below zero', async () => {
    await ok(tc, 'user', ADMIN, { action: 'login' });
    // the treasury sells up to the deposit value: 102 points at that value, then the value lowered to ¥20
    await ok(tc, 'admin', ADMIN, { action: 'setParam', name: 'merchantDepositValueFen', value: 20400, reason: 'test' });
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '102' });
    await ok(tc, 'admin', ADMIN, { action: 'setParam', name: 'merchantDepositValueFen', value: 2000, reason: 'test' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('102.00');
    const buyers = Array.from({ length: 50 }, (_, i) => `o_buyer${i}`);
    for (const b of buyers) await login(tc, b);
    // each buyer: create a ¥100 in-store order and pay it at once (deduction 5 points each), and once more unless
    // refused — 50 buyers at once, so that creations and payments overlap however the runtime groups a burst (its
    // group commit answers a burst of creations together: the first round alone might see no payment between them)
    const results = (
      await Promise.all(
        buyers.map(async (b) => {
          const out: Array<{ orderId: string } | { refused: string }> = [];
          for (let round = 0; round < 2; round++) {
            const r = await tc.call('order', b, { action: 'create', requestId: rid('c'), merchantId: mid, amountFen: 10000 });
            if (!r.ok) {
              out.push({ refused: r.error.code as string });
              break;
            }
            await tc.pay(r.data.pay.outTradeNo);
            out.push({ orderId: r.data.order.id as string });
          }
          return out;
        }),
      )
    ).flat();
    const accepted = results.filter((r): r is { orderId: string } => 'orderId' in r);
    const refused = results.filter((r): r is { refused: string } => 'refused' in r);
    console.log(`50 concurrent buyers: accepted ${accepted.length}, refused ${refused.length}`);
    expect(accepted.length).toBeLessThanOrEqual(99); // the entries replayed below fit in one page
    expect(accepted.length + refused.length).toBeGreaterThanOrEqual(50);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((r) => r.refused))).toEqual(new Set(['MERCHANT_NEGATIVE']));
    // no lost update: the balance is the deposit less exactly 5 per paid order
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe((102 - 5 * accepted.length).toFixed(2));
    // replay the merchant account: every accepted order saw, at its place in the account's history, a balance ≥ 0
    const acc = `merchant:${mid}`;
    const entries = ((await tc.db.collection('ledger').where({ debit: acc }).limit(100).get()).data as any[])
      .map((e) => ({ seq: e.debitSeq, after: Number(e.debitAfter) }))
      .concat(((await tc.db.collection('ledger').where({ credit: acc }).limit(100).get()).data as any[]).map((e) => ({ seq: e.creditSeq, after: Number(e.creditAfter) })))
      .sort((x, y) => x.seq - y.seq);
    // an order records the account as it read it (seq and balance, without a lock: the moment of its check)
    const balanceAt = (seq: number) => {
      let b = 0;
      for (const e of entries) if (e.seq <= seq) b = e.after;
      return b;
    };
    const firstNegative = entries.find((e) => e.after < 0)!;
    expect(firstNegative).toBeTruthy();
    for (const a of accepted) {
      const o = await orderDoc(tc, a.orderId);
      expect(o.status).toBe('completed');
      expect(Number(o.merchantBalanceAtCreate)).toBe(balanceAt(o.merchantSeqAtCreate));
      expect(Number(o.merchantBalanceAtCreate)).toBeGreaterThanOrEqual(0);
      expect(o.merchantSeqAtCreate).toBeLessThan(firstNegative.seq);
    }
    // and from then on it refuses
    expect((await fail(tc, 'order', 'o_buyer0', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 })).code).toBe('MERCHANT_NEGATIVE');
  });
});
