/**
 * The C2C market's documents, ids and pure rules (SPEC §8). No I/O here: the actions in orders.ts,
 * trades.ts and queries.ts use these.
 *
 * Collections (all written only by cloud functions, owners stored explicitly):
 * - `marketOrders`  one doc per limit order, `_id` = orderIdFor(openid, requestId) (the placement's idempotency key).
 * - `marketTrades`  one doc per match, `_id` = `<taker order id>-<n>` (deterministic, so a retried transaction
 *                   writes the same documents).
 * - `marketPayment` the seller's payment details, `_id` = openid. Private: never listed, shown only to the buyer
 *                   of a trade (snapshotted on the trade when it is matched).
 * - `marketPenalty` the buyer penalty state, `_id` = openid: recent lapses and `bannedUntil`.
 *
 * Escrow bookkeeping. A user's escrow account (`user:<openid>:escrow`) holds, at every moment,
 *   Σ over their open sell orders (remaining + feeEscrowed) + Σ over their live trades as seller (quantity + fee)
 * where a trade is live while awaiting_payment / paid / appealed. Matching moves nothing in the ledger (the points
 * stay in the seller's escrow, now counted on the trade); only placement (available → escrow), order cancel
 * (escrow → available), completion (escrow → buyer's available, fee escrow → treasury), a trade returned to the
 * seller (escrow → available) move points.
 *
 * Fee split on partial fills. A sell order of quantity Q escrows F = ceil2(Q × rate) at once. A fill that brings
 * the order's matched quantity from m to m + q is charged
 *     fee = ceil2((m + q) × rate) − (F − feeEscrowed)          (clamped to [0, feeEscrowed])
 * and the fill that completes the order takes exactly what is left (feeEscrowed). Without lapses the fees of an
 * order's trades telescope to ceil2(sold × rate): the total fee is exactly the fee of what is sold, never more, and
 * rounding creates nothing (every fee comes out of the escrowed F; cancelling returns what is left of F). A trade
 * that lapses gives its quantity and its fee back to the order (when the order is still open), so a later fill is
 * charged against the same running total; at most one hundredth may differ from ceil2(sold × rate) after lapses.
 */
import { createHash } from 'crypto';
import Decimal from 'decimal.js';
import { D, ceil2, parseAmount } from '../../shared/decimal';
import { DomainError } from '../../shared/errors';
import type { MarketOrderStatus, Side, TradeStatus } from '../../shared/api';

export const ORDERS = 'marketOrders';
export const TRADES = 'marketTrades';
export const PAYMENT = 'marketPayment';
export const PENALTY = 'marketPenalty';

export interface OrderDoc {
  _id: string;
  openid: string;
  userNo: string;
  side: Side;
  priceFen: number;
  quantity: string;
  remaining: string;
  feeTotal: string; // sell: ceil2(quantity × rate) escrowed at placement; buy: '0.00'
  feeEscrowed: string; // sell: the part of feeTotal not yet given to a trade
  feeRate: string; // the rate in force at placement
  status: MarketOrderStatus;
  requestId: string;
  takerTradeIds: string[]; // trades this order made as the incoming order
  tradeCount: number; // trades this order created as taker (next trade id suffix)
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  filledAt: number | null;
  /** Why the platform cancelled it (a barred buyer's resting buy orders); absent when the owner did. */
  cancelReason?: 'buyer_suspended' | null;
}

export interface PaymentSnapshot {
  qrFileId: string | null;
  accountText: string | null;
}

/** A screenshot (payment record, chat) one side of an appealed trade gives as proof. */
export interface ProofDoc {
  by: 'buyer' | 'seller';
  fileId: string;
  note: string;
  at: number;
}

export interface AppealDoc {
  by: 'buyer' | 'seller';
  byOpenid: string;
  reason: string;
  at: number;
  /** The appellant's screenshot first; the other side may add theirs (MarketApi.addProof). Older appeals have none. */
  proofs?: ProofDoc[];
  decision?: 'release' | 'return';
  decisionReason?: string;
  decidedAt?: number;
  decidedBy?: string;
}

export interface TradeDoc {
  _id: string;
  buyOrderId: string;
  sellOrderId: string;
  buyer: string;
  seller: string;
  parties: string[]; // [buyer, seller], for "my trades"
  buyerUserNo: string;
  sellerUserNo: string;
  takerSide: Side;
  priceFen: number;
  quantity: string;
  amountFen: number;
  fee: string;
  status: TradeStatus;
  createdAt: number;
  payDeadline: number;
  paidAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
  cancelReason: 'lapsed' | 'appeal_return' | 'buyer_cancelled' | null;
  /** Where a cancelled trade's points went: back into the sell order, or to the seller's available points. */
  returnedTo: 'order' | 'available' | null;
  appealableAt: number | null;
  appeal: AppealDoc | null;
  sellerPayment: PaymentSnapshot;
  updatedAt: number;
}

export interface PenaltyDoc {
  _id: string;
  lapses: number[]; // lapse times (the trade's pay deadline) within the last window
  bannedUntil: number;
  updatedAt: number;
}

export const LIVE_TRADE_STATUSES: TradeStatus[] = ['awaiting_payment', 'paid', 'appealed'];

// ---------------------------------------------------------------- ids

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function requireRequestId(v: unknown): string {
  if (typeof v !== 'string' || !REQUEST_ID.test(v)) {
    throw new DomainError('BAD_REQUEST_ID', '请求编号无效（需 8–64 位字母、数字、下划线或连字符）');
  }
  return v;
}

/** The order id a placement gets: the same caller and requestId always give the same id. */
export function orderIdFor(openid: string, requestId: string): string {
  return 'MO' + createHash('sha256').update(`${openid}|${requestId}`).digest('hex').slice(0, 22);
}

export function tradeIdFor(takerOrderId: string, n: number): string {
  return `${takerOrderId.replace(/^MO/, 'MT')}-${n}`;
}

export function requireId(v: unknown, what: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(v)) throw new DomainError('BAD_REQUEST', `${what}无效`);
  return v;
}

// ---------------------------------------------------------------- inputs

export function requireSide(v: unknown): Side {
  if (v !== 'buy' && v !== 'sell') throw new DomainError('BAD_SIDE', '请选择买入或卖出');
  return v;
}

export function requirePriceFen(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new DomainError('BAD_PRICE', '价格须为正整数（分）');
  }
  return v;
}

/** A points amount as sent by a client: a decimal string (or number) with at most 2 decimals, above 0. */
export function parsePoints(v: unknown, what = '数量', code = 'BAD_QUANTITY'): Decimal {
  return parseAmount(v, { field: what, code, allowZero: false, maxDecimals: 2, max: '100000000' });
}

export function requireOrderQuantity(v: unknown): Decimal {
  const q = parsePoints(v);
  if (q.lt(1)) throw new DomainError('BAD_QUANTITY', '委托数量至少 1 个积分');
  return q;
}

export function requireInBand(priceFen: number, band: { minFen: number; maxFen: number }, guideFen: number): void {
  if (priceFen < band.minFen || priceFen > band.maxFen) {
    throw new DomainError(
      'PRICE_OUT_OF_BAND',
      `价格须在今日指导价 ¥${(guideFen / 100).toFixed(2)} 的浮动范围内：¥${(band.minFen / 100).toFixed(2)}–¥${(band.maxFen / 100).toFixed(2)}`,
    );
  }
}

export function requireReason(v: unknown, what = '理由'): string {
  if (typeof v !== 'string' || v.trim().length === 0) throw new DomainError('REASON_REQUIRED', `请填写${what}`);
  const s = v.trim();
  if (s.length > 500) throw new DomainError('REASON_TOO_LONG', `${what}不超过 500 字`);
  return s;
}

// ---------------------------------------------------------------- amounts

export const fmt2 = (d: Decimal.Value): string => D(d).toFixed(2);

/** The fee a sell order of `quantity` escrows at placement: charged, so rounded up. */
export function orderFee(quantity: Decimal.Value, rate: Decimal.Value): Decimal {
  return ceil2(D(quantity).times(rate));
}

/**
 * The fee of a fill of `q` from a sell order (see the file comment). The fill that empties the order takes all
 * that is left of its escrowed fee.
 */
export function fillFee(order: Pick<OrderDoc, 'quantity' | 'remaining' | 'feeTotal' | 'feeEscrowed' | 'feeRate'>, q: Decimal.Value): Decimal {
  const qty = D(q);
  const escrowed = D(order.feeEscrowed);
  if (qty.gte(order.remaining)) return escrowed;
  const matchedAfter = D(order.quantity).minus(order.remaining).plus(qty);
  const committed = D(order.feeTotal).minus(escrowed);
  const due = ceil2(matchedAfter.times(order.feeRate)).minus(committed);
  if (due.lt(0)) return D(0);
  return due.gt(escrowed) ? escrowed : due;
}

/** Cash the buyer pays for `quantity` at `priceFen`: whole fen, rounded up (the seller is never short). */
export function amountFenOf(priceFen: number, quantity: Decimal.Value): number {
  return D(quantity).times(priceFen).ceil().toNumber();
}
