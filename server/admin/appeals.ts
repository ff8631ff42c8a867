/**
 * Market appeals, the admin side (SPEC §8): the list of appealed trades, and the decision — release the
 * points to the buyer (a completion: quantity to the buyer, fee to the treasury) or return them to the seller
 * (quantity and fee back to the seller's available points). The decision, its reason, who and when are kept
 * on the trade; an audit record is written too.
 */
import { DomainError } from '../../shared/errors';
import type { AdminApi, AppealItem, TradeEvent } from '../../shared/api';
import { formatYuan } from '../../shared/decimal';
import { getUser } from '../users';
import type { Caller } from '../handler';
import { now } from '../clock';
import { getDb, lockAndRead, readDoc, runTx } from '../db';
import { requireAdmin, writeAudit } from './params';
import { TRADES, TradeDoc, requireId, requireReason } from '../market/model';
import { notifyTrade } from '../market/notify';
import { completeInTx, returnInTx } from '../market/trades';
import { tradeView } from '../market/views';

/** The trade's life in order, in words, for the admin: matched, paid, appealed, each proof, decided / cancelled. */
export function tradeTimeline(t: TradeDoc, names: { buyer: string; seller: string }): TradeEvent[] {
  const side = (by: 'buyer' | 'seller') => (by === 'buyer' ? `买家 ${names.buyer}` : `卖家 ${names.seller}`);
  const ev: TradeEvent[] = [{ at: t.createdAt, what: `成交：${t.quantity} 积分，单价 ${formatYuan(t.priceFen)}，应付 ${formatYuan(t.amountFen)}` }];
  if (t.paidAt) ev.push({ at: t.paidAt, what: `${side('buyer')} 标记已付款` });
  if (t.appeal) {
    ev.push({ at: t.appeal.at, what: `${side(t.appeal.by)} 发起申诉：${t.appeal.reason}` });
    for (const p of t.appeal.proofs ?? []) ev.push({ at: p.at, what: `${side(p.by)} 提交凭证${p.note ? `：${p.note}` : ''}` });
    if (t.appeal.decidedAt) ev.push({ at: t.appeal.decidedAt, what: `平台裁决：${t.appeal.decision === 'release' ? '积分放行给买家' : '积分退回卖家'}（${t.appeal.decisionReason ?? ''}）` });
  }
  if (t.completedAt && !t.appeal?.decidedAt) ev.push({ at: t.completedAt, what: `${side('seller')} 确认收款，积分放行` });
  if (t.cancelledAt && !t.appeal?.decidedAt) ev.push({ at: t.cancelledAt, what: t.cancelReason === 'buyer_cancelled' ? `${side('buyer')} 取消交易` : '买家超时未付款，交易取消' });
  return ev.sort((a, b) => a.at - b.at);
}

async function adminView(t: TradeDoc): Promise<AppealItem> {
  const [buyer, seller] = await Promise.all([getUser(t.buyer), getUser(t.seller)]);
  const names = { buyer: buyer?.nickname || `用户${t.buyerUserNo}`, seller: seller?.nickname || `用户${t.sellerUserNo}` };
  return {
    ...(await tradeView(t, '', true)),
    buyerUserNo: t.buyerUserNo,
    sellerUserNo: t.sellerUserNo,
    buyerNickname: names.buyer,
    sellerNickname: names.seller,
    timeline: tradeTimeline(t, names),
  };
}

/**
 * AdminApi.appeals: appealed trades waiting for a decision, oldest first, 20 a page.
 * `status: 'decided'` (an added, optional field) lists decided appeals instead, newest first.
 */
export async function listAppeals(payload: Record<string, unknown>, caller: Caller): Promise<AdminApi['appeals']['res']> {
  await requireAdmin(caller.openid);
  const cursor = payload.cursor;
  if (cursor !== undefined && cursor !== null && cursor !== '' && (typeof cursor !== 'string' || !/^\d{1,7}$/.test(cursor))) {
    throw new DomainError('BAD_CURSOR', '翻页参数无效');
  }
  const skip = cursor ? Number(cursor) : 0;
  const decided = payload.status === 'decided';
  if (payload.status !== undefined && payload.status !== null && payload.status !== 'pending' && !decided) {
    throw new DomainError('BAD_STATUS', '状态参数无效');
  }
  const db = getDb();
  const _ = db.command;
  const size = 20;
  const query = decided
    ? db.collection(TRADES).where({ 'appeal.decision': _.in(['release', 'return']) }).orderBy('updatedAt', 'desc')
    : db.collection(TRADES).where({ status: 'appealed' }).orderBy('updatedAt', 'asc');
  const res = await query.orderBy('_id', 'asc').skip(skip).limit(size + 1).get();
  const list = (res.data ?? []) as TradeDoc[];
  const items: AppealItem[] = [];
  for (const t of list.slice(0, size)) items.push(await adminView(t));
  return { items, nextCursor: list.length > size ? String(skip + size) : null };
}

/** AdminApi.decideAppeal */
export async function decideAppeal(payload: Record<string, unknown>, caller: Caller): Promise<AppealItem> {
  await requireAdmin(caller.openid);
  const tradeId = requireId(payload.tradeId, '交易编号');
  const decision = payload.decision;
  if (decision !== 'release' && decision !== 'return') throw new DomainError('BAD_DECISION', '裁决须为放行给买家（release）或退回卖家（return）');
  const reason = requireReason(payload.reason, '裁决理由');
  let changed = false;
  const t = await runTx(async (tx) => {
    changed = false;
    const cur = await lockAndRead<TradeDoc>(tx, TRADES, tradeId); // locked first: the commit does not re-check reads
    if (!cur) throw new DomainError('TRADE_NOT_FOUND', '找不到这笔交易');
    if (cur.appeal?.decision) {
      if (cur.appeal.decision === decision) return cur; // a replay of the same decision
      throw new DomainError('APPEAL_DECIDED', '这笔申诉已裁决');
    }
    if (cur.status !== 'appealed' || !cur.appeal) throw new DomainError('NOT_APPEALED', '这笔交易不在申诉中');
    const at = now();
    const withDecision: TradeDoc = {
      ...cur,
      appeal: { ...cur.appeal, decision, decisionReason: reason, decidedAt: at, decidedBy: caller.openid },
    };
    const next = decision === 'release' ? await completeInTx(tx, withDecision, at) : await returnInTx(tx, withDecision, at, 'appeal_return');
    await writeAudit(tx, {
      by: caller.openid,
      what: `market.appeal.${decision}`,
      old: { tradeId: cur._id, status: cur.status },
      new: { tradeId: cur._id, status: next.status, decision },
      reason,
      ref: cur._id,
    });
    changed = true;
    return next;
  });
  if (changed) {
    const at = t.appeal?.decidedAt ?? now();
    const note = decision === 'release' ? '申诉裁决：积分放行给买家' : '申诉裁决：积分退回卖家';
    await notifyTrade(t.buyer, decision === 'release' ? 'completed' : 'cancelled', t, at, note);
    await notifyTrade(t.seller, 'appeal_decided', t, at, note);
  }
  return adminView(t);
}
