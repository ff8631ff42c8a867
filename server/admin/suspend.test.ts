import type { TestCloud } from '../../localcloud/testing';
import { ADMIN, activeMerchant, application, login, ok, orderDoc, product, refused, rid, worldForEachTest } from '../testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('admin suspends and reinstates a store (SPEC §6.5)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c), { setup: async (c) => { await login(c, ADMIN); await login(c, 'o_alice'); } });

  test('no new orders while suspended, open orders go on; reasons audited and shown to the owner', async () => {
    const mid = await activeMerchant(tc, 'o_bob');
    const p = await product(tc, 'o_bob', '面', 2000, 10);
    const paid = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(paid.pay.outTradeNo);
    const unpaid = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 500 });

    await refused(tc, 'admin', 'o_alice', { action: 'suspendMerchant', merchantId: mid, reason: '涉嫌刷单' }, 'FORBIDDEN');
    await refused(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: mid, reason: ' ' }, 'INVALID_INPUT');
    await refused(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: 'm999999', reason: '涉嫌刷单' }, 'MERCHANT_NOT_FOUND');
    const s = await ok(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: mid, reason: '涉嫌刷单，暂停核查' });
    expect(s).toMatchObject({ status: 'suspended', acceptingOrders: false, suspension: { reason: '涉嫌刷单，暂停核查' } });
    await refused(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: mid, reason: '再次暂停' }, 'INVALID_STATE');
    // the owner sees why
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).suspension).toEqual({ reason: '涉嫌刷单，暂停核查', at: expect.any(Number) });
    // no new orders, off the listing
    await refused(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 }, 'MERCHANT_SUSPENDED');
    await refused(tc, 'order', 'o_alice', { action: 'quote', merchantId: mid, amountFen: 100 }, 'MERCHANT_SUSPENDED');
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'list' })).items.map((m: any) => m.id)).not.toContain(mid);
    // open orders go on: the unpaid one is paid (and settles), the paid one ships and is confirmed
    await tc.pay(unpaid.pay.outTradeNo);
    expect((await orderDoc(tc, unpaid.order.id)).status).toBe('completed');
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: paid.order.id });
    expect((await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: paid.order.id })).status).toBe('completed');

    await refused(tc, 'admin', 'o_bob', { action: 'reinstateMerchant', merchantId: mid, reason: '已核查' }, 'FORBIDDEN');
    const r = await ok(tc, 'admin', ADMIN, { action: 'reinstateMerchant', merchantId: mid, reason: '核查无误，恢复营业' });
    expect(r).toMatchObject({ status: 'active', acceptingOrders: true, suspension: null, reinstatement: { reason: '核查无误，恢复营业' } });
    await refused(tc, 'admin', ADMIN, { action: 'reinstateMerchant', merchantId: mid, reason: '再次恢复' }, 'INVALID_STATE');
    expect((await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 })).order.status).toBe('unpaid');
    const audit = await ok(tc, 'admin', ADMIN, { action: 'audit' });
    expect(audit.items.slice(0, 2).map((a: any) => a.whatText)).toEqual(['恢复商家营业', '暂停商家接单']);
    expect(audit.items.slice(0, 2).map((a: any) => [a.what, a.reason, a.old, a.new])).toEqual([
      ['merchant:reinstate', '核查无误，恢复营业', { status: 'suspended' }, { status: 'active' }],
      ['merchant:suspend', '涉嫌刷单，暂停核查', { status: 'active' }, { status: 'suspended' }],
    ]);
  });

  test('an approved store suspended goes back to approved; pending or rejected ones cannot be suspended', async () => {
    await login(tc, 'o_carl');
    const m = await ok(tc, 'merchant', 'o_carl', { action: 'apply', requestId: rid(), ...application('卡店') });
    await refused(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: m.id, reason: '资料存疑' }, 'INVALID_STATE');
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    await ok(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: m.id, reason: '资料存疑' });
    // a suspended store may still buy its deposit, and does not become active by it
    const d = await ok(tc, 'merchant', 'o_carl', { action: 'buyDeposit', requestId: rid(), points: '250' });
    await tc.pay(d.pay.outTradeNo);
    expect((await ok(tc, 'merchant', 'o_carl', { action: 'mine' })).status).toBe('suspended');
    // reinstated: back to approved, and active at once since it holds the deposit
    expect((await ok(tc, 'admin', ADMIN, { action: 'reinstateMerchant', merchantId: m.id, reason: '资料补齐' })).status).toBe('active');
  });
});
