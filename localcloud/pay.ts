/**
 * Simulated WeChat Pay through cloudPay (云开发 微信支付, wx-server-sdk ≥ 2.0.2).
 *
 * - unifiedOrder({ body, outTradeNo, spbillCreateIp, subMchId, totalFee, envId, functionName, nonceStr, ... })
 *   (camelCase) records an order for the calling user and returns { payment } for wx.requestPayment.
 * - The user "pays" with POST /__local/pay { outTradeNo } (or testing's pay()): the order becomes SUCCESS and
 *   the callback function named in unifiedOrder is invoked with SOURCE 'wx_paycallback' and the notification
 *   event WeChat sends (camelCase: returnCode, resultCode, outTradeNo, transactionId, totalFee, cashFee,
 *   subMchId, subOpenid, timeEnd, ...). It must return { errcode: 0 }; otherwise the notification is repeated
 *   (the cloud retries for up to two days; locally a few times, when auto-retry is on).
 * - queryOrder / closeOrder (camelCase), refund / queryRefund (snake_case, as WeChat documents them).
 * Orders live in the SQLite file (table _pay) and survive restarts.
 */
import { randomBytes, createHash } from 'crypto';
import type { LocalCloud } from './runtime';
import { CloudError } from './errors';
import { currentInvocation } from './context';
import { untilDurable } from './db/engine';

export type PayState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface PayRefund {
  outRefundNo: string;
  refundId: string;
  refundFee: number;
  at: number;
}

export interface PayOrder {
  outTradeNo: string;
  functionName: string;
  envId: string;
  subMchId: string;
  body: string;
  totalFee: number;
  nonceStr: string;
  spbillCreateIp: string;
  attach?: string;
  payer: string | null;
  state: PayState;
  prepayId: string;
  transactionId?: string;
  timeEnd?: string;
  createdAt: number;
  paidAt?: number;
  refunds: PayRefund[];
  notifications: Array<{ at: number; result: unknown; ok: boolean }>;
}

const SP_MCH_ID = '1800000001';

const TRADE_STATE_DESC: Record<PayState, string> = { NOTPAY: '订单未支付', SUCCESS: '支付成功', CLOSED: '订单已关闭', REFUND: '订单发生过退款' };

let pool = Buffer.alloc(0);
let poolAt = 0;

/** n random bytes as hex, from a pool refilled 4 KB at a time (one call to the CSPRNG per many ids). */
function hex(n: number) {
  if (poolAt + n > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const s = pool.toString('hex', poolAt, poolAt + n);
  poolAt += n;
  return s;
}

function fail(api: string, msg: string): CloudError {
  return new CloudError('INVALID_PARAM', -1, `cloudPay.${api}:fail ${msg}`);
}

/** yyyyMMddHHmmss in UTC+8, as WeChat Pay's time_end. */
export function timeEndOf(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function req(params: Record<string, unknown>, api: string, names: string[]) {
  for (const n of names) {
    if (params[n] === undefined || params[n] === null || params[n] === '') {
      throw fail(api, `missing required parameter ${n}`);
    }
  }
}

export class PaySimulator {
  /** Repeat a notification the callback did not acknowledge (gateway: on; tests: off). */
  autoRetry = false;
  retryDelaysMs = [2000, 10_000, 30_000];
  private timers = new Set<NodeJS.Timeout>();

  constructor(private cloud: LocalCloud) {}

  stop() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** The order (a fresh copy), or undefined. */
  get(outTradeNo: string): PayOrder | undefined {
    return this.cloud.engine.store.payGet(outTradeNo) as PayOrder | undefined;
  }

  /** The order as kept (shared: read it, never change it), or undefined. */
  private peek(outTradeNo: string): PayOrder | undefined {
    return this.cloud.engine.store.payPeek(outTradeNo) as PayOrder | undefined;
  }

  list(): PayOrder[] {
    return this.cloud.engine.store.payAll() as unknown as PayOrder[];
  }

  /**
   * Save an order: seen at once, written in order with the database's commits. Resolves once it is on disk —
   * or at once inside a cloud-function invocation, whose answer waits for it (see engine.ts untilDurable).
   * The order is given up: it becomes the kept version (never change it afterwards). A new version may share
   * nested values (refunds, notifications) with the one it replaces: change an order only on a fresh copy
   * (get()) or build the new version with new arrays, as confirm and notify do.
   */
  private async save(o: PayOrder): Promise<void> {
    await untilDurable(this.cloud.engine.store.payPut(o.outTradeNo, o as unknown as Record<string, unknown>));
  }

  private common(o: { subMchId: string }) {
    return {
      returnCode: 'SUCCESS',
      returnMsg: 'OK',
      appid: this.cloud.appid,
      mchId: SP_MCH_ID,
      subAppid: this.cloud.appid,
      subMchId: o.subMchId,
      nonceStr: hex(8),
      sign: hex(16).toUpperCase(),
    };
  }

  /**
   * Sub-merchant ids bound to this environment (云开发控制台 → 微信支付配置). null (the default): every id is
   * bound. With a set, a call naming another id is refused as WeChat Pay refuses a sub-merchant without the
   * service relation: returnCode FAIL, "受理关系不存在" (server/pay.ts probeSubMerchant reads it).
   */
  boundSubMchIds: Set<string> | null = null;

  private unbound(subMchId: unknown, api: string) {
    if (this.boundSubMchIds === null || this.boundSubMchIds.has(String(subMchId))) return null;
    return { returnCode: 'FAIL', returnMsg: '受理关系不存在', errMsg: `cloudPay.${api}:ok` };
  }

  // ---------------------------------------------------------------- cloudPay API

  async unifiedOrder(params: Record<string, unknown>) {
    const api = 'unifiedOrder';
    if (!params || typeof params !== 'object') throw fail(api, 'parameters required');
    req(params, api, ['body', 'outTradeNo', 'spbillCreateIp', 'subMchId', 'totalFee', 'envId', 'functionName', 'nonceStr']);
    const refused = this.unbound(params.subMchId, api);
    if (refused) return refused;
    const outTradeNo = String(params.outTradeNo);
    if (!/^[0-9A-Za-z_\-|*@]{1,32}$/.test(outTradeNo)) throw fail(api, 'outTradeNo must be 1-32 characters of [0-9A-Za-z_-|*@]');
    if (String(params.nonceStr).length > 32) throw fail(api, 'nonceStr longer than 32');
    if (String(params.body).length > 128) throw fail(api, 'body longer than 128');
    const totalFee = params.totalFee;
    if (typeof totalFee !== 'number' || !Number.isInteger(totalFee) || totalFee <= 0) throw fail(api, 'totalFee must be a positive integer (fen)');
    if (typeof params.functionName !== 'string') throw fail(api, 'functionName must be a string');
    const payer = currentInvocation()?.wx.OPENID ?? (typeof params.openid === 'string' ? params.openid : null) ?? null;
    const existing = this.peek(outTradeNo);
    if (existing) {
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') {
        return { ...this.common(existing), resultCode: 'FAIL', errCode: 'ORDERPAID', errCodeDes: '该订单已支付', errMsg: 'cloudPay.unifiedOrder:ok' };
      }
      if (existing.state === 'CLOSED') {
        return { ...this.common(existing), resultCode: 'FAIL', errCode: 'ORDERCLOSED', errCodeDes: '该订单已关', errMsg: 'cloudPay.unifiedOrder:ok' };
      }
      if (existing.totalFee !== totalFee || existing.subMchId !== String(params.subMchId) || existing.body !== String(params.body)) {
        return { ...this.common(existing), resultCode: 'FAIL', errCode: 'INVALID_REQUEST', errCodeDes: '201 商户订单号重复', errMsg: 'cloudPay.unifiedOrder:ok' };
      }
      return this.unifiedResponse(existing);
    }
    const o: PayOrder = {
      outTradeNo,
      functionName: params.functionName,
      envId: String(params.envId),
      subMchId: String(params.subMchId),
      body: String(params.body),
      totalFee,
      nonceStr: String(params.nonceStr),
      spbillCreateIp: String(params.spbillCreateIp),
      payer,
      state: 'NOTPAY',
      prepayId: 'wx' + Date.now().toString(16) + hex(8),
      createdAt: this.cloud.clock.now(),
      refunds: [],
      notifications: [],
    };
    // no `attach: undefined` key: the order is kept as it is only when it is what JSON makes of it (store.payPut)
    if (params.attach !== undefined) o.attach = String(params.attach);
    await this.save(o);
    return this.unifiedResponse(o);
  }

  private unifiedResponse(o: PayOrder) {
    const timeStamp = String(Math.floor(this.cloud.clock.now() / 1000));
    const nonceStr = hex(8);
    const pkg = `prepay_id=${o.prepayId}`;
    return {
      ...this.common(o),
      resultCode: 'SUCCESS',
      tradeType: 'JSAPI',
      prepayId: o.prepayId,
      payment: {
        appId: this.cloud.appid,
        timeStamp,
        nonceStr,
        package: pkg,
        signType: 'MD5',
        paySign: createHash('md5').update(`${timeStamp}${nonceStr}${pkg}`).digest('hex').toUpperCase(),
        // local runtime only: what the h5 app needs to "pay" through POST /__local/pay
        outTradeNo: o.outTradeNo,
        totalFee: o.totalFee,
      },
      errCode: 0,
      errMsg: 'cloudPay.unifiedOrder:ok',
    };
  }

  /** The order the parameters name (a fresh copy the caller may change and save; `copy` false: shared, read only). */
  private find(params: Record<string, unknown>, api: string, snake = false, copy = true): PayOrder | undefined {
    const out = snake ? params.out_trade_no : params.outTradeNo;
    const tx = snake ? params.transaction_id : params.transactionId;
    if (out) return copy ? this.get(String(out)) : this.peek(String(out));
    if (tx) return this.list().find((o) => o.transactionId === String(tx));
    throw fail(api, snake ? 'out_trade_no or transaction_id is required' : 'outTradeNo or transactionId is required');
  }

  async queryOrder(params: Record<string, unknown>) {
    req(params ?? {}, 'queryOrder', ['subMchId', 'nonceStr']);
    const refused = this.unbound(params.subMchId, 'queryOrder');
    if (refused) return refused;
    const o = this.find(params, 'queryOrder', false, false);
    if (!o || o.subMchId !== String(params.subMchId)) {
      return { ...this.common({ subMchId: String(params.subMchId) }), resultCode: 'FAIL', errCode: 'ORDERNOTEXIST', errCodeDes: '此交易订单号不存在', errMsg: 'cloudPay.queryOrder:ok' };
    }
    return {
      ...this.common(o),
      resultCode: 'SUCCESS',
      tradeState: o.state,
      tradeStateDesc: TRADE_STATE_DESC[o.state],
      outTradeNo: o.outTradeNo,
      transactionId: o.transactionId,
      totalFee: o.totalFee,
      cashFee: o.state === 'NOTPAY' || o.state === 'CLOSED' ? undefined : o.totalFee,
      feeType: 'CNY',
      timeEnd: o.timeEnd,
      openid: o.payer ?? undefined,
      subOpenid: o.payer ?? undefined,
      tradeType: 'JSAPI',
      attach: o.attach,
      errCode: 0,
      errMsg: 'cloudPay.queryOrder:ok',
    };
  }

  async closeOrder(params: Record<string, unknown>) {
    req(params ?? {}, 'closeOrder', ['subMchId', 'nonceStr', 'outTradeNo']);
    const o = this.get(String(params.outTradeNo));
    if (!o) return { ...this.common({ subMchId: String(params.subMchId) }), resultCode: 'FAIL', errCode: 'ORDERNOTEXIST', errCodeDes: '订单不存在', errMsg: 'cloudPay.closeOrder:ok' };
    if (o.state === 'SUCCESS' || o.state === 'REFUND') return { ...this.common(o), resultCode: 'FAIL', errCode: 'ORDERPAID', errCodeDes: '订单已支付，不能发起关单', errMsg: 'cloudPay.closeOrder:ok' };
    o.state = 'CLOSED';
    await this.save(o);
    return { ...this.common(o), resultCode: 'SUCCESS', errCode: 0, errMsg: 'cloudPay.closeOrder:ok' };
  }

  async refund(params: Record<string, unknown>) {
    const api = 'refund';
    if (!params || typeof params !== 'object') throw fail(api, 'parameters required');
    const camel = ['subMchId', 'outTradeNo', 'outRefundNo', 'totalFee', 'refundFee', 'nonceStr'].filter((k) => k in params);
    if (camel.length && !('sub_mch_id' in params)) {
      throw fail(api, `cloudPay.refund takes snake_case parameters (sub_mch_id, nonce_str, out_trade_no, out_refund_no, total_fee, refund_fee); got ${camel.join(', ')}`);
    }
    req(params, api, ['sub_mch_id', 'nonce_str', 'out_refund_no', 'total_fee', 'refund_fee']);
    const o = this.find(params, api, true);
    const subMchId = String(params.sub_mch_id);
    const base = this.common({ subMchId });
    if (!o || o.subMchId !== subMchId) return { ...base, resultCode: 'FAIL', errCode: 'ORDERNOTEXIST', errCodeDes: '订单不存在', errMsg: 'cloudPay.refund:ok' };
    if (o.state !== 'SUCCESS' && o.state !== 'REFUND') return { ...base, resultCode: 'FAIL', errCode: 'TRADE_STATE_ERROR', errCodeDes: '订单状态错误', errMsg: 'cloudPay.refund:ok' };
    const totalFee = Number(params.total_fee);
    const refundFee = Number(params.refund_fee);
    const outRefundNo = String(params.out_refund_no);
    const prior = o.refunds.find((r) => r.outRefundNo === outRefundNo);
    if (prior) {
      if (prior.refundFee !== refundFee) return { ...base, resultCode: 'FAIL', errCode: 'INVALID_REQUEST', errCodeDes: '同一退款单号退款金额不一致', errMsg: 'cloudPay.refund:ok' };
      return this.refundResponse(o, prior);
    }
    if (totalFee !== o.totalFee) return { ...base, resultCode: 'FAIL', errCode: 'INVALID_REQUEST', errCodeDes: '订单金额与支付金额不一致', errMsg: 'cloudPay.refund:ok' };
    if (!Number.isInteger(refundFee) || refundFee <= 0) return { ...base, resultCode: 'FAIL', errCode: 'INVALID_REQUEST', errCodeDes: '退款金额必须为正整数（分）', errMsg: 'cloudPay.refund:ok' };
    const refunded = o.refunds.reduce((s, r) => s + r.refundFee, 0);
    if (refunded + refundFee > o.totalFee) return { ...base, resultCode: 'FAIL', errCode: 'INVALID_REQUEST', errCodeDes: '退款金额大于支付金额', errMsg: 'cloudPay.refund:ok' };
    if (o.refunds.length >= 50) return { ...base, resultCode: 'FAIL', errCode: 'INVALID_REQUEST', errCodeDes: '退款次数超过50次', errMsg: 'cloudPay.refund:ok' };
    const r: PayRefund = { outRefundNo, refundId: '50' + Date.now() + hex(4), refundFee, at: this.cloud.clock.now() };
    o.refunds.push(r);
    o.state = 'REFUND';
    await this.save(o);
    return this.refundResponse(o, r);
  }

  private refundResponse(o: PayOrder, r: PayRefund) {
    return {
      ...this.common(o),
      resultCode: 'SUCCESS',
      transactionId: o.transactionId,
      outTradeNo: o.outTradeNo,
      outRefundNo: r.outRefundNo,
      refundId: r.refundId,
      refundFee: r.refundFee,
      settlementRefundFee: r.refundFee,
      totalFee: o.totalFee,
      cashFee: o.totalFee,
      cashRefundFee: r.refundFee,
      couponRefundFee: 0,
      errCode: 0,
      errMsg: 'cloudPay.refund:ok',
    };
  }

  async queryRefund(params: Record<string, unknown>) {
    req(params ?? {}, 'queryRefund', ['sub_mch_id', 'nonce_str']);
    let o: PayOrder | undefined;
    if (params.out_refund_no) o = this.list().find((x) => x.refunds.some((r) => r.outRefundNo === String(params.out_refund_no)));
    else o = this.find(params, 'queryRefund', true);
    const base = this.common({ subMchId: String(params.sub_mch_id) });
    if (!o || o.refunds.length === 0) return { ...base, resultCode: 'FAIL', errCode: 'REFUNDNOTEXIST', errCodeDes: '退款订单查询失败', errMsg: 'cloudPay.queryRefund:ok' };
    const out: Record<string, unknown> = {
      ...this.common(o),
      resultCode: 'SUCCESS',
      transactionId: o.transactionId,
      outTradeNo: o.outTradeNo,
      totalFee: o.totalFee,
      cashFee: o.totalFee,
      refundCount: o.refunds.length,
      refundFee: o.refunds.reduce((s, r) => s + r.refundFee, 0),
      errCode: 0,
      errMsg: 'cloudPay.queryRefund:ok',
    };
    o.refunds.forEach((r, i) => {
      out[`outRefundNo_${i}`] = r.outRefundNo;
      out[`refundId_${i}`] = r.refundId;
      out[`refundFee_${i}`] = r.refundFee;
      out[`refundStatus_${i}`] = 'SUCCESS';
    });
    return out;
  }

  // ---------------------------------------------------------------- the user pays

  /** The notification event WeChat sends to the callback function for a paid order. */
  notificationEvent(o: PayOrder): Record<string, unknown> {
    const ev: Record<string, unknown> = {
      appid: this.cloud.appid,
      bankType: 'OTHERS',
      cashFee: o.totalFee,
      feeType: 'CNY',
      isSubscribe: 'N',
      mchId: SP_MCH_ID,
      nonceStr: hex(8),
      outTradeNo: o.outTradeNo,
      resultCode: 'SUCCESS',
      returnCode: 'SUCCESS',
      subAppid: this.cloud.appid,
      subIsSubscribe: 'N',
      subMchId: o.subMchId,
      totalFee: o.totalFee,
      tradeType: 'JSAPI',
    };
    // what JSON makes of it (no undefined value): the event is handed to the function as it is (invoke's ownEvent)
    if (o.payer != null) ev.openid = ev.subOpenid = o.payer;
    if (o.timeEnd !== undefined) ev.timeEnd = o.timeEnd;
    if (o.transactionId !== undefined) ev.transactionId = o.transactionId;
    if (o.attach !== undefined) ev.attach = o.attach;
    return ev;
  }

  /**
   * The user completes payment: the order becomes SUCCESS (once) and the callback is notified `times` times
   * (a repeated notification, as WeChat sends when it is not acknowledged). Returns each callback result.
   * `notify: 'later'` is the platform's order of events: the payment is answered once WeChat Pay has taken it
   * (wx.requestPayment's success), and the notifications are sent on their own, right after (retried when
   * unacknowledged, with autoRetry); `results` is then empty and the notifications show in the order's record.
   */
  async confirm(outTradeNo: string, opts: { times?: number; openid?: string; notify?: 'now' | 'later' } = {}): Promise<{ order: PayOrder; results: unknown[] }> {
    const o = this.peek(outTradeNo);
    if (!o) throw new CloudError('ORDERNOTEXIST', 'ORDERNOTEXIST', `no cloudPay order with outTradeNo ${outTradeNo}`);
    if (o.state === 'CLOSED') throw new CloudError('ORDERCLOSED', 'ORDERCLOSED', `order ${outTradeNo} is closed`);
    if (opts.openid && o.payer && opts.openid !== o.payer) {
      throw new CloudError('PAYER_MISMATCH', 'PAYER_MISMATCH', `order ${outTradeNo} was placed by another user`);
    }
    let paid: Promise<void> = Promise.resolve();
    if (o.state === 'NOTPAY') {
      const now = this.cloud.clock.now();
      // a new version (the kept one is shared: never changed); its arrays are the old ones, unchanged
      const next: PayOrder = { ...o, state: 'SUCCESS', paidAt: now, timeEnd: timeEndOf(now) };
      next.transactionId = '42' + String(now).slice(-10) + String(Math.floor(Math.random() * 1e16)).padStart(16, '0');
      // written before anything the notification makes (commits are written in order): no need to wait here
      paid = this.save(next);
      paid.catch(() => undefined);
    }
    const results: unknown[] = [];
    const times = Math.max(1, Math.min(10, opts.times ?? 1));
    if (opts.notify === 'later') {
      await paid;
      const send = async () => {
        for (let i = 0; i < times && !this.cloud.isClosed; i++) await this.notify(outTradeNo);
      };
      setImmediate(() => void send().catch((e: unknown) => this.cloud.log(`[localcloud] payment notification for ${outTradeNo} failed: ${(e as Error)?.message ?? e}`)));
      return { order: this.get(outTradeNo)!, results };
    }
    for (let i = 0; i < times; i++) results.push(await this.notify(outTradeNo));
    await paid;
    return { order: this.get(outTradeNo)!, results };
  }

  /** Send the payment notification once (SOURCE wx_paycallback). */
  async notify(outTradeNo: string, attempt = 0): Promise<unknown> {
    const o = this.peek(outTradeNo);
    if (!o || (o.state !== 'SUCCESS' && o.state !== 'REFUND')) throw new Error(`order ${outTradeNo} is not paid`);
    let result: unknown;
    let ok = false;
    try {
      result = await this.cloud.invoke(o.functionName, this.notificationEvent(o), { SOURCE: 'wx_paycallback' }, true);
      ok = !!result && typeof result === 'object' && (result as { errcode?: unknown }).errcode === 0;
    } catch (e) {
      result = { thrown: (e as Error)?.message ?? String(e) };
      this.cloud.log(`[localcloud] payment callback ${o.functionName} for ${outTradeNo} threw: ${(e as Error)?.stack ?? e}`);
    }
    // the order as kept now (a refund may have saved it meanwhile), with this notification added: a new version
    // with a new array (the kept one is shared), the last 20 notifications
    const fresh = this.peek(outTradeNo)!;
    const notifications = fresh.notifications.slice(fresh.notifications.length >= 20 ? fresh.notifications.length - 19 : 0);
    notifications.push({ at: this.cloud.clock.now(), result, ok });
    await this.save({ ...fresh, notifications });
    if (!ok) {
      this.cloud.log(`[localcloud] payment callback ${o.functionName} did not return { errcode: 0 } for ${outTradeNo}: ${JSON.stringify(result)}`);
      if (this.autoRetry && attempt < this.retryDelaysMs.length && !this.cloud.isClosed) {
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!this.cloud.isClosed) void this.notify(outTradeNo, attempt + 1).catch(() => undefined);
        }, this.retryDelaysMs[attempt]);
        t.unref?.();
        this.timers.add(t);
      }
    }
    return result;
  }
}
