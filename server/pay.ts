/**
 * WeChat Pay through cloudPay (platform facts: sub-merchant mode, camelCase unifiedOrder/queryOrder,
 * snake_case refund). The payment notification goes to the `payment` function.
 */
import { randomBytes } from 'crypto';
import type { PaymentRequest, SubMchCheck } from '../shared/api';
import { DomainError } from '../shared/errors';
import { getCloud } from './db';

export const PAYMENT_FUNCTION = 'payment';

/** The local runtime's stand-in for the platform's sub-merchant id (never used in the cloud). */
export const LOCAL_PLATFORM_SUB_MCH_ID = '1900000001';

/** Whether this runs on the local cloud (its wx-server-sdk emulation marks itself; the real SDK has no such field). */
function isLocalRuntime(): boolean {
  return getCloud().LOCAL_RUNTIME === true;
}

/**
 * The platform's own sub-merchant id: merchants' deposit purchases are paid to it. Required configuration
 * (PLATFORM_SUB_MCH_ID, deploy/variables.ts): in the cloud, unset, a deposit purchase is refused with
 * PAY_NOT_CONFIGURED rather than sent to a made-up merchant number.
 */
export function platformSubMchId(): string {
  const id = process.env.PLATFORM_SUB_MCH_ID?.trim();
  if (id) return id;
  if (isLocalRuntime()) return LOCAL_PLATFORM_SUB_MCH_ID;
  console.error('[pay] PLATFORM_SUB_MCH_ID is not set on this function: deposit purchases are refused (docs/deploy.md)');
  throw new DomainError('PAY_NOT_CONFIGURED', '平台尚未配置收款商户号，暂不能购买保证金积分，请联系平台客服');
}

let pool = Buffer.alloc(0);
let poolAt = 0;

/** 32 random hex characters (from a pool of random bytes refilled 4 KB at a time). */
function nonce(): string {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.toString('hex', poolAt - 16, poolAt);
}

function envId(): string {
  const cloud = getCloud();
  try {
    const ctx = cloud.getWXContext?.();
    if (ctx?.ENV) return String(ctx.ENV);
  } catch {
    /* outside an invocation */
  }
  // TCB_ENV: set by CloudBase in every function (deploy/variables.ts)
  return process.env.TCB_ENV || 'local';
}

export async function unifiedOrder(input: { outTradeNo: string; totalFee: number; subMchId: string; body: string; attach?: string }): Promise<PaymentRequest> {
  const r = await requestPayment(input);
  if (r === 'paid') throw new DomainError('PAY_UNAVAILABLE', '微信支付下单失败：该订单已支付');
  return r;
}

/**
 * unifiedOrder, but a trade WeChat Pay has already taken (ORDERPAID: the user paid and the notification has not
 * been applied yet, e.g. the function died first) answers 'paid' instead of failing, so the caller can confirm it.
 */
export async function requestPayment(input: { outTradeNo: string; totalFee: number; subMchId: string; body: string; attach?: string }): Promise<PaymentRequest | 'paid'> {
  const cloud = getCloud();
  const res = await cloud.cloudPay.unifiedOrder({
    body: input.body.slice(0, 128),
    outTradeNo: input.outTradeNo,
    spbillCreateIp: '127.0.0.1',
    subMchId: input.subMchId,
    totalFee: input.totalFee,
    envId: envId(),
    functionName: PAYMENT_FUNCTION,
    nonceStr: nonce(),
    tradeType: 'JSAPI',
    ...(input.attach ? { attach: input.attach } : {}),
  });
  if (res?.returnCode === 'SUCCESS' && res.errCode === 'ORDERPAID') return 'paid';
  if (!res || res.returnCode !== 'SUCCESS' || (res.resultCode && res.resultCode !== 'SUCCESS')) {
    console.error('[pay] unifiedOrder failed', res);
    throw new DomainError('PAY_UNAVAILABLE', `微信支付下单失败：${res?.errCodeDes ?? res?.returnMsg ?? '请稍后再试'}`);
  }
  return { outTradeNo: input.outTradeNo, totalFee: input.totalFee, payment: (res.payment ?? {}) as Record<string, string> };
}

export interface PaidState {
  paid: boolean;
  totalFee: number | null;
  transactionId: string | null;
  subMchId: string | null;
  outTradeNo: string | null;
}

/**
 * True only on a positive confirmation from WeChat Pay that this trade (outTradeNo) of this sub-merchant was
 * paid this amount. Anything else — no answer, an outage, another state, another amount or sub-merchant — is
 * not a payment: the caller leaves the trade as it is (the timeouts job asks again later). Fails closed.
 */
export function confirmsPayment(q: PaidState | null, expect: { outTradeNo: string; totalFee: number; subMchId: string }): q is PaidState {
  return !!q && q.paid && q.totalFee === expect.totalFee && q.subMchId === expect.subMchId && q.outTradeNo === expect.outTradeNo;
}

/** Ask WeChat Pay whether a trade was paid (used to confirm notifications and before cancelling). */
export async function queryOrder(outTradeNo: string, subMchId: string): Promise<PaidState | null> {
  const cloud = getCloud();
  if (typeof cloud.cloudPay?.queryOrder !== 'function') return null;
  const res = await cloud.cloudPay.queryOrder({ subMchId, outTradeNo, nonceStr: nonce() });
  if (!res || res.returnCode !== 'SUCCESS') return null;
  const paid = res.resultCode === 'SUCCESS' && res.tradeState === 'SUCCESS';
  return {
    paid,
    totalFee: typeof res.totalFee === 'number' ? res.totalFee : res.totalFee !== undefined ? Number(res.totalFee) : null,
    transactionId: res.transactionId ?? null,
    subMchId: res.subMchId !== undefined && res.subMchId !== null ? String(res.subMchId) : null,
    outTradeNo: res.outTradeNo !== undefined && res.outTradeNo !== null ? String(res.outTradeNo) : null,
  };
}

/** Refund a paid trade in full. Idempotent at WeChat Pay on out_refund_no. */
export async function refund(input: { outTradeNo: string; outRefundNo: string; totalFee: number; refundFee: number; subMchId: string }): Promise<{ ok: boolean; detail: unknown }> {
  const cloud = getCloud();
  const res = await cloud.cloudPay.refund({
    sub_mch_id: input.subMchId,
    nonce_str: nonce(),
    out_trade_no: input.outTradeNo,
    out_refund_no: input.outRefundNo,
    total_fee: input.totalFee,
    refund_fee: input.refundFee,
  });
  const ok = !!res && (res.returnCode === 'SUCCESS' || res.return_code === 'SUCCESS') && (res.resultCode ?? res.result_code ?? 'SUCCESS') === 'SUCCESS';
  if (!ok) console.error('[pay] refund failed', res);
  return { ok, detail: res };
}

/**
 * Close an unpaid trade before cancelling its order, so it can no longer be paid. Returns 'closed' (or it
 * never existed), 'paid' (it was paid meanwhile: process the payment instead) or 'unknown' (call failed).
 */
export async function closeOrder(outTradeNo: string, subMchId: string): Promise<'closed' | 'paid' | 'unknown'> {
  const cloud = getCloud();
  if (typeof cloud.cloudPay?.closeOrder !== 'function') return 'unknown';
  try {
    const res = await cloud.cloudPay.closeOrder({ subMchId, outTradeNo, nonceStr: nonce() });
    if (res?.resultCode === 'SUCCESS') return 'closed';
    if (res?.errCode === 'ORDERNOTEXIST') return 'closed';
    if (res?.errCode === 'ORDERPAID') return 'paid';
    if (res?.errCode === 'ORDERCLOSED') return 'closed';
    return 'unknown';
  } catch (e) {
    console.warn('[pay] closeOrder failed', outTradeNo, e);
    return 'unknown';
  }
}


/**
 * Whether a sub-merchant id can take payments through this environment. WeChat offers no call that answers
 * this directly, so the probe asks cloudPay.queryOrder for a trade number that cannot exist: a sub-merchant
 * bound to the environment (service relation, JSAPI authorised) gets ORDERNOTEXIST; one that is not gets a
 * refusal of the relation (returnCode FAIL, e.g. 受理关系不存在 / 特约子商户商户号未授权服务商的产品权限).
 * Anything else (a network failure, another error) is 'unknown'. The reading of those answers is ours, not
 * WeChat's documentation (docs/deploy.md).
 */
export async function probeSubMerchant(subMchId: string, at: number): Promise<SubMchCheck> {
  const cloud = getCloud();
  try {
    const res = await cloud.cloudPay.queryOrder({ subMchId, outTradeNo: `PROBE${nonce().slice(0, 24)}`, nonceStr: nonce() });
    const msg = String(res?.errCodeDes ?? res?.returnMsg ?? res?.errCode ?? '');
    if (res?.returnCode === 'SUCCESS' && (res.errCode === 'ORDERNOTEXIST' || res.resultCode === 'SUCCESS')) return { status: 'bound', detail: msg || 'ORDERNOTEXIST', at };
    if (res?.returnCode === 'FAIL' || /受理关系|未授权|NOAUTH|NO_AUTH/i.test(msg)) return { status: 'not_bound', detail: msg || 'FAIL', at };
    return { status: 'unknown', detail: msg || JSON.stringify(res ?? null).slice(0, 200), at };
  } catch (e) {
    return { status: 'unknown', detail: String((e as Error)?.message ?? e).slice(0, 200), at };
  }
}
