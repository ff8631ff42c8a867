/**
 * The WeChat Pay notification (function `payment`): orders (`O…`) and deposit purchases (`D…`).
 *
 * Anyone can call a cloud function, so a notification is believed only when
 * 1. the cloud says it comes from WeChat Pay: `getWXContext().SOURCE` is `wx_paycallback`;
 * 2. it says SUCCESS, names a trade we created, with that trade's amount and sub-merchant (both required);
 * 3. WeChat Pay confirms it (`cloudPay.queryOrder`: paid, same trade, amount and sub-merchant).
 * It fails closed: without a positive confirmation (WeChat Pay down, not paid yet, any mismatch) nothing is
 * applied; the timeouts job asks WeChat Pay again before it cancels the order (closeOrFindPaid, expirePurchase).
 * Its effect is idempotent on `outTradeNo` (the order's / purchase's state), so the retries WeChat sends
 * change nothing. It returns `{ errcode: 0, errmsg: 'OK' }` once handled (also for a duplicate); anything
 * else makes WeChat retry, which we ask for only when something failed on our side.
 */
import { DomainError } from '../shared/errors';
import { AnyDoc, readDoc, runTx } from './db';
import { onOrderPaid, ORDERS_COLL, OrderDoc } from './orders';
import { PURCHASES_COLL, PurchaseDoc, settlePurchasePayment } from './deposit';
import { confirmsPayment, PaidState, queryOrder, refund as payRefund } from './pay';
import { getDb } from './db';
import { isPayCallbackSource } from './sources';
import { checkEventShape } from './validate';

export interface PayCallbackResult {
  errcode: number;
  errmsg: string;
}

const OUT_TRADE_NO = /^[0-9A-Za-z_-]{1,32}$/;

/** Only WeChat Pay's own invocation (SOURCE `wx_paycallback`) is a notification. */
export const isFromWeChatPay = isPayCallbackSource;

function log(kind: string, detail: unknown): void {
  console.warn(`[payment] ${kind}`, JSON.stringify(detail));
}

/**
 * Handle one notification. `source` is the SOURCE of the cloud context. Returns what the function returns
 * to WeChat, and what happened (for tests and logs).
 */
export async function handlePaymentNotification(event: AnyDoc, source: string): Promise<PayCallbackResult & { outcome: string }> {
  if (!isFromWeChatPay(source)) {
    log('refused: not from WeChat Pay', { source, outTradeNo: event?.outTradeNo });
    return { errcode: 403, errmsg: 'WRONG_SOURCE', outcome: 'forged' };
  }
  try {
    checkEventShape(event);
  } catch {
    log('ignored: too deep or too large', { outTradeNo: typeof event?.outTradeNo === 'string' ? event.outTradeNo.slice(0, 40) : null });
    return { errcode: 0, errmsg: 'OK', outcome: 'malformed' };
  }
  const outTradeNo = event?.outTradeNo;
  const totalFee = event?.totalFee;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo) || typeof totalFee !== 'number' || !Number.isSafeInteger(totalFee)) {
    log('ignored: malformed', event);
    return { errcode: 0, errmsg: 'OK', outcome: 'malformed' };
  }
  if (event.returnCode !== 'SUCCESS' || event.resultCode !== 'SUCCESS') {
    log('ignored: not a success', { outTradeNo, returnCode: event.returnCode, resultCode: event.resultCode });
    return { errcode: 0, errmsg: 'OK', outcome: 'not_success' };
  }
  const transactionId = typeof event.transactionId === 'string' ? event.transactionId : null;

  let record: { subMchId: string; fee: number; kind: 'order' | 'purchase' } | null = null;
  if (outTradeNo.startsWith('O')) {
    const o = await readDoc<OrderDoc>(getDb(), ORDERS_COLL, outTradeNo);
    if (o) record = { subMchId: o.subMchId, fee: o.cashFen, kind: 'order' };
  } else if (outTradeNo.startsWith('D')) {
    const p = await readDoc<PurchaseDoc>(getDb(), PURCHASES_COLL, outTradeNo);
    if (p) record = { subMchId: p.subMchId, fee: p.priceFen, kind: 'purchase' };
  }
  if (!record) {
    log('ignored: unknown trade', { outTradeNo });
    return { errcode: 0, errmsg: 'OK', outcome: 'unknown' };
  }
  if (record.fee !== totalFee || typeof event.subMchId !== 'string' || event.subMchId !== record.subMchId) {
    log('refused: amount or sub-merchant does not match', { outTradeNo, totalFee, expected: record.fee, subMchId: event.subMchId });
    return { errcode: 0, errmsg: 'OK', outcome: 'mismatch' };
  }
  // ask WeChat Pay itself
  let q: PaidState | null = null;
  try {
    q = await queryOrder(outTradeNo, record.subMchId);
  } catch (e) {
    log('queryOrder failed', { outTradeNo, error: (e as Error)?.message ?? String(e) });
  }
  if (!confirmsPayment(q, { outTradeNo, totalFee: record.fee, subMchId: record.subMchId })) {
    // Not applied. No answer at all (an outage): ask WeChat to notify again; an answer that is not this
    // payment: ignore it. Either way the timeouts job queries WeChat Pay again before it cancels.
    log('not applied: WeChat Pay does not confirm the payment', { outTradeNo, q });
    return q ? { errcode: 0, errmsg: 'OK', outcome: 'unconfirmed' } : { errcode: 500, errmsg: 'RETRY', outcome: 'unconfirmed' };
  }
  const txId = q.transactionId ?? transactionId;

  if (record.kind === 'order') {
    const outcome = await onOrderPaid(outTradeNo, totalFee, txId);
    return { errcode: 0, errmsg: 'OK', outcome };
  }
  const outcome = await runTx(async (tx) => {
    const p = await readDoc<PurchaseDoc>(tx, PURCHASES_COLL, outTradeNo);
    if (!p) return 'unknown' as const;
    return settlePurchasePayment(tx, p, txId);
  });
  if (outcome === 'refund') {
    const p = await readDoc<PurchaseDoc>(getDb(), PURCHASES_COLL, outTradeNo);
    if (p) {
      const r = await payRefund({ outTradeNo, outRefundNo: `R${outTradeNo.slice(1)}`, totalFee: p.priceFen, refundFee: p.priceFen, subMchId: p.subMchId });
      if (!r.ok) return { errcode: 1, errmsg: 'REFUND_FAILED', outcome };
    }
  }
  return { errcode: 0, errmsg: 'OK', outcome };
}

/** The `payment` cloud function's entry: the notification event has no `action`. */
export function paymentMain(getSource: () => string) {
  return async function main(event: unknown): Promise<PayCallbackResult> {
    try {
      const r = await handlePaymentNotification((event ?? {}) as AnyDoc, getSource());
      return { errcode: r.errcode, errmsg: r.errmsg };
    } catch (e) {
      if (e instanceof DomainError) log('domain error', { code: e.code, message: e.message });
      else console.error('[payment] failed', e);
      return { errcode: 500, errmsg: 'RETRY' };
    }
  };
}
