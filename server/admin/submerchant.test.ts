/**
 * Merchant WeChat Pay onboarding (issue 13): the admin sees whether an applicant's sub-merchant id is bound to
 * the environment (a cloudPay probe; the local cloud simulates the bound ids) and cannot approve one that is
 * not; a deposit purchase goes to PLATFORM_SUB_MCH_ID and is refused in the cloud when it is unset.
 */
import cloud from 'wx-server-sdk';
import type { TestCloud } from '../../localcloud/testing';
import { ADMIN, application, fail, login, ok, rid, worldForEachTest } from '../testkit.testutil';

let tc: TestCloud;
worldForEachTest((c) => (tc = c), {
  frozenClock: true,
  setup: async (c) => {
    await login(c, ADMIN);
    await login(c, 'o_bob');
  },
});

test('the admin checks the sub-merchant id; approval refuses an id not bound to the environment', async () => {
  tc.cloud.pay.boundSubMchIds = new Set(['1230000001']);
  const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('未绑定小店', '餐饮美食', { subMchId: '1555000001' }) });
  expect(m.subMchCheck).toBeNull();

  const checked = await ok(tc, 'admin', ADMIN, { action: 'checkSubMerchant', merchantId: m.id });
  expect(checked.subMchCheck).toEqual({ status: 'not_bound', detail: '受理关系不存在', at: tc.clock.now() });
  // the admin's list shows it
  const pending = await ok(tc, 'admin', ADMIN, { action: 'pendingMerchants' });
  expect(pending.items.map((x: { id: string; subMchCheck: unknown }) => [x.id, x.subMchCheck])).toEqual([[m.id, checked.subMchCheck]]);

  const refusal = await fail(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
  expect(refusal.code).toBe('SUB_MCH_NOT_BOUND');
  expect(refusal.message).toContain('1555000001');
  expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).status).toBe('pending');

  // once the platform binds it (云开发控制台 → 微信支付配置), the check passes and approval goes through
  tc.cloud.pay.boundSubMchIds.add('1555000001');
  await tc.clock.advance(1000);
  const approved = await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
  expect(approved).toMatchObject({ status: 'approved', subMchCheck: { status: 'bound', detail: '此交易订单号不存在', at: tc.clock.now() } });
  expect((await fail(tc, 'admin', 'o_bob', { action: 'checkSubMerchant', merchantId: m.id })).code).toBe('FORBIDDEN');
  expect((await fail(tc, 'admin', ADMIN, { action: 'checkSubMerchant', merchantId: 'm404' })).code).toBe('MERCHANT_NOT_FOUND');
});

test('a new application drops the old check (the id may have changed)', async () => {
  tc.cloud.pay.boundSubMchIds = new Set();
  const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
  await ok(tc, 'admin', ADMIN, { action: 'checkSubMerchant', merchantId: m.id });
  await ok(tc, 'admin', ADMIN, { action: 'rejectMerchant', merchantId: m.id, reason: '子商户号未绑定' });
  const again = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店', '餐饮美食', { subMchId: '1230000002' }) });
  expect(again.subMchCheck).toBeNull();
});

describe('the platform sub-merchant (PLATFORM_SUB_MCH_ID)', () => {
  const saved = process.env.PLATFORM_SUB_MCH_ID;
  afterEach(() => {
    if (saved === undefined) delete process.env.PLATFORM_SUB_MCH_ID;
    else process.env.PLATFORM_SUB_MCH_ID = saved;
    (cloud as unknown as { LOCAL_RUNTIME: boolean }).LOCAL_RUNTIME = true;
  });

  async function approvedMerchant() {
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    return m.id as string;
  }

  test('deposit purchases are paid to the configured id', async () => {
    process.env.PLATFORM_SUB_MCH_ID = '1900000109';
    await approvedMerchant();
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', points: '250', requestId: rid() });
    expect(tc.payOrder(d.pay.outTradeNo)!.subMchId).toBe('1900000109');
  });

  test('in the cloud, unset, a deposit purchase is refused with a clear error (no made-up merchant number)', async () => {
    delete process.env.PLATFORM_SUB_MCH_ID;
    await approvedMerchant();
    // what the real wx-server-sdk looks like: no LOCAL_RUNTIME mark
    (cloud as unknown as { LOCAL_RUNTIME: boolean }).LOCAL_RUNTIME = false;
    const e = await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', points: '250', requestId: rid() });
    expect(e).toEqual({ code: 'PAY_NOT_CONFIGURED', message: '平台尚未配置收款商户号，暂不能购买保证金积分，请联系平台客服' });
    expect(tc.cloud.pay.list()).toEqual([]);
  });
});
