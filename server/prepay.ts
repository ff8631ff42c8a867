/**
 * WeChat Pay's payment request (`unifiedOrder`, server/pay.ts) for a new order: most of an order creation's time
 * (100 ms a call under the cloud profile, against 8 ms a database round trip), so it is asked once the order is
 * complete — every check that can refuse it passed — while the transaction's last writes and commit go out.
 *
 * The order's id is drawn before the transaction, once: an attempt that conflicts and runs again asks again about
 * the same trade with the same details, which WeChat Pay answers with the same request (no attempt leaves a trade
 * of its own behind). The request is used only if it is exactly the committed order's (`sameAsk`: trade, amount,
 * payee, description), else asked again; a store whose sub-merchant or name changed between two attempts gets the
 * order a new id (WeChat Pay refuses an id asked about again with other details: 201 商户订单号重复), and the
 * earlier attempt's trade, which nobody got the request of, expires unpaid (proof/checks.ts accepts such a trade
 * only unpaid). A refused order asks nothing.
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
