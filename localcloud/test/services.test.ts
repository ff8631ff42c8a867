/**
 * Conformance: getWXContext, callFunction, cloudPay, openapi and cloud storage as WeChat documents them
 * (reference-sdk-api/utils/Cloud.getWXContext, functions/Cloud.callFunction, open/pay/CloudPay.*,
 * open/pay/paymentCallback, openapi/subscribe-message/subscribeMessage.send, qr-code/wxacode.getUnlimited,
 * storage/uploadFile|getTempFileURL|deleteFile).
 */
import cloud from 'wx-server-sdk';
import * as sdk from 'wx-server-sdk';
import { startTestCloud, TestCloud } from '../testing';
import { fixtures, FIXTURE_COLLECTIONS } from './fixtures';

let tc: TestCloud;
const db = cloud.database({ throwOnNotFound: false });

beforeAll(async () => {
  tc = await startTestCloud({ functions: fixtures, collections: FIXTURE_COLLECTIONS, now: Date.UTC(2026, 4, 1, 4, 5, 6) });
});
afterAll(() => tc.close());

describe('the module shape', () => {
  test('default export and named exports, as require("wx-server-sdk") gives', () => {
    for (const k of ['init', 'DYNAMIC_CURRENT_ENV', 'getWXContext', 'database', 'callFunction', 'cloudPay', 'openapi', 'uploadFile', 'getTempFileURL', 'deleteFile']) {
      expect(cloud).toHaveProperty(k);
      expect(sdk).toHaveProperty(k);
    }
    expect(typeof cloud.DYNAMIC_CURRENT_ENV).toBe('symbol');
  });
});

describe('getWXContext (Cloud.getWXContext)', () => {
  test('a call from the mini-program: OPENID, APPID, ENV, SOURCE wx_client; event.userInfo injected', async () => {
    const r = await tc.call('whoami', 'o_alice', { a: 1 });
    expect(r.ctx).toMatchObject({ OPENID: 'o_alice', SOURCE: 'wx_client', ENV: 'local-env', APPID: expect.any(String), CLIENTIP: '127.0.0.1' });
    expect(r.event).toEqual({ a: 1, userInfo: { appId: r.ctx.APPID, openId: 'o_alice' } });
  });
  test('an openid in the event does not change the identity', async () => {
    const r = await tc.call('whoami', 'o_alice', { OPENID: 'o_mallory', userInfo: { openId: 'o_mallory' } });
    expect(r.ctx.OPENID).toBe('o_alice');
    expect(r.event.userInfo.openId).toBe('o_alice');
  });
  test('a timer run: SOURCE wx_trigger, no OPENID, event { Type: "timer", TriggerName, Time }', async () => {
    tc.cloud.functionConfigs.whoami = { triggers: [{ name: 'every-minute', type: 'timer', config: '0 * * * * * *' }] };
    const run = await tc.fireTimer('whoami');
    const r = run.result as { ctx: Record<string, unknown>; event: Record<string, unknown> };
    expect(r.ctx.SOURCE).toBe('wx_trigger');
    expect(r.ctx).not.toHaveProperty('OPENID');
    expect(r.event).toMatchObject({ Type: 'timer', TriggerName: expect.any(String), Time: '2026-05-01T04:05:06Z' });
  });
  test('callFunction from a function: { result }, callee keeps the OPENID, SOURCE "wx_client,scf"', async () => {
    const r = await tc.call('chain', 'o_bob', { x: 5 });
    expect(r).toMatchObject({ errMsg: 'cloud.callFunction:ok', result: { ctx: { OPENID: 'o_bob', SOURCE: 'wx_client,scf' }, event: { via: 'chain', x: 5 } } });
  });
  test('callFunction to a function that throws rejects (-504002)', async () => {
    tc.cloud.functions.callsBoom = async () => cloud.callFunction({ name: 'boom' });
    await expect(tc.invoke('callsBoom', {}, 'o_x')).rejects.toMatchObject({ errCode: -504002 });
  });
});

describe('cloudPay (CloudPay.unifiedOrder, paymentCallback, queryOrder, refund)', () => {
  test('unifiedOrder → the user pays → the callback gets WeChat\'s event with SOURCE wx_paycallback', async () => {
    const u = await tc.call('shop', 'o_payer', { outTradeNo: 'T1001', totalFee: 990, attach: 'order:1' });
    expect(u).toMatchObject({ returnCode: 'SUCCESS', resultCode: 'SUCCESS', errCode: 0, payment: { package: expect.stringMatching(/^prepay_id=/), signType: 'MD5', timeStamp: expect.any(String) } });
    expect((await tc.invoke('query', { params: { subMchId: '1900000109', nonceStr: 'x', outTradeNo: 'T1001' } }, 'o_payer')).tradeState).toBe('NOTPAY');

    const paid = await tc.pay('T1001');
    expect(paid.results).toEqual([{ errcode: 0, errmsg: 'OK' }]);
    const notes = (await db.collection('notes').where({ source: 'wx_paycallback' }).get()).data;
    expect(notes).toHaveLength(1);
    expect(notes[0].event).toMatchObject({
      returnCode: 'SUCCESS', resultCode: 'SUCCESS', outTradeNo: 'T1001', totalFee: 990, cashFee: 990, subMchId: '1900000109',
      subOpenid: 'o_payer', transactionId: expect.any(String), timeEnd: expect.stringMatching(/^20260501120506$|^202605011205\d\d$/),
      tradeType: 'JSAPI', feeType: 'CNY', attach: 'order:1',
    });
    expect((await db.collection('payorders').doc('T1001').get()).data).toMatchObject({ status: 'paid' });
    const q = await tc.invoke('query', { params: { subMchId: '1900000109', nonceStr: 'x', outTradeNo: 'T1001' } }, 'o_payer');
    expect(q).toMatchObject({ tradeState: 'SUCCESS', totalFee: 990, transactionId: notes[0].event.transactionId });
  });

  test('a repeated notification is delivered again; the callback must be idempotent', async () => {
    await tc.call('shop', 'o_payer', { outTradeNo: 'T1002' });
    const r = await tc.pay('T1002', { times: 2 });
    expect(r.results).toHaveLength(2);
    const applied = (await db.collection('notes').where({ applied: db.command.exists(true) }).get()).data.map((n) => n.applied);
    expect(applied.slice(-2)).toEqual([1, 0]);
  });

  test('a forged notification (called like any function) does not come from wx_paycallback', async () => {
    await tc.call('shop', 'o_payer', { outTradeNo: 'T1003' });
    const forged = { returnCode: 'SUCCESS', resultCode: 'SUCCESS', outTradeNo: 'T1003', totalFee: 990, subMchId: '1900000109', transactionId: 'fake' };
    expect(await tc.call('paycb', 'o_mallory', forged)).toEqual({ errcode: -1, errmsg: 'not from WeChat Pay' });
    // even with the right SOURCE, an unpaid order is refused after queryOrder
    expect(await tc.invoke('paycb', forged, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: -1, errmsg: 'not paid' });
    expect((await db.collection('payorders').doc('T1003').get()).data).toMatchObject({ status: 'unpaid' });
  });

  test('unifiedOrder validates: required camelCase params, totalFee an integer in fen, outTradeNo ≤ 32', async () => {
    await expect(tc.invoke('shop', { outTradeNo: 'T1004', totalFee: 9.9 }, 'o_payer')).rejects.toThrow(/totalFee/);
    await expect(tc.invoke('shop', { outTradeNo: 'x'.repeat(33) }, 'o_payer')).rejects.toThrow(/outTradeNo/);
    tc.cloud.functions.bad = async () => cloud.cloudPay.unifiedOrder({ body: 'b', outTradeNo: 'T9' } as never);
    await expect(tc.invoke('bad', {}, 'o_payer')).rejects.toThrow(/missing required parameter/);
  });

  test('the same outTradeNo with other params is refused (201 商户订单号重复); a paid one gives ORDERPAID', async () => {
    const again = await tc.invoke('shop', { outTradeNo: 'T1001', totalFee: 100 }, 'o_payer');
    expect(again).toMatchObject({ resultCode: 'FAIL', errCode: 'ORDERPAID' });
    await tc.call('shop', 'o_payer', { outTradeNo: 'T1005', totalFee: 100 });
    expect(await tc.invoke('shop', { outTradeNo: 'T1005', totalFee: 200 }, 'o_payer')).toMatchObject({ resultCode: 'FAIL', errCode: 'INVALID_REQUEST' });
  });

  test('refund takes snake_case params; camelCase is refused; partial refunds up to the total; idempotent on out_refund_no', async () => {
    await expect(tc.invoke('refund', { params: { subMchId: '1900000109', outTradeNo: 'T1001', outRefundNo: 'R1', totalFee: 990, refundFee: 990, nonceStr: 'n' } }, 'o_x')).rejects.toThrow(/snake_case/);
    const p = { sub_mch_id: '1900000109', nonce_str: 'n', out_trade_no: 'T1001', total_fee: 990 };
    const r1 = await tc.invoke('refund', { params: { ...p, out_refund_no: 'R1', refund_fee: 500 } }, 'o_x');
    expect(r1).toMatchObject({ resultCode: 'SUCCESS', refundFee: 500, outRefundNo: 'R1', errCode: 0 });
    const r1again = await tc.invoke('refund', { params: { ...p, out_refund_no: 'R1', refund_fee: 500 } }, 'o_x');
    expect(r1again.refundId).toBe(r1.refundId);
    expect(await tc.invoke('refund', { params: { ...p, out_refund_no: 'R2', refund_fee: 491 } }, 'o_x')).toMatchObject({ resultCode: 'FAIL' });
    expect(await tc.invoke('refund', { params: { ...p, out_refund_no: 'R2', refund_fee: 490 } }, 'o_x')).toMatchObject({ resultCode: 'SUCCESS' });
    expect(await tc.invoke('refund', { params: { ...p, total_fee: 1, out_refund_no: 'R3', refund_fee: 1 } }, 'o_x')).toMatchObject({ resultCode: 'FAIL' });
    expect((await tc.invoke('query', { params: { subMchId: '1900000109', nonceStr: 'x', outTradeNo: 'T1001' } }, 'o_x')).tradeState).toBe('REFUND');
    expect(await tc.invoke('refund', { params: { ...p, out_trade_no: 'T1003', out_refund_no: 'R4', refund_fee: 1 } }, 'o_x')).toMatchObject({ resultCode: 'FAIL', errCode: 'TRADE_STATE_ERROR' });
  });

  test('closeOrder closes an unpaid order (it can no longer be paid); queryRefund lists refunds', async () => {
    await tc.call('shop', 'o_payer', { outTradeNo: 'T1007' });
    tc.cloud.functions.close = async (e: { no: string }) => cloud.cloudPay.closeOrder({ subMchId: '1900000109', nonceStr: 'n', outTradeNo: e.no });
    expect(await tc.invoke('close', { no: 'T1007' }, 'o_x')).toMatchObject({ resultCode: 'SUCCESS' });
    expect((await tc.invoke('query', { params: { subMchId: '1900000109', nonceStr: 'x', outTradeNo: 'T1007' } }, 'o_x')).tradeState).toBe('CLOSED');
    await expect(tc.pay('T1007')).rejects.toMatchObject({ code: 'ORDERCLOSED' });
    expect(await tc.invoke('close', { no: 'T1001' }, 'o_x')).toMatchObject({ resultCode: 'FAIL', errCode: 'ORDERPAID' });
    tc.cloud.functions.qr = async () => cloud.cloudPay.queryRefund({ sub_mch_id: '1900000109', nonce_str: 'n', out_trade_no: 'T1001' });
    expect(await tc.invoke('qr', {}, 'o_x')).toMatchObject({ resultCode: 'SUCCESS', refundCount: 2, refundFee: 990, outRefundNo_0: 'R1' });
  });

  test('a notification the callback does not acknowledge ({ errcode: 0 }) is sent again (auto-retry, as npm start does)', async () => {
    let calls = 0;
    const real = tc.cloud.functions.paycb;
    tc.cloud.functions.paycb = async (e: Record<string, unknown>, c: unknown) => (++calls === 1 ? { errcode: 1 } : real(e, c));
    tc.cloud.pay.autoRetry = true;
    tc.cloud.pay.retryDelaysMs = [10, 10];
    try {
      await tc.call('shop', 'o_payer', { outTradeNo: 'T1008' });
      const r = await tc.pay('T1008');
      expect(r.results).toEqual([{ errcode: 1 }]);
      // wait for the second notification to be answered and recorded (the callback's commit is on disk first)
      for (let i = 0; i < 50 && (calls < 2 || tc.payOrder('T1008')!.notifications.length < 2); i++) await new Promise((res) => setTimeout(res, 10));
      expect(calls).toBe(2);
      expect(tc.payOrder('T1008')!.notifications.map((n) => n.ok)).toEqual([false, true]);
    } finally {
      tc.cloud.functions.paycb = real;
      tc.cloud.pay.autoRetry = false;
    }
  });

  test('POST /__local/pay confirms through the gateway', async () => {
    await tc.call('shop', 'o_payer', { outTradeNo: 'T1006' });
    const res = await fetch(`${tc.url}/__local/pay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': 'o_payer' }, body: JSON.stringify({ outTradeNo: 'T1006' }) });
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, data: { state: 'SUCCESS', callbackResults: [{ errcode: 0 }] } });
    const other = await fetch(`${tc.url}/__local/pay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': 'o_payer' }, body: JSON.stringify({ outTradeNo: 'NOPE' }) });
    expect(other.status).toBe(400);
  });
});

describe('openapi (subscribeMessage.send, wxacode.getUnlimited) and storage', () => {
  test('subscribe messages are validated and recorded', async () => {
    expect(await tc.call('notify', 'o_x', { touser: 'o_alice' })).toEqual({ errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' });
    expect(tc.messages('o_alice')).toEqual([
      expect.objectContaining({ touser: 'o_alice', templateId: 'TPL_ORDER_SHIPPED', page: 'pages/order/index?id=1', data: { thing1: { value: '订单已发货' }, amount2: { value: '9.90元' } }, fromFunction: 'notify' }),
    ]);
    // thing.DATA allows at most 20 characters (47003)
    await expect(tc.invoke('notify', { touser: 'o_alice', data: { thing1: { value: '一'.repeat(21) } } }, 'o_x')).rejects.toMatchObject({ errCode: 47003 });
    const res = await fetch(`${tc.url}/__local/messages?touser=o_alice`);
    expect((await res.json()).data).toHaveLength(1);
  });

  test('wxacode.getUnlimited renders an image showing the scene; upload + temp URL serve it', async () => {
    const r = await tc.call('code', 'o_x', { scene: 'm=42' });
    expect(r.contentType).toBe('image/svg+xml');
    expect(r.fileID).toBe('cloud://local-env.local-bucket/codes/m=42.svg');
    const img = await fetch(r.url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/svg+xml');
    expect(await img.text()).toContain('scene: m=42');
    await expect(tc.invoke('code', { scene: 'x'.repeat(33) }, 'o_x')).rejects.toMatchObject({ errCode: 40169 });
    const g = await fetch(`${tc.url}/__local/wxacode?scene=abc&page=pages/merchant/index`);
    expect(await g.text()).toContain('scene: abc');
  });

  test('uploadFile / downloadFile / deleteFile; paths cannot escape the files folder', async () => {
    const up = await tc.invoke('files', { cloudPath: 'qr/seller1.png', text: 'PNGDATA' }, 'o_x');
    expect(up.fileID).toMatch(/^cloud:\/\//);
    expect(await tc.invoke('files', { op: 'download', fileID: up.fileID }, 'o_x')).toBe('PNGDATA');
    expect((await tc.invoke('files', { op: 'delete', fileID: up.fileID }, 'o_x')).fileList[0].status).toBe(0);
    await expect(tc.invoke('files', { cloudPath: '../../etc/x', text: 'x' }, 'o_x')).rejects.toThrow(/cloudPath/);
  });
});
