import type { TestCloud } from '../../localcloud/testing';
import { ADMIN, activeMerchant, balanceOf, fail, login, ok, rid, worldForEachTest } from '../testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('admin through the gateway', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c), {
    setup: async (c) => {
      await login(c, ADMIN);
      await login(c, 'o_eve');
    },
  });

  test('every admin action refuses a non-admin (role from the database), and an unknown caller', async () => {
    const actions: Record<string, unknown>[] = [
      { action: 'params' }, { action: 'setParam', name: 'rebateRate', value: '0.2' }, { action: 'audit' }, { action: 'admins' },
      { action: 'addAdmin', userNo: '123456' }, { action: 'removeAdmin', userNo: '123456' }, { action: 'pendingMerchants' },
      { action: 'approveMerchant', merchantId: 'm1' }, { action: 'rejectMerchant', merchantId: 'm1', reason: '不行' },
      { action: 'checkSubMerchant', merchantId: 'm1' },
    ];
    for (const a of actions) {
      expect([a.action, (await fail(tc, 'admin', 'o_eve', a)).code]).toEqual([a.action, 'FORBIDDEN']);
      expect([a.action, (await fail(tc, 'admin', 'o_unknown', a)).code]).toEqual([a.action, 'FORBIDDEN']);
    }
    // an event claiming to be someone else changes nothing: identity is the context's
    expect((await fail(tc, 'admin', 'o_eve', { action: 'params', openid: ADMIN, OPENID: ADMIN })).code).toBe('FORBIDDEN');
    expect((await ok(tc, 'admin', ADMIN, { action: 'params' })).params.rebateRate).toBe('0.1');
  });

  test('parameters: read with labels; a change is audited (who, when, old, new, why) and applies from the next operation', async () => {
    const r = await ok(tc, 'admin', ADMIN, { action: 'params' });
    expect(r.params).toMatchObject({ rebateRate: '0.1', userSvMultiplier: '10', merchantSvMultiplier: '2', merchantDepositValueFen: 50000, releasePerDay: '888', releaseTotal: '972360', initialGuidePriceFen: 200, marketFeeRate: '0.05', treasuryReserve: '50000', priceBand: '0.1' });
    expect(r.labels.rebateRate).toBe('平台让利比例');
    // shown in the business's words: rates as percentages, fen as yuan; the locked ones named
    expect(r.display).toMatchObject({ rebateRate: '10%', marketFeeRate: '5%', merchantDepositValueFen: '¥500.00', initialGuidePriceFen: '¥2.00', releaseTotal: '972,360 积分', releaseHour: '22:00', autoConfirmDays: '7 天' });
    expect(r.units).toMatchObject({ marketFeeRate: 'percent', merchantDepositValueFen: 'yuan', autoConfirmDays: 'days' });
    expect(r.locked).toEqual(['releaseTotal', 'treasuryReserve']);
    expect(Object.values(r.labels).join('')).not.toMatch(/[a-z]|（分/);

    const mid = await activeMerchant(tc, 'o_bob');
    await login(tc, 'o_alice');
    const o1 = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 10000 });
    const before = tc.clock.now();
    // a change without a reason is refused and changes nothing
    expect((await fail(tc, 'admin', ADMIN, { action: 'setParam', name: 'rebateRate', value: '0.2' })).code).toBe('REASON_REQUIRED');
    expect((await ok(tc, 'admin', ADMIN, { action: 'params' })).params.rebateRate).toBe('0.1');
    const changed = await ok(tc, 'admin', ADMIN, { action: 'setParam', name: 'rebateRate', value: '0.2', reason: '促销月' });
    expect(changed.params.rebateRate).toBe('0.2');
    const audit = await ok(tc, 'admin', ADMIN, { action: 'audit' });
    const adminNo = (await login(tc, ADMIN)).userNo;
    // in Chinese, by user number (never the openid), old → new in words, the reason kept
    expect(audit.items[0]).toMatchObject({ by: adminNo, what: 'param:rebateRate', whatText: '修改参数：平台让利比例', old: '0.1', new: '0.2', change: '10% → 20%', reason: '促销月' });
    expect(JSON.stringify(audit)).not.toContain(ADMIN);
    expect(audit.items[0].at).toBeGreaterThanOrEqual(before);
    // o1 was created at 10% but is paid now: the deduction and shared value use the parameters in force
    await tc.pay(o1.pay.outTradeNo);
    const paid = await ok(tc, 'order', 'o_alice', { action: 'get', orderId: o1.order.id });
    expect(paid).toMatchObject({ merchantDeduction: '10.00', userSv: '200.00', merchantSv: '40.00' });
    expect(await balanceOf(tc, `merchant:${mid}`)).toBe('240.00');
    // the same value again: nothing to audit
    await ok(tc, 'admin', ADMIN, { action: 'setParam', name: 'rebateRate', value: '0.2' });
    expect((await ok(tc, 'admin', ADMIN, { action: 'audit' })).items).toHaveLength(audit.items.length);
  });

  test('bad parameter changes are refused and change nothing', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ name: 'rebateRate', value: '1.5' }, 'INVALID_PARAMS'],
      [{ name: 'rebateRate', value: '-0.1' }, 'INVALID_PARAMS'],
      [{ name: 'rebateRate', value: 'abc' }, 'INVALID_PARAMS'],
      [{ name: 'initialGuidePriceFen', value: 0 }, 'INVALID_PARAMS'],
      [{ name: 'autoConfirmDays', value: 1.5 }, 'INVALID_PARAMS'],
      [{ name: 'noSuchParam', value: 1 }, 'INVALID_PARAMS'],
      [{ name: 'rebateRate' }, 'INVALID_PARAMS'],
      [{ name: 42, value: 1 }, 'INVALID_INPUT'],
      [{ name: 'releaseTotal', value: '1000000' }, 'PARAM_LOCKED'],
      [{ name: 'treasuryReserve', value: '1' }, 'PARAM_LOCKED'],
    ];
    for (const [payload, code] of bad) {
      const e = await fail(tc, 'admin', ADMIN, { action: 'setParam', ...payload });
      expect([JSON.stringify(payload), e.code]).toEqual([JSON.stringify(payload), code]);
      expect(e.message.length).toBeGreaterThan(4);
    }
    expect((await ok(tc, 'admin', ADMIN, { action: 'params' })).params.rebateRate).toBe('0.1');
    expect((await ok(tc, 'admin', ADMIN, { action: 'audit' })).items).toEqual([]);
  });

  test('the admin list: add by user number, the new admin acts, remove; the deployment admin stays', async () => {
    const eve = await login(tc, 'o_eve');
    const adminMe = await login(tc, ADMIN);
    expect((await ok(tc, 'admin', ADMIN, { action: 'admins' })).items).toEqual([{ openid: ADMIN, userNo: adminMe.userNo, nickname: adminMe.nickname }]);
    expect((await fail(tc, 'admin', ADMIN, { action: 'addAdmin', userNo: '000001' })).code).toBe('USER_NOT_FOUND');
    expect((await fail(tc, 'admin', ADMIN, { action: 'addAdmin', userNo: 'abc' })).code).toBe('INVALID_INPUT');
    await ok(tc, 'admin', ADMIN, { action: 'addAdmin', userNo: eve.userNo });
    await ok(tc, 'admin', ADMIN, { action: 'addAdmin', userNo: eve.userNo }); // again: no change
    expect((await ok(tc, 'admin', ADMIN, { action: 'admins' })).items.map((a: any) => a.openid)).toEqual([ADMIN, 'o_eve']);
    expect((await login(tc, 'o_eve')).roles).toContain('admin');
    await tc.clock.advance(1000);
    await ok(tc, 'admin', 'o_eve', { action: 'setParam', name: 'autoConfirmDays', value: 10, reason: '春节物流慢' });
    await tc.clock.advance(1000);
    expect((await fail(tc, 'admin', 'o_eve', { action: 'removeAdmin', userNo: adminMe.userNo })).code).toBe('ADMIN_LOCKED');
    expect((await fail(tc, 'admin', 'o_eve', { action: 'removeAdmin', userNo: eve.userNo })).code).toBe('INVALID_INPUT');
    await ok(tc, 'admin', ADMIN, { action: 'removeAdmin', userNo: eve.userNo });
    expect((await fail(tc, 'admin', 'o_eve', { action: 'params' })).code).toBe('FORBIDDEN');
    expect((await fail(tc, 'admin', ADMIN, { action: 'removeAdmin', userNo: eve.userNo })).code).toBe('NOT_ADMIN');
    const audit = (await ok(tc, 'admin', ADMIN, { action: 'audit' })).items;
    expect(audit.map((a: any) => a.what)).toEqual(['admin:remove', 'param:autoConfirmDays', 'admin:add']);
    expect(audit.map((a: any) => a.whatText)).toEqual(['移除管理员', '修改参数：自动确认收货天数', '添加管理员']);
    expect(audit[1]).toMatchObject({ by: eve.userNo, change: '7 天 → 10 天', reason: '春节物流慢' });
    expect(audit[2]).toMatchObject({ change: `— → 用户号 ${eve.userNo}`, new: { userNo: eve.userNo } });
    expect(JSON.stringify(audit)).not.toMatch(/o_eve|openid/);
  });
});
