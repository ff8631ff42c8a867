/**
 * A trade's life (SPEC §8): awaiting_payment → paid (the buyer marks it) → completed (the seller confirms: the
 * points go from the seller's escrow to the buyer, the fee to the treasury).
 * - Unpaid at the deadline (tradePaymentMinutes): the `timeouts` timer cancels it (`cancelLapsedTrades`) and the
 *   points go back to the seller's order (into the book again, re-opening it if the trade had filled it) unless the
 *   seller cancelled that order, in which case they go to the seller's available points. The lapse counts against the buyer: buyerLapseLimit lapses within buyerBanHours bar buying for
 *   buyerBanHours.
 * - Paid but unconfirmed for appealAfterHours: either side may appeal; the trade is `appealed` until an admin
 *   decides (server/admin/appeals.ts): release (as a completion) or return (points and fee back to the seller's
 *   available points). The seller may still confirm an appealed trade, which releases it.
 * - The seller may also confirm a trade the buyer has not marked paid yet (the cash arrived): it completes.
 * Every change is one transaction on the trade (and the order / penalty documents it touches), so the timer and
 * a late "paid" or a confirm race safely: whichever commits first wins, the other sees the new status.
 */
import { D } from '../../shared/decimal';
import { DomainError } from '../../shared/errors';
import type { Trade } from '../../shared/api';
import type { Caller } from '../handler';
import { now } from '../clock';
import { Tx, getDb, lockAndRead, readDoc, runTx, writeDoc } from '../db';
import { postEntry, treasuryInbox, registerLedgerKind, userAvailable, userEscrow } from '../ledger';
import { marketParams, getParams } from './deps';
import { notifyAppealed, notifyTrade } from './notify';
import { ORDERS, OrderDoc, PENALTY, PenaltyDoc, TRADES, TradeDoc, fmt2, requireId, requireReason } from './model';
import { tradeView } from './views';
import { rematchOrder } from './orders';

registerLedgerKind('market_deliver', '市场成交，积分到账/交付');
registerLedgerKind('market_fee', '市场交易手续费');
registerLedgerKind('market_return', '市场交易取消，冻结积分退回');

/** A trade of `openid`'s; inside a transaction (`lock`), locked before it is read, as every state change needs. */
export async function readTradeFor(tx: Tx | unknown, tradeId: string, openid: string, lock = false): Promise<TradeDoc> {
  const t = lock ? await lockAndRead<TradeDoc>(tx as Tx, TRADES, tradeId) : await readDoc<TradeDoc>(tx, TRADES, tradeId);
  if (!t) throw new DomainError('TRADE_NOT_FOUND', '找不到这笔交易');
  if (t.buyer !== openid && t.seller !== openid) throw new DomainError('NOT_YOUR_TRADE', '这不是你的交易，无权查看或操作');
  return t;
}

/** Completion inside a transaction: quantity escrow → buyer, fee escrow → treasury. */
export async function completeInTx(tx: Tx, t: TradeDoc, at: number): Promise<TradeDoc> {
  await postEntry(tx, {
    key: `market:deliver:${t._id}`,
    kind: 'market_deliver',
    debit: userEscrow(t.seller),
    credit: userAvailable(t.buyer),
    amount: t.quantity,
    ref: t._id,
    memo: `市场成交 ${t.quantity} 积分 @¥${(t.priceFen / 100).toFixed(2)}`,
  });
  if (D(t.fee).gt(0)) {
    await postEntry(tx, {
      key: `market:fee:${t._id}`,
      kind: 'market_fee',
      debit: userEscrow(t.seller),
      credit: treasuryInbox(`trade:${t._id}`), // not the treasury itself: no trade locks a document all trades write
      creditDue: true,
      amount: t.fee,
      ref: t._id,
      memo: `市场交易手续费`,
    });
  }
  const next: TradeDoc = { ...t, status: 'completed', completedAt: at, updatedAt: at };
  await writeDoc(tx, TRADES, t._id, next);
  return next;
}

/**
 * Cancellation inside a transaction. A lapsed trade goes back into its sell order unless the seller cancelled that
 * order (an order the trade had filled opens again): the book gets the quantity again, the fee with it. Otherwise —
 * and always for an appeal returned to the seller — the quantity and the fee go back to the seller's available
 * points. A re-opened order may cross buy orders that arrived while it was filled: the caller re-matches it.
 */
export async function returnInTx(tx: Tx, t: TradeDoc, at: number, reason: 'lapsed' | 'appeal_return' | 'buyer_cancelled'): Promise<TradeDoc> {
  let returnedTo: 'order' | 'available' = 'available';
  if (reason === 'lapsed' || reason === 'buyer_cancelled') {
    const o = await lockAndRead<OrderDoc>(tx, ORDERS, t.sellOrderId);
    if (o && (o.status === 'open' || o.status === 'filled')) {
      const next: OrderDoc = {
        ...o,
        status: 'open',
        filledAt: null,
        remaining: fmt2(D(o.remaining).plus(t.quantity)),
        feeEscrowed: fmt2(D(o.feeEscrowed).plus(t.fee)),
        updatedAt: at,
      };
      await writeDoc(tx, ORDERS, o._id, next);
      returnedTo = 'order';
    }
  }
  if (returnedTo === 'available') {
    await postEntry(tx, {
      key: `market:return:${t._id}`,
      kind: 'market_return',
      debit: userEscrow(t.seller),
      credit: userAvailable(t.seller),
      amount: D(t.quantity).plus(t.fee),
      ref: t._id,
      memo: reason === 'lapsed' ? '买家超时未付款，冻结积分退回' : reason === 'buyer_cancelled' ? '买家取消交易，冻结积分退回' : '申诉裁决退回卖家',
    });
  }
  const next: TradeDoc = { ...t, status: 'cancelled', cancelledAt: at, cancelReason: reason, returnedTo, updatedAt: at };
  await writeDoc(tx, TRADES, t._id, next);
  return next;
}

/** MarketApi.trade */
export async function getTrade(payload: Record<string, unknown>, caller: Caller): Promise<Trade> {
  const tradeId = requireId(payload.tradeId, '交易编号');
  const t = await readTradeFor(getDb(), tradeId, caller.openid);
  return tradeView(t, caller.openid);
}

/** MarketApi.markPaid: the buyer says the cash is sent. */
export async function markPaid(payload: Record<string, unknown>, caller: Caller): Promise<Trade> {
  const tradeId = requireId(payload.tradeId, '交易编号');
  let changed = false;
  const t = await runTx(async (tx) => {
    changed = false;
    const cur = await readTradeFor(tx, tradeId, caller.openid, true);
    if (cur.buyer !== caller.openid) throw new DomainError('NOT_BUYER', '只有买家可以标记已付款');
    if (cur.status === 'paid') return cur;
    if (cur.status !== 'awaiting_payment') throw new DomainError('TRADE_NOT_AWAITING_PAYMENT', '这笔交易已不在待付款状态');
    const at = now();
    if (at > cur.payDeadline) throw new DomainError('TRADE_EXPIRED', '已超过付款时限，交易将被取消');
    const params = marketParams(await getParams(tx));
    const next: TradeDoc = { ...cur, status: 'paid', paidAt: at, appealableAt: at + params.appealAfterHours * 3600_000, updatedAt: at };
    await writeDoc(tx, TRADES, cur._id, next);
    changed = true;
    return next;
  });
  if (changed) await notifyTrade(t.seller, 'paid', t, t.paidAt ?? now());
  return tradeView(t, caller.openid);
}

/** MarketApi.confirm: the seller has the cash; the points go to the buyer, the fee to the treasury. */
export async function confirmTrade(payload: Record<string, unknown>, caller: Caller): Promise<Trade> {
  const tradeId = requireId(payload.tradeId, '交易编号');
  let changed = false;
  const t = await runTx(async (tx) => {
    changed = false;
    const cur = await readTradeFor(tx, tradeId, caller.openid, true);
    if (cur.seller !== caller.openid) throw new DomainError('NOT_SELLER', '只有卖家可以确认收款');
    if (cur.status === 'completed') return cur;
    if (cur.status === 'cancelled') throw new DomainError('TRADE_CANCELLED', '这笔交易已取消');
    const next = await completeInTx(tx, cur, now());
    changed = true;
    return next;
  });
  if (changed) await notifyTrade(t.buyer, 'completed', t, t.completedAt ?? now());
  return tradeView(t, caller.openid);
}

/** MarketApi.appeal: a paid trade the seller has not confirmed within appealAfterHours. */
export async function appealTrade(payload: Record<string, unknown>, caller: Caller): Promise<Trade> {
  const tradeId = requireId(payload.tradeId, '交易编号');
  const reason = requireReason(payload.reason, '申诉理由');
  const proofImage = requireProofImage(payload.proofImage);
  const t = await runTx(async (tx) => {
    const cur = await readTradeFor(tx, tradeId, caller.openid, true);
    if (cur.status === 'appealed') throw new DomainError('ALREADY_APPEALED', '这笔交易已在申诉中，请等待平台处理');
    if (cur.status !== 'paid') throw new DomainError('TRADE_NOT_APPEALABLE', '只有买家已付款、卖家未确认的交易可以申诉');
    const at = now();
    if (cur.appealableAt === null || at < cur.appealableAt) {
      const hours = Math.ceil(((cur.appealableAt ?? at) - at) / 3600_000);
      throw new DomainError('APPEAL_TOO_EARLY', `付款后超过规定时间卖家仍未确认才可申诉，请约 ${hours} 小时后再试`);
    }
    const by: 'buyer' | 'seller' = cur.buyer === caller.openid ? 'buyer' : 'seller';
    const proofs = [{ by, fileId: proofImage, note: '', at }];
    const next: TradeDoc = { ...cur, status: 'appealed', appeal: { by, byOpenid: caller.openid, reason, at, proofs }, updatedAt: at };
    await writeDoc(tx, TRADES, cur._id, next);
    return next;
  });
  await notifyAppealed(t, caller.openid);
  return tradeView(t, caller.openid);
}

const MAX_PROOFS_PER_SIDE = 3;

/** A screenshot reference: a cloud file id (uploaded by the mini-program) or an http(s) url. */
function requireProofImage(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new DomainError('PROOF_REQUIRED', '请上传付款记录或聊天记录截图作为凭证');
  const s = v.trim();
  if (s.length > 500 || !/^(cloud:\/\/|https?:\/\/)/.test(s)) throw new DomainError('BAD_PROOF', '凭证图片必须是上传后的云文件或 http(s) 地址');
  return s;
}

/**
 * MarketApi.addProof: either side of an appealed trade adds a screenshot (with a short note), so the admin
 * decides on both sides' proof. At most MAX_PROOFS_PER_SIDE each; nothing once decided.
 */
export async function addProof(payload: Record<string, unknown>, caller: Caller): Promise<Trade> {
  const tradeId = requireId(payload.tradeId, '交易编号');
  const fileId = requireProofImage(payload.proofImage);
  const note = payload.note === undefined || payload.note === null ? '' : requireReason(payload.note, '说明');
  const t = await runTx(async (tx) => {
    const cur = await readTradeFor(tx, tradeId, caller.openid);
    if (cur.status !== 'appealed' || !cur.appeal || cur.appeal.decision) throw new DomainError('NOT_APPEALED', '只有申诉处理中的交易可以补充凭证');
    const by: 'buyer' | 'seller' = cur.buyer === caller.openid ? 'buyer' : 'seller';
    const proofs = cur.appeal.proofs ?? [];
    if (proofs.filter((x) => x.by === by).length >= MAX_PROOFS_PER_SIDE) throw new DomainError('TOO_MANY_PROOFS', `每方最多提交 ${MAX_PROOFS_PER_SIDE} 张凭证`);
    const at = now();
    const next: TradeDoc = { ...cur, appeal: { ...cur.appeal, proofs: [...proofs, { by, fileId, note, at }] }, updatedAt: at };
    await writeDoc(tx, TRADES, cur._id, next);
    return next;
  });
  return tradeView(t, caller.openid);
}

/**
 * MarketApi.cancelTrade: the buyer withdraws before paying. The points go back to the seller's order (as for a
 * lapse), and it counts as a lapse against the buyer: otherwise taking an order and cancelling it would lock a
 * seller's points again and again without the penalty an unpaid trade carries.
 */
export async function cancelTrade(payload: Record<string, unknown>, caller: Caller): Promise<Trade> {
  const tradeId = requireId(payload.tradeId, '交易编号');
  let outcome: { trade: TradeDoc; banned: boolean; changed: boolean } | null = null;
  const t = await runTx(async (tx) => {
    outcome = null;
    const cur = await readTradeFor(tx, tradeId, caller.openid);
    if (cur.buyer !== caller.openid) throw new DomainError('NOT_BUYER', '只有买家可以在付款前取消交易');
    if (cur.status === 'cancelled' && cur.cancelReason === 'buyer_cancelled') {
      outcome = { trade: cur, banned: false, changed: false };
      return cur;
    }
    if (cur.status !== 'awaiting_payment') throw new DomainError('TRADE_NOT_AWAITING_PAYMENT', '已标记付款的交易不能取消；如有问题请联系卖家或申诉');
    const at = now();
    const next = await returnInTx(tx, cur, at, 'buyer_cancelled');
    const banned = await recordLapse(tx, cur.buyer, at, at);
    outcome = { trade: next, banned, changed: true };
    return next;
  });
  const o = outcome as { trade: TradeDoc; banned: boolean; changed: boolean } | null;
  if (o && o.changed) {
    const at = t.cancelledAt ?? now();
    if (o.banned) await cancelOpenBuys(t.buyer, at);
    if (t.returnedTo === 'order') await rematchOrder(t.sellOrderId, at).catch((e) => console.error('[market] re-match after cancel failed', t.sellOrderId, e));
    await notifyTrade(t.seller, 'cancelled', t, at, '买家取消了交易，积分已退回您的挂单');
  }
  return tradeView(t, caller.openid);
}

/** Record a lapse against the buyer; the limit-th lapse within the window bars buying for banHours. */
async function recordLapse(tx: Tx, buyer: string, lapseAt: number, at: number): Promise<boolean> {
  const params = marketParams(await getParams(tx));
  const p = (await readDoc<PenaltyDoc>(tx, PENALTY, buyer)) ?? { _id: buyer, lapses: [], bannedUntil: 0, updatedAt: at };
  const windowStart = lapseAt - params.banHours * 3600_000;
  let lapses = [...(p.lapses ?? []).filter((x) => x > windowStart), lapseAt].sort((a, b) => a - b);
  let bannedUntil = p.bannedUntil ?? 0;
  let banned = false;
  if (lapses.length >= params.lapseLimit) {
    bannedUntil = Math.max(bannedUntil, at + params.banHours * 3600_000);
    lapses = [];
    banned = true;
  }
  await writeDoc(tx, PENALTY, buyer, { lapses, bannedUntil, updatedAt: at });
  return banned;
}

/** A barred buyer's resting buy orders leave the book too (they hold no points, so nothing moves). */
async function cancelOpenBuys(buyer: string, at: number): Promise<void> {
  const db = getDb();
  const res = await db.collection(ORDERS).where({ openid: buyer, side: 'buy', status: 'open' }).limit(100).get();
  for (const o of (res.data ?? []) as OrderDoc[]) {
    await runTx(async (tx) => {
      const cur = await lockAndRead<OrderDoc>(tx, ORDERS, o._id);
      if (!cur || cur.status !== 'open') return;
      await writeDoc(tx, ORDERS, cur._id, { ...cur, status: 'cancelled', cancelledAt: at, cancelReason: 'buyer_suspended', updatedAt: at });
    });
  }
}

/**
 * Cancel every trade still awaiting payment after its deadline (the `timeouts` timer calls this every minute).
 * Each trade in its own transaction; a trade marked paid meanwhile is left alone. Returns how many it cancelled.
 */
export async function cancelLapsedTrades(at: number = now(), budgetMs = Infinity): Promise<{ cancelled: number }> {
  // budgetMs: stop starting new cancellations (and re-matches) after this long — the `timeouts` timer must
  // end inside its timeout (server/budgets.ts); what is left is done in the next minute
  const started = Date.now();
  const inBudget = () => Date.now() - started < budgetMs;
  const db = getDb();
  const _ = db.command;
  let cancelled = 0;
  const seen = new Set<string>();
  const reopened = new Set<string>();
  for (;;) {
    const res = await db
      .collection(TRADES)
      .where({ status: 'awaiting_payment', payDeadline: _.lt(at) })
      .orderBy('payDeadline', 'asc')
      .limit(100)
      .get();
    const page = ((res.data ?? []) as TradeDoc[]).filter((t) => !seen.has(t._id));
    if (page.length === 0 || !inBudget()) break;
    for (const cand of page) {
      if (!inBudget()) break;
      seen.add(cand._id);
      try {
        const result = await runTx(async (tx) => {
          const t = await lockAndRead<TradeDoc>(tx, TRADES, cand._id);
          if (!t || t.status !== 'awaiting_payment' || t.payDeadline >= at) return null;
          const next = await returnInTx(tx, t, at, 'lapsed');
          const banned = await recordLapse(tx, t.buyer, t.payDeadline, at);
          return { trade: next, banned };
        });
        if (result) {
          const done = result.trade;
          cancelled++;
          if (result.banned) await cancelOpenBuys(done.buyer, at);
          if (done.returnedTo === 'order') reopened.add(done.sellOrderId);
          await notifyTrade(done.buyer, 'cancelled', done, at, '超时未付款，交易取消');
        }
      } catch (e) {
        console.error('[market] lapse cancel failed', cand._id, e);
      }
    }
  }
  // Orders that got points back may meet bids that came meanwhile: match them once every lapse (and ban) is in.
  // (out of time, an order not re-matched here stays open and meets the next bid)
  for (const orderId of reopened) {
    if (!inBudget()) break;
    try {
      await rematchOrder(orderId, at);
    } catch (e) {
      console.error('[market] re-match after lapse failed', orderId, e);
    }
  }
  return { cancelled };
}
