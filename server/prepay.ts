/**
 * WeChat Pay's payment request (`unifiedOrder`, server/pay.ts) for a new order, asked as early as it can be: it is
 * most of an order creation's time (100 ms a call under the cloud profile, against 8 ms a database round trip).
 *
 * - For an order whose amount and payee are known before its transaction — an in-store payment without points, at a
 *   store this function instance saw take an order in the last minute (`knownPayee`) — it is asked before the
 *   transaction begins, for the order id the transaction will then check is free and use.
 * - Otherwise it is asked once the order is complete, while the transaction's last writes and commit go out.
 * Either way the request is used only if it is exactly the committed order's (`sameAsk`: trade, amount, payee,
 * description), else asked again. A request that is not used (the store's sub-merchant changed, the order was
 * refused, or the creation's request was a replay) leaves a trade at WeChat Pay that nobody got the payment
 * request of: no one can pay it, and it expires unpaid there (proof/checks.ts accepts such a trade only unpaid). A
 * refused order makes the instance forget the store, so a store that refuses orders gets no more early requests.
 */
import type { PaymentRequest } from '../shared/api';
import { requestPayment } from './pay';

export interface PayAsk {
  outTradeNo: string;
  totalFee: number;
  subMchId: string;
  body: string;
}

export interface Asked {
  ask: PayAsk;
  payment: Promise<PaymentRequest | 'paid'>;
}

/** The payment request's description of an order at a store. */
export function payBody(merchantName: string): string {
  return `共享购-${merchantName}`.slice(0, 120);
}

/** What WeChat Pay is asked for an order. */
export function payAskOf(o: { outTradeNo: string; cashFen: number; subMchId: string; merchantName: string }): PayAsk {
  return { outTradeNo: o.outTradeNo, totalFee: o.cashFen, subMchId: o.subMchId, body: payBody(o.merchantName) };
}

/** Send the request now; its answer (or failure) is the caller's once it decides to use it. */
export function askPayment(ask: PayAsk): Asked {
  const payment = requestPayment(ask);
  payment.catch(() => undefined); // an unused request's failure concerns no one
  return { ask, payment };
}

export function sameAsk(a: PayAsk, b: PayAsk): boolean {
  return a.outTradeNo === b.outTradeNo && a.totalFee === b.totalFee && a.subMchId === b.subMchId && a.body === b.body;
}

/** Stores this instance saw take an order lately: their sub-merchant and name (for the description), until when. */
const payees = new Map<string, { subMchId: string; name: string; until: number }>();
const PAYEE_MS = 60_000;
const MAX_PAYEES = 10_000;

export function knownPayee(merchantId: string, at: number): { subMchId: string; name: string } | null {
  const p = payees.get(merchantId);
  if (!p) return null;
  if (p.until > at) return p;
  payees.delete(merchantId);
  return null;
}

export function rememberPayee(merchantId: string, subMchId: string, name: string, at: number): void {
  if (payees.size >= MAX_PAYEES && !payees.has(merchantId)) payees.clear();
  payees.set(merchantId, { subMchId, name, until: at + PAYEE_MS });
}

export function forgetPayee(merchantId: string): void {
  payees.delete(merchantId);
}
