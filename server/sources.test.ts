import type { TestCloud } from '../localcloud/testing';
import { ADMIN, login, worldForFile } from './testkit.testutil';
import { isChainedCall, isPayCallbackSource, isTimerSource } from './sources';

/* eslint-disable @typescript-eslint/no-explicit-any */
test('sources: only the cloud-set SOURCE decides', () => {
  expect([isTimerSource('wx_trigger'), isTimerSource('wx_client'), isTimerSource('wx_client,wx_trigger'), isTimerSource('')]).toEqual([true, false, false, false]);
  expect([isPayCallbackSource('wx_paycallback'), isPayCallbackSource('wx_client,wx_paycallback'), isPayCallbackSource('wx_http')]).toEqual([true, false, false]);
  expect([isChainedCall('wx_client,scf'), isChainedCall('scf'), isChainedCall('wx_http')]).toEqual([true, true, false]);
});

describe('timer and payment-callback entries check who calls them', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), { setup: async (c) => { await login(c, 'o_user'); await login(c, ADMIN); } });
  const commits = () => tc.cloud.engine.currentSeq();

  test('a timer event sent by a user or an admin is refused with WRONG_SOURCE (200, no internal message), changes nothing', async () => {
    for (const who of ['o_user', ADMIN]) {
      const before = commits();
      for (const fn of ['release', 'timeouts']) {
        const r = await tc.callRaw(fn, who, { Type: 'timer', TriggerName: 'x' });
        const where = `${fn} as ${who}`;
        if (fn === 'timeouts' && who === ADMIN) {
          expect([where, r.status, r.body.ok]).toEqual([where, 200, true]); // an admin may run the minute job
          continue;
        }
        expect([where, r.status, r.body.ok, r.body.error.code]).toEqual([where, 200, false, fn === 'release' ? 'WRONG_SOURCE' : 'FORBIDDEN']);
        expect(r.body.error.detail).toBeUndefined();
        expect(r.body.error.message).toMatch(/[\u4e00-\u9fa5]/);
      }
      if (who === 'o_user') expect(commits()).toBe(before);
    }
  });

  test('without a user, only the timer or another function may run them; anything else is WRONG_SOURCE', async () => {
    for (const source of ['wx_http', 'wx_client', 'wx_unknown', '']) {
      const before = commits();
      expect(await tc.invoke('release', { action: 'run' }, { SOURCE: source })).toMatchObject({ ok: false, error: { code: 'WRONG_SOURCE' } });
      expect(await tc.invoke('release', { Type: 'timer', TriggerName: 'daily-release' }, { SOURCE: source })).toMatchObject({ ok: false, error: { code: 'WRONG_SOURCE' } });
      expect(await tc.invoke('timeouts', { Type: 'timer' }, { SOURCE: source })).toMatchObject({ ok: false, error: { code: 'WRONG_SOURCE' } });
      expect(commits()).toBe(before);
    }
    expect(await tc.invoke('timeouts', {}, { SOURCE: 'wx_client,scf' })).toMatchObject({ ok: true });
    expect((await tc.fireTimer('timeouts')).error).toBeFalsy();
    expect((await tc.fireTimer('release')).error).toBeFalsy();
  });

  test('a payment notification from anything but WeChat Pay: 403 WRONG_SOURCE', async () => {
    const ev = { returnCode: 'SUCCESS', resultCode: 'SUCCESS', outTradeNo: 'O1', totalFee: 1, subMchId: '1230000001' };
    for (const ctx of [{ OPENID: 'o_user', SOURCE: 'wx_client' }, { SOURCE: 'wx_http' }, { SOURCE: 'wx_client,wx_paycallback' }, { SOURCE: 'wx_trigger' }]) {
      expect(await tc.invoke('payment', ev, ctx)).toEqual({ errcode: 403, errmsg: 'WRONG_SOURCE' });
    }
  });
});
