/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import * as fs from 'fs';
import * as path from 'path';
import { startTestCloud } from '../localcloud/testing';
import { ADMIN, T0, expectLedgerOk, activeMerchant, application, fail, grantPoints, login, ok, product, rid, worldForEachTest } from './testkit.testutil';

const DAY = 86_400_000;
const PROOF = 'https://img.example.com/pay-record.png';
const HOME = { name: '张三', phone: '13800138000', region: '上海市 浦东新区', detail: '世纪大道 100 号' };

describe('the message centre (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  const msgs = (openid: string, extra: Record<string, unknown> = {}) => ok(tc, 'user', openid, { action: 'messages', ...extra });
  const unread = (openid: string) => ok(tc, 'user', openid, { action: 'unread' });

  async function shop() {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const p = await product(tc, 'o_bob', '牛肉面', 2000, 10);
    await login(tc, 'o_alice');
    return { mid, pid: p.id as string };
  }

  test('an order from payment to receipt: the buyer and the store each hear of every step; read and unread counts', async () => {
    const { mid, pid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 2 }], fulfilment: 'delivery', address: HOME });
    expect((await msgs('o_alice')).items).toEqual([]); // nothing before the payment
    await tc.pay(pay.outTradeNo);
    await tc.pay(pay.outTradeNo).catch(() => undefined); // a second notification: still one message
    const a1 = await msgs('o_alice');
    expect(a1.items.map((m: any) => [m.kind, m.title, m.read])).toEqual([['order', '付款成功', false]]);
    expect(a1.items[0].body).toMatch(/：牛肉面 × 2，等待商家发货$/);
    expect(a1.items[0].link).toBe(`/pages/order/index?id=${order.id}`);
    const b1 = await msgs('o_bob', { kind: 'order' });
    expect(b1.items.map((m: any) => m.title)).toEqual(['新订单待发货']);
    expect((await msgs('o_bob', { kind: 'approval' })).items.map((m: any) => m.title)).toEqual(['商家入驻已通过']); // the store's own approval
    expect(b1.items[0].body).toMatch(/^买家 \d+：牛肉面 × 2$/);
    expect(JSON.stringify(b1)).not.toContain('o_alice');
    expect(await unread('o_bob')).toEqual({ total: 2, byKind: { order: 1, trade: 0, release: 0, appeal: 0, approval: 1 } });

    await tc.clock.advance(1000);
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id, carrier: '顺丰速运', trackingNo: 'SF1' });
    await tc.clock.advance(1000);
    await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id });
    const a2 = await msgs('o_alice');
    expect(a2.items.map((m: any) => m.title)).toEqual(['订单已完成', '商家已发货', '付款成功']);
    expect(a2.items[1].body).toContain('顺丰速运 SF1');
    expect(a2.items[0].body).toContain('获得 40.00 共享值');
    expect((await unread('o_alice')).total).toBe(3);

    // read one by id, then all of a kind
    const r = await ok(tc, 'user', 'o_alice', { action: 'readMessages', ids: [a2.items[2].id] });
    expect(r.total).toBe(2);
    expect((await msgs('o_alice')).items.map((m: any) => m.read)).toEqual([false, false, true]);
    // another user's message ids reach nothing
    expect((await ok(tc, 'user', 'o_bob', { action: 'readMessages', ids: [a2.items[0].id] })).total).toBe(3); // bob: his own 3 unread, alice's untouched
    expect((await unread('o_alice')).total).toBe(2);
    expect((await ok(tc, 'user', 'o_alice', { action: 'readMessages', all: true, kind: 'order' })).total).toBe(0);
    expect((await fail(tc, 'user', 'o_alice', { action: 'readMessages' })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'user', 'o_alice', { action: 'messages', kind: 'spam' })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'user', 'o_alice', { action: 'messages', cursor: 'x' })).code).toBe('BAD_CURSOR');
  });

  test('pages of 20, newest first, by kind', async () => {
    const { mid } = await shop();
    for (let i = 0; i < 23; i++) {
      const { pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 + i });
      await tc.pay(pay.outTradeNo);
      await tc.clock.advance(1000);
    }
    const p1 = await msgs('o_alice', { kind: 'order' });
    expect(p1.items).toHaveLength(20);
    expect(p1.items[0].body).toContain('¥1.22'); // the newest first
    const p2 = await msgs('o_alice', { kind: 'order', cursor: p1.nextCursor });
    expect(p2.items.map((m: any) => m.body.match(/¥\d+\.\d\d/)[0])).toEqual(['¥1.02', '¥1.01', '¥1.00']);
    expect(p2.nextCursor).toBeNull();
    expect((await msgs('o_alice', { kind: 'trade' })).items).toEqual([]);
  });

  test('the timer’s auto-confirm and a timer fired twice: one message each', async () => {
    const { mid, pid } = await shop();
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: pid, quantity: 1 }] });
    await tc.pay(pay.outTradeNo);
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id });
    await tc.clock.advance(7 * DAY + 60_000);
    await Promise.all([tc.fireTimer('timeouts'), tc.fireTimer('timeouts')]);
    await tc.fireTimer('timeouts');
    expect((await msgs('o_alice')).items.map((m: any) => m.title)).toEqual(['订单已完成', '商家已发货', '付款成功']);
    // an unpaid order cancelled by the timer
    await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 500 });
    await tc.clock.advance(31 * 60_000);
    await tc.fireTimer('timeouts');
    expect((await msgs('o_alice')).items[0]).toMatchObject({ title: '订单已取消', kind: 'order' });
  });

  test('store applications: approval and rejection reach the applicant', async () => {
    await login(tc, 'o_dan');
    await login(tc, ADMIN);
    const app = await ok(tc, 'merchant', 'o_dan', { action: 'apply', requestId: rid(), ...application('丹丹甜品') });
    await ok(tc, 'admin', ADMIN, { action: 'rejectMerchant', merchantId: app.id, reason: '执照照片不清楚' });
    await tc.clock.advance(1000);
    await ok(tc, 'merchant', 'o_dan', { action: 'apply', requestId: rid(), ...application('丹丹甜品') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: app.id });
    const list = (await msgs('o_dan', { kind: 'approval' })).items;
    expect(list.map((m: any) => [m.title, m.body])).toEqual([
      ['商家入驻已通过', '「丹丹甜品」审核通过，缴纳保证金积分后即可接单'],
      ['商家入驻未通过', '「丹丹甜品」：执照照片不清楚'],
    ]);
  });

  test('C2C: matched, paid, appealed, decided — each side hears of its part', async () => {
    await login(tc, 'o_sam');
    await login(tc, 'o_bea');
    await login(tc, ADMIN);
    await grantPoints(tc, 'o_sam', '100');
    await ok(tc, 'market', 'o_sam', { action: 'setPaymentDetails', accountText: '支付宝 sam' });
    await ok(tc, 'market', 'o_sam', { action: 'place', side: 'sell', priceFen: 200, quantity: '10', requestId: rid() });
    const b = await ok(tc, 'market', 'o_bea', { action: 'place', side: 'buy', priceFen: 200, quantity: '10', requestId: rid() });
    const tradeId = b.trades[0].id;
    expect((await msgs('o_sam')).items.map((m: any) => m.title)).toEqual(['卖单已成交']);
    expect((await msgs('o_bea')).items.map((m: any) => [m.title, m.link])).toEqual([['买单已成交，请付款', `/pages/trade/index?id=${tradeId}`]]);
    await ok(tc, 'market', 'o_bea', { action: 'markPaid', tradeId });
    expect((await msgs('o_sam')).items[0].title).toBe('买家已付款');
    await tc.clock.advance(25 * 3600_000);
    await ok(tc, 'market', 'o_bea', { action: 'appeal', tradeId, reason: '已付款，卖家不确认', proofImage: PROOF });
    expect((await msgs('o_sam')).items[0]).toMatchObject({ kind: 'appeal', title: '对方发起了申诉' });
    await ok(tc, 'admin', ADMIN, { action: 'decideAppeal', tradeId, decision: 'release', reason: '付款凭证属实' });
    expect((await unread('o_sam')).byKind.appeal).toBe(2);
    expect((await msgs('o_bea', { kind: 'appeal' })).items[0]).toMatchObject({ title: '交易完成' });
  });

  test('the release: the day’s message is made once from the statement when the user looks', async () => {
    const { mid } = await shop();
    const { pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 });
    await tc.pay(pay.outTradeNo);
    const assets = await ok(tc, 'user', 'o_alice', { action: 'assets' });
    await tc.clock.set(assets.nextReleaseAt + 60_000, true);
    const run = await tc.fireTimer('release');
    expect(run.error).toBeFalsy();
    const u = await unread('o_alice');
    expect(u.byKind.release).toBe(1);
    const rel = (await msgs('o_alice', { kind: 'release' })).items;
    expect(rel).toHaveLength(1);
    expect(rel[0].title).toBe('每日释放到账');
    expect(rel[0].body).toMatch(/^\d{4}-\d\d-\d\d 释放：获得 \d+\.\d\d 积分，消耗共享值 \d+\.\d\d，剩余共享值 \d+\.\d\d$/);
    await unread('o_alice');
    expect((await msgs('o_alice', { kind: 'release' })).items).toHaveLength(1);
    // a user who held no shared value gets no release message
    await login(tc, 'o_zed');
    expect((await unread('o_zed')).total).toBe(0);
    await grantPoints(tc, 'o_zed', '1'); // (unrelated movement: still nothing)
    expect((await msgs('o_zed')).items).toEqual([]);
  });
});

test('a message that cannot be written never fails or undoes the action (it is written after the commit)', async () => {
  // a cloud where the messages collection does not exist: every message write fails
  const indexes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'localcloud', 'indexes.json'), 'utf8'));
  delete indexes.messages;
  process.env.ADMIN_OPENIDS = ADMIN;
  const tc = await startTestCloud({ now: T0, indexes });
  try {
    const mid = await activeMerchant(tc, 'o_bob', { depositPoints: '250' });
    const p = await product(tc, 'o_bob', '牛肉面', 2000, 10);
    await login(tc, 'o_alice');
    const { order, pay } = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    const r = await tc.pay(pay.outTradeNo);
    expect(r.results).toEqual([{ errcode: 0, errmsg: 'OK' }]);
    expect((await ok(tc, 'order', 'o_alice', { action: 'get', orderId: order.id })).status).toBe('paid');
    const shipped = await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: order.id });
    expect(shipped.status).toBe('shipped');
    expect((await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: order.id })).status).toBe('completed');
    await expectLedgerOk(tc);
  } finally {
    await tc.close();
  }
});
