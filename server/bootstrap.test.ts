/**
 * The order and payment functions skip the bootstrap check (a round trip on every call, on the payment path):
 * on a database that never bootstrapped they answer as they would after it, and the first registration bootstraps.
 */
import type { TestCloud } from '../localcloud/testing';
import { ADMIN, fail, login, ok, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('a database that never bootstrapped', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));
  const bootstrapped = async () => (await tc.db.collection('config').doc('bootstrap').get()).data !== null;

  test('order and payment calls change nothing and need nothing; the first login bootstraps', async () => {
    expect(await bootstrapped()).toBe(false);
    expect(await ok(tc, 'order', 'o_new', { action: 'list' })).toMatchObject({ items: [] });
    expect((await fail(tc, 'order', 'o_new', { action: 'create', requestId: 'r-first-00', merchantId: 'm123456', amountFen: 100 })).code).toBe('NOT_REGISTERED');
    expect((await fail(tc, 'order', 'o_new', { action: 'get', orderId: 'O2026030210000000000001' })).code).toBe('ORDER_NOT_FOUND');
    // a notification of a trade no order started: acknowledged, nothing applied
    const n = await tc.cloud.invoke('payment', { returnCode: 'SUCCESS', resultCode: 'SUCCESS', outTradeNo: 'O2026030210000000000001', totalFee: 100, cashFee: 100, transactionId: '4200000000000000000000000001' }, { SOURCE: 'wx_paycallback' });
    expect(n).toMatchObject({ errcode: 0 });
    expect(await bootstrapped()).toBe(false);
    expect((await tc.db.collection('ledger').where({}).count()).total).toBe(0);

    await login(tc, 'o_new');
    expect(await bootstrapped()).toBe(true);
    expect((await tc.db.collection('admins').doc(ADMIN).get()).data).toMatchObject({ openid: ADMIN, bootstrap: true });
    expect((await tc.db.collection('config').doc('params').get()).data).toBeTruthy();
  });
});
