/** Small cloud functions used by the conformance tests (written as a cloud function would be). */
import cloud from 'wx-server-sdk';

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database({ throwOnNotFound: false });
const _ = db.command;

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const fixtures = {
  async whoami(event: Ev) {
    return { ctx: cloud.getWXContext(), event };
  },

  async chain(event: Ev) {
    const r = await cloud.callFunction({ name: 'whoami', data: { via: 'chain', x: event.x } });
    return r;
  },

  async boom() {
    throw new Error('kaboom');
  },

  async shop(event: Ev) {
    const { OPENID } = cloud.getWXContext();
    const res = await cloud.cloudPay.unifiedOrder({
      body: '测试商品',
      outTradeNo: event.outTradeNo,
      spbillCreateIp: '127.0.0.1',
      subMchId: event.subMchId ?? '1900000109',
      totalFee: event.totalFee ?? 990,
      envId: 'local-env',
      functionName: 'paycb',
      nonceStr: 'n' + Date.now(),
      attach: event.attach,
    });
    await db.collection('payorders').doc(event.outTradeNo).set({ data: { openid: OPENID, status: 'unpaid', fee: event.totalFee ?? 990 } });
    return res;
  },

  /** The payment callback: checks the source and the order, idempotent on outTradeNo. */
  async paycb(event: Ev) {
    const { SOURCE } = cloud.getWXContext();
    await db.collection('notes').add({ data: { source: SOURCE, event } });
    if (SOURCE !== 'wx_paycallback') return { errcode: -1, errmsg: 'not from WeChat Pay' };
    const q = await cloud.cloudPay.queryOrder({ subMchId: event.subMchId, nonceStr: 'q', outTradeNo: event.outTradeNo });
    if (q.tradeState !== 'SUCCESS') return { errcode: -1, errmsg: 'not paid' };
    const r = await db.collection('payorders').where({ _id: event.outTradeNo, status: 'unpaid' }).update({ data: { status: 'paid', tx: event.transactionId } });
    await db.collection('notes').add({ data: { applied: r.stats.updated } });
    return { errcode: 0, errmsg: 'OK' };
  },

  async refund(event: Ev) {
    return cloud.cloudPay.refund(event.params);
  },

  async query(event: Ev) {
    return cloud.cloudPay.queryOrder(event.params);
  },

  async notify(event: Ev) {
    return cloud.openapi.subscribeMessage.send({
      touser: event.touser,
      templateId: 'TPL_ORDER_SHIPPED',
      page: 'pages/order/index?id=1',
      data: event.data ?? { thing1: { value: '订单已发货' }, amount2: { value: '9.90元' } },
      miniprogramState: 'developer',
    });
  },

  async code(event: Ev) {
    const r = await cloud.openapi.wxacode.getUnlimited({ scene: event.scene, page: 'pages/merchant/index' });
    const up = await cloud.uploadFile({ cloudPath: `codes/${event.scene}.svg`, fileContent: r.buffer });
    const urls = await cloud.getTempFileURL({ fileList: [up.fileID] });
    return { contentType: r.contentType, fileID: up.fileID, url: urls.fileList[0].tempFileURL };
  },

  async files(event: Ev) {
    if (event.op === 'delete') return cloud.deleteFile({ fileList: [event.fileID] });
    if (event.op === 'download') return (await cloud.downloadFile({ fileID: event.fileID })).fileContent.toString();
    return cloud.uploadFile({ cloudPath: event.cloudPath, fileContent: Buffer.from(event.text) });
  },

  /** A timer function: records each run; fails the first `failTimes` runs of a day. */
  async tick(event: Ev) {
    const ctx = cloud.getWXContext();
    const cfg = (await db.collection('ticks').doc('config').get()).data as { failTimes?: number } | null;
    const count = (await db.collection('ticks').where({ kind: 'run' }).count()).total;
    await db.collection('ticks').add({ data: { kind: 'run', event, source: ctx.SOURCE, openid: ctx.OPENID ?? null } });
    if (cfg?.failTimes && count < cfg.failTimes) throw new Error(`planned failure ${count + 1}`);
    return { ok: true };
  },

  async slowtx() {
    return db.runTransaction(async (t) => {
      await t.collection('ticks').doc('slow').set({ data: { at: 1 } });
      return 'ok';
    });
  },

  async counter(event: Ev) {
    await db.collection('ticks').doc('counter').update({ data: { n: _.inc(event.by ?? 1) } });
    return { ok: true, data: null };
  },
};

export const FIXTURE_COLLECTIONS = ['payorders', 'notes', 'ticks'];
