/**
 * Placing and cancelling limit orders (SPEC §8), and matching.
 *
 * Matching in a cloud function, where a transaction may only address documents by id:
 * 1. outside the transaction, a `where` query loads the candidate resting orders of the other side that cross
 *    the incoming price, best price first then oldest (one page of ≤ 100, never the caller's own orders);
 * 2. inside one transaction, every candidate is read again by id (so two takers racing for the same resting
 *    order both write it and one of them conflicts and retries, re-reading it: no double fill), the price-time
 *    core of shared/orderbook.ts decides the fills, and the orders, the trades and the ledger entry are written.
 * When a full page was matched and the incoming order still has some left, the next page is matched the same way
 * in a further transaction (the order is then resting and may itself be hit in between, which is fine).
 *
 * A sell order escrows quantity + fee at once (ledger entry `market:sell:<orderId>`, available → escrow).
 * A buy order holds nothing: the cash is paid to the seller outside the platform.
 */
import Decimal from 'decimal.js';
import { D, formatPointsText } from '../../shared/decimal';
import { DomainError } from '../../shared/errors';
import { matchIncoming } from '../../shared/orderbook';
import type { MarketOrder, Side, Trade } from '../../shared/api';
import type { Caller } from '../handler';
import { now } from '../clock';
import { Tx, createDoc, getDb, lockAndRead, readDoc, runTx, writeDoc } from '../db';
import { postEntry, registerLedgerKind, userAvailable, userEscrow } from '../ledger';
import { settleFirst, userHolderId } from '../svView';
import { priceBand, requireUserNo } from './deps';
import {
  ORDERS,
  OrderDoc,
  PAYMENT,
  PENALTY,
  PaymentSnapshot,
  PenaltyDoc,
  TRADES,
  TradeDoc,
  amountFenOf,
  fillFee,
  fmt2,
  orderFee,
  orderIdFor,
  requireId,
  requireInBand,
  requireOrderQuantity,
  requirePriceFen,
  requireRequestId,
  requireSide,
  tradeIdFor,
} from './model';
import { orderView, tradeView } from './views';
import { notifyMatched } from './notify';

registerLedgerKind('market_escrow', '挂单卖出，积分冻结');
registerLedgerKind('market_unescrow', '撤单，冻结积分退回');

export const PAGE = 100;
/**
 * Fills one matching transaction makes at most (DESIGN "Rules for running at the platform's scale", 3 and 4): a
 * large order against a deep book continues in the next transaction, so each one locks a bounded number of
 * resting orders for a few round trips, whatever the order's size.
 */
export const MAX_FILLS_PER_TX = 8;

const opposite = (s: Side): Side => (s === 'buy' ? 'sell' : 'buy');

function crosses(incoming: { side: Side; priceFen: number }, restingPriceFen: number): boolean {
  return incoming.side === 'buy' ? restingPriceFen <= incoming.priceFen : restingPriceFen >= incoming.priceFen;
}

/** Price-time order of resting orders for an incoming order of `side`: best price first, then oldest. */
export function restingOrderCompare(side: Side) {
  return (a: OrderDoc, b: OrderDoc): number => {
    if (a.priceFen !== b.priceFen) return side === 'buy' ? a.priceFen - b.priceFen : b.priceFen - a.priceFen;
    if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
    return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
  };
}

/**
 * One page of resting orders an incoming order could match, in price-time priority. The band applies when an order
 * is placed: a resting order keeps its price when the guide price moves, and trades at it (so the book never crosses).
 */
async function loadCandidates(side: Side, priceFen: number, openid: string): Promise<OrderDoc[]> {
  const db = getDb();
  const _ = db.command;
  const other = opposite(side);
  const res = await db
    .collection(ORDERS)
    .where({ side: other, status: 'open', priceFen: side === 'buy' ? _.lte(priceFen) : _.gte(priceFen), openid: _.neq(openid) })
    .orderBy('priceFen', side === 'buy' ? 'asc' : 'desc')
    .orderBy('createdAt', 'asc')
    .orderBy('_id', 'asc')
    .limit(PAGE)
    .get();
  return (res.data ?? []) as OrderDoc[];
}

export interface Fill {
  restingId: string;
  priceFen: number;
  quantity: Decimal;
}

/** The fills of `incoming` against `resting` (already in priority order), by the shared price-time core. */
export function planFills(resting: OrderDoc[], incoming: OrderDoc): Fill[] {
  const result = matchIncoming(
    resting.map((o) => ({ id: o._id, side: o.side, priceFen: o.priceFen, quantity: o.remaining, seq: o.createdAt, owner: o.openid })),
    { id: incoming._id, side: incoming.side, priceFen: incoming.priceFen, quantity: incoming.remaining, seq: incoming.createdAt, owner: incoming.openid },
  );
  return result.trades.map((t) => ({ restingId: t.makerId, priceFen: t.priceFen, quantity: D(t.quantity) }));
}

async function paymentSnapshot(tx: Tx, seller: string, cache: Map<string, PaymentSnapshot>): Promise<PaymentSnapshot> {
  const hit = cache.get(seller);
  if (hit) return hit;
  const doc = await readDoc<PaymentSnapshot>(tx, PAYMENT, seller);
  const snap: PaymentSnapshot = { qrFileId: doc?.qrFileId ?? null, accountText: doc?.accountText ?? null };
  cache.set(seller, snap);
  return snap;
}

/**
 * Inside a sell order's transaction: whether the seller has payment details, read after locking their document
 * (CloudBase does not re-check reads at commit; setPaymentDetails locks the same document before it clears them).
 */
async function lockedPaymentDetails(tx: Tx, openid: string): Promise<boolean> {
  const doc = await lockAndRead<PaymentSnapshot>(tx, PAYMENT, openid);
  return !!(doc && (doc.qrFileId || doc.accountText));
}

/** Refuse a buy while the buyer is barred for letting trades lapse (SPEC §8). */
export function assertMayBuy(p: PenaltyDoc | null, at: number): void {
  if (p && p.bannedUntil > at) {
    const mins = Math.ceil((p.bannedUntil - at) / 60000);
    const h = Math.floor(mins / 60);
    const m = mins % 60;
    throw new DomainError('BUYER_SUSPENDED', `你近期有多笔交易超时未付款，暂停买入，${h > 0 ? `${h} 小时 ` : ''}${m} 分钟后恢复`);
  }
}

interface PassResult {
  replay: OrderDoc | null;
  order: OrderDoc;
  newTrades: TradeDoc[];
  matchedAny: boolean;
  /** Stopped at MAX_FILLS_PER_TX with candidates left: the next pass continues. */
  more: boolean;
}

/**
 * One matching pass in one transaction. Pass 0 creates the order (and its escrow); later passes continue
 * an order that is resting already.
 */
async function matchPass(tx: Tx, first: boolean, fresh: OrderDoc, candidates: OrderDoc[], at: number): Promise<PassResult> {
  const newTrades: TradeDoc[] = [];
  let order: OrderDoc;
  // locked, then read: CloudBase does not re-check at commit what a transaction read
  const existing = first ? await readDoc<OrderDoc>(tx, ORDERS, fresh._id) : await lockAndRead<OrderDoc>(tx, ORDERS, fresh._id);
  if (first) {
    if (existing) return { replay: existing, order: existing, newTrades, matchedAny: false, more: false };
    order = { ...fresh, takerTradeIds: [] };
    if (order.side === 'sell') {
      // in the transaction it guards, after taking the lock (clearing the details locks the same document)
      if (!(await lockedPaymentDetails(tx, order.openid))) {
        throw new DomainError('PAYMENT_DETAILS_REQUIRED', '卖出前请先设置收款方式（收款码或收款账号），买家将按此付款');
      }
      const need = D(order.quantity).plus(order.feeTotal);
      await settleFirst(tx, userHolderId(order.openid)); // released points can be sold at once (SPEC §5)
      try {
        await postEntry(tx, {
          key: `market:sell:${order._id}`,
          kind: 'market_escrow',
          debit: userAvailable(order.openid),
          credit: userEscrow(order.openid),
          amount: need,
          ref: order._id,
          memo: `卖出 ${order.quantity}（含手续费 ${order.feeTotal}）`,
        });
      } catch (e) {
        if ((e as DomainError)?.code === 'INSUFFICIENT_POINTS') {
          throw new DomainError('INSUFFICIENT_POINTS', `可用积分不足：卖出 ${formatPointsText(order.quantity)} 需冻结 ${formatPointsText(fmt2(need))}（含手续费 ${formatPointsText(order.feeTotal)}）`);
        }
        throw e;
      }
    } else {
      assertMayBuy(await readDoc<PenaltyDoc>(tx, PENALTY, order.openid), at);
    }
  } else {
    if (!existing || existing.status !== 'open' || D(existing.remaining).lte(0)) {
      return { replay: null, order: existing ?? fresh, newTrades, matchedAny: false, more: false };
    }
    order = { ...existing, takerTradeIds: [...(existing.takerTradeIds ?? [])] };
  }

  // Lock, then re-read, the candidates by id inside the transaction, in priority order, until they cover the order
  // or MAX_FILLS_PER_TX of them are live: what another taker took meanwhile is no longer there, and a concurrent
  // taker writing one of these fails against the lock. A wave locks as many as the query's figures say are needed
  // (its round trips go out together); a short wave (taken meanwhile) is topped up by the next.
  const { params } = await priceBand(tx);
  const live: OrderDoc[] = [];
  let need = D(order.remaining);
  let next = 0;
  while (need.gt(0) && live.length < MAX_FILLS_PER_TX && next < candidates.length) {
    const wave: OrderDoc[] = [];
    let covers = D(0);
    while (next < candidates.length && wave.length + live.length < MAX_FILLS_PER_TX && covers.lt(need)) {
      const c = candidates[next++];
      if (c.openid === order.openid || c.side === order.side || !crosses(order, c.priceFen)) continue;
      wave.push(c);
      covers = covers.plus(c.remaining);
    }
    const read = await Promise.all(wave.map((c) => lockAndRead<OrderDoc>(tx, ORDERS, c._id)));
    for (const cur of read) {
      if (!cur || cur.status !== 'open' || D(cur.remaining).lte(0) || cur.openid === order.openid || cur.side === order.side) continue;
      if (!crosses(order, cur.priceFen)) continue;
      live.push(cur);
      need = need.minus(cur.remaining);
    }
  }
  const more = need.gt(0) && live.length >= MAX_FILLS_PER_TX && next < candidates.length;
  live.sort(restingOrderCompare(order.side));

  const fills = planFills(live, order);
  const byId = new Map(live.map((o) => [o._id, o] as const));
  const touched = new Map<string, OrderDoc>();
  const payments = new Map<string, PaymentSnapshot>();
  for (const f of fills) {
    const resting = touched.get(f.restingId) ?? { ...byId.get(f.restingId)! };
    const q = f.quantity;
    if (q.lte(0) || q.gt(resting.remaining) || q.gt(order.remaining)) throw new Error(`market: bad fill ${q.toString()} for ${resting._id}`);
    const sell = order.side === 'sell' ? order : resting;
    const buy = order.side === 'buy' ? order : resting;
    const fee = fillFee(sell, q);
    sell.feeEscrowed = fmt2(D(sell.feeEscrowed).minus(fee));
    for (const o of [sell, buy]) {
      o.remaining = fmt2(D(o.remaining).minus(q));
      o.updatedAt = at;
      if (D(o.remaining).eq(0)) {
        o.status = 'filled';
        o.filledAt = at;
      }
    }
    order.tradeCount = (order.tradeCount ?? 0) + 1;
    const id = tradeIdFor(order._id, order.tradeCount);
    const trade: TradeDoc = {
      _id: id,
      buyOrderId: buy._id,
      sellOrderId: sell._id,
      buyer: buy.openid,
      seller: sell.openid,
      parties: [buy.openid, sell.openid],
      buyerUserNo: buy.userNo,
      sellerUserNo: sell.userNo,
      takerSide: order.side,
      priceFen: f.priceFen,
      quantity: fmt2(q),
      amountFen: amountFenOf(f.priceFen, q),
      fee: fmt2(fee),
      status: 'awaiting_payment',
      createdAt: at,
      payDeadline: at + params.paymentMinutes * 60_000,
      paidAt: null,
      completedAt: null,
      cancelledAt: null,
      cancelReason: null,
      returnedTo: null,
      appealableAt: null,
      appeal: null,
      sellerPayment: await paymentSnapshot(tx, sell.openid, payments),
      updatedAt: at,
    };
    order.takerTradeIds.push(id);
    touched.set(resting._id, resting);
    newTrades.push(trade);
  }
  order.updatedAt = at;
  // the writes go out together; a new order and its trades are created (add): a concurrent pass of the same
  // placement that got there first makes this one run again and find them
  await Promise.all([
    ...[...touched.values()].map((o) => writeDoc(tx, ORDERS, o._id, o)),
    ...newTrades.map((t) => createDoc(tx, TRADES, t._id, t)),
    first ? createDoc(tx, ORDERS, order._id, order) : writeDoc(tx, ORDERS, order._id, order),
  ]);
  return { replay: null, order, newTrades, matchedAny: fills.length > 0, more };
}

/** The same requestId must mean the same order: a replay with other terms is refused. */
function assertSameTerms(order: OrderDoc, side: Side, priceFen: number, quantity: Decimal): void {
  if (order.side !== side || order.priceFen !== priceFen || !D(order.quantity).eq(quantity)) {
    throw new DomainError('REQUEST_ID_REUSED', '该请求编号已用于另一笔不同的委托，请勿重复提交');
  }
}

async function replayResult(order: OrderDoc, viewer: string): Promise<{ order: MarketOrder; trades: Trade[] }> {
  const db = getDb();
  const trades: Trade[] = [];
  for (const id of order.takerTradeIds ?? []) {
    const t = await readDoc<TradeDoc>(db, TRADES, id);
    if (t) trades.push(await tradeView(t, viewer));
  }
  return { order: orderView(order), trades };
}

/** MarketApi.place */
export async function placeOrder(payload: Record<string, unknown>, caller: Caller): Promise<{ order: MarketOrder; trades: Trade[] }> {
  const openid = caller.openid;
  const requestId = requireRequestId(payload.requestId);
  const side = requireSide(payload.side);
  const priceFen = requirePriceFen(payload.priceFen);
  const quantity = requireOrderQuantity(payload.quantity);
  const db = getDb();
  const orderId = orderIdFor(openid, requestId);
  const already = await readDoc<OrderDoc>(db, ORDERS, orderId);
  if (already) {
    assertSameTerms(already, side, priceFen, quantity);
    return replayResult(already, openid);
  }

  const band = await priceBand();
  requireInBand(priceFen, band, band.guidePriceFen);
  const userNo = await requireUserNo(openid);
  const at = now();
  // a seller's payment details are checked in the transaction that creates the order (matchPass)
  if (side === 'buy') assertMayBuy(await readDoc<PenaltyDoc>(db, PENALTY, openid), at);
  // No trading with oneself: an order that would cross one's own resting order is refused.
  const _ = db.command;
  const own = await db
    .collection(ORDERS)
    .where({ openid, side: opposite(side), status: 'open', priceFen: side === 'buy' ? _.lte(priceFen) : _.gte(priceFen) })
    .limit(1)
    .get();
  if ((own.data ?? []).length > 0) {
    throw new DomainError('SELF_TRADE', side === 'buy' ? '该价格会与你自己的卖单成交，请先撤销你的卖单或调整价格' : '该价格会与你自己的买单成交，请先撤销你的买单或调整价格');
  }

  const feeTotal = side === 'sell' ? orderFee(quantity, band.params.feeRate) : D(0);
  const fresh: OrderDoc = {
    _id: orderId,
    openid,
    userNo,
    side,
    priceFen,
    quantity: fmt2(quantity),
    remaining: fmt2(quantity),
    feeTotal: fmt2(feeTotal),
    feeEscrowed: fmt2(feeTotal),
    feeRate: band.params.feeRate,
    status: 'open',
    requestId,
    takerTradeIds: [],
    tradeCount: 0,
    createdAt: at,
    updatedAt: at,
    cancelledAt: null,
    filledAt: null,
  };

  let order = fresh;
  // each pass one transaction of at most MAX_FILLS_PER_TX fills; the passes stop when the order rests or fills
  for (let pass = 0; pass < 60; pass++) {
    const candidates = await loadCandidates(side, priceFen, openid);
    const r = await runTx((tx) => matchPass(tx, pass === 0, fresh, candidates, at));
    if (r.replay) {
      assertSameTerms(r.replay, side, priceFen, quantity);
      return replayResult(r.replay, openid);
    }
    order = r.order;
    await notifyMatched(r.newTrades); // after the commit
    if (order.status !== 'open' || !r.matchedAny || (!r.more && candidates.length < PAGE)) break;
  }
  return replayResult(order, openid);
}

/**
 * Match an order that is resting already (a sell order that a lapsed trade re-opened) against the other side,
 * as if it came in now: it may cross buy orders that arrived while it was filled.
 */
export async function rematchOrder(orderId: string, at: number): Promise<void> {
  for (let pass = 0; pass < 60; pass++) {
    const o = await readDoc<OrderDoc>(getDb(), ORDERS, orderId);
    if (!o || o.status !== 'open') return;
    const candidates = await loadCandidates(o.side, o.priceFen, o.openid);
    if (candidates.length === 0) return;
    const r = await runTx((tx) => matchPass(tx, false, o, candidates, at));
    await notifyMatched(r.newTrades);
    if (r.order.status !== 'open' || !r.matchedAny || (!r.more && candidates.length < PAGE)) return;
  }
}

/** MarketApi.cancel: the unmatched part leaves the book; a sell order's unmatched escrow (and its fee) comes back. */
export async function cancelOrder(payload: Record<string, unknown>, caller: Caller): Promise<MarketOrder> {
  const orderId = requireId(payload.orderId, '委托编号');
  const order = await runTx(async (tx) => {
    const o = await lockAndRead<OrderDoc>(tx, ORDERS, orderId);
    if (!o || o.openid !== caller.openid) throw new DomainError('ORDER_NOT_FOUND', '找不到这笔委托');
    if (o.status === 'cancelled') return o;
    if (o.status !== 'open') throw new DomainError('ORDER_NOT_OPEN', '委托已全部成交，无法撤销');
    const at = now();
    const back = D(o.remaining).plus(o.feeEscrowed);
    if (o.side === 'sell' && back.gt(0)) {
      await postEntry(tx, {
        key: `market:cancel:${o._id}`,
        kind: 'market_unescrow',
        debit: userEscrow(o.openid),
        credit: userAvailable(o.openid),
        amount: back,
        ref: o._id,
        memo: `撤单退回 ${o.remaining}（含手续费 ${o.feeEscrowed}）`,
      });
    }
    const next: OrderDoc = { ...o, status: 'cancelled', cancelledAt: at, updatedAt: at };
    await writeDoc(tx, ORDERS, o._id, next);
    return next;
  });
  return orderView(order);
}
