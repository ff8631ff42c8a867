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
import { onOrderPaid, OrderDoc } from './orders';
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

  // WeChat Pay is asked at once (queryOrder, about the trade and sub-merchant the notification names), while the
  // trade's record is read — for an order, by its own transaction, which locks and reads it: the wait for WeChat Pay
  // overlaps the database's. Nothing is written before the answer confirms the payment (a transaction refused its
  // confirmation ends without a write), and the amount and sub-merchant are checked against the record.
  const eventSubMchId = typeof event.subMchId === 'string' ? event.subMchId : null;
  if (eventSubMchId === null) {
    log('refused: no sub-merchant', { outTradeNo });
    return { errcode: 0, errmsg: 'OK', outcome: 'mismatch' };
  }
  const asked: Promise<PaidState | null> = queryOrder(outTradeNo, eventSubMchId).catch((e: unknown) => {
    log('queryOrder failed', { outTradeNo, error: (e as Error)?.message ?? String(e) });
    return null;
  });
  const mismatch = (expected: number) => {
    log('refused: amount or sub-merchant does not match', { outTradeNo, totalFee, expected, subMchId: eventSubMchId });
    return { errcode: 0, errmsg: 'OK', outcome: 'mismatch' };
  };
  const unconfirmed = (q: PaidState | null): PayCallbackResult & { outcome: string } => {
    // Not applied. No answer at all (an outage): ask WeChat to notify again; an answer that is not this
    // payment: ignore it. Either way the timeouts job queries WeChat Pay again before it cancels.
    log('not applied: WeChat Pay does not confirm the payment', { outTradeNo, q });
    return q ? { errcode: 0, errmsg: 'OK', outcome: 'unconfirmed' } : { errcode: 500, errmsg: 'RETRY', outcome: 'unconfirmed' };
  };

  if (outTradeNo.startsWith('O')) {
    // inside the order's transaction, once it holds the order: the order's sub-merchant, then WeChat Pay's answer
    let refused: { mismatch: boolean; q: PaidState | null } | null = null;
    const confirm = async (o: OrderDoc): Promise<string | null> => {
      if (o.subMchId !== eventSubMchId) {
        refused = { mismatch: true, q: null };
        throw new NotConfirmed();
      }
      const q = await asked;
      if (confirmsPayment(q, { outTradeNo, totalFee: o.cashFen, subMchId: o.subMchId })) return q.transactionId ?? transactionId;
      refused = { mismatch: false, q };
      throw new NotConfirmed();
    };
    try {
      const outcome = await onOrderPaid(outTradeNo, totalFee, confirm);
      if (outcome === 'unknown') log('ignored: unknown trade', { outTradeNo });
      if (outcome === 'mismatch') log('refused: amount does not match', { outTradeNo, totalFee });
      return { errcode: 0, errmsg: 'OK', outcome };
    } catch (e) {
      const r = refused as { mismatch: boolean; q: PaidState | null } | null;
      if (e instanceof NotConfirmed && r) return r.mismatch ? mismatch(totalFee) : unconfirmed(r.q);
      throw e;
    }
  }
  const p0 = outTradeNo.startsWith('D') ? await readDoc<PurchaseDoc>(getDb(), PURCHASES_COLL, outTradeNo) : null;
  if (!p0) {
    log('ignored: unknown trade', { outTradeNo });
    return { errcode: 0, errmsg: 'OK', outcome: 'unknown' };
  }
  if (p0.priceFen !== totalFee || eventSubMchId !== p0.subMchId) return mismatch(p0.priceFen);
  const expect = { outTradeNo, totalFee: p0.priceFen, subMchId: p0.subMchId };
  const q = await asked;
  if (!confirmsPayment(q, expect)) return unconfirmed(q);
  const txId = q.transactionId ?? transactionId;
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

/** WeChat Pay did not confirm a notified payment: thrown out of the order's transaction, which then writes nothing. */
class NotConfirmed extends Error {
  constructor() {
    super('WeChat Pay does not confirm the payment');
  }
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
