/**
 * Deposit purchases (SPEC §6.2–6.3): a store buys the points of its deposit from the treasury with WeChat Pay;
 * the points are reserved at once and delivered when the payment is confirmed.
 */
import type { PaymentRequest } from '../shared/api';
import { Dec, ZERO, toAmountString } from '../shared/decimal';
import { DomainError, isDomainError } from '../shared/errors';
import { depositPointsNeeded, depositPriceFen } from '../shared/settlement';
import { now } from './clock';
import { getGuidePriceFen, getParams } from './config';
import { Tx, getDb, lockAndRead, newDocId, patchDoc, readAll, readDoc, runTx, writeDoc } from './db';
import { TREASURY, balanceIn, ensureAccount, merchantAccount, postEntry, registerLedgerKind } from './ledger';
import { closeOrder, confirmsPayment, platformSubMchId, queryOrder, unifiedOrder } from './pay';
import { checkRequest } from './requests';
import { merchantHolderId, settleFirst } from './svView';
import { Payload, points as pointsOf, requestId as requestIdOf } from './validate';
import { MERCHANTS_COLL, MerchantDoc, maybeActivate, requireMyMerchant } from './merchants';

export const PURCHASES_COLL = 'purchases';

registerLedgerKind('deposit_purchase', '购买保证金积分');
registerLedgerKind('deposit_reserve', '保证金积分预留');
registerLedgerKind('deposit_unreserve', '保证金订单取消，积分退回储备');

export const purchaseHold = (purchaseId: string) => `hold:purchase:${purchaseId}`;

export interface PurchaseDoc {
  _id: string;
  merchantId: string;
  ownerOpenid: string;
  points: string;
  priceFen: number;
  guidePriceFen: number;
  status: 'unpaid' | 'paid' | 'cancelled' | 'refunded';
  outTradeNo: string;
  subMchId: string;
  createdAt: number;
  payExpiresAt: number;
  paidAt: number | null;
  cancelledAt: number | null;
  transactionId: string | null;
  note?: string;
}

/**
 * Buy deposit points from the treasury (SPEC §6.2–6.3). The treasury sells a store at most what brings its points
 * balance up to the deposit value at this moment's guide price (`depositPointsNeeded`), one unpaid purchase at a
 * time; beyond that a store buys on the C2C market. The points are reserved at once (treasury →
 * hold:purchase:<id>), so a paid purchase can always be delivered. A refusal never names the treasury's balance.
 */
export async function buyDeposit(openid: string, p: Payload): Promise<{ purchaseId: string; priceFen: number; pay: PaymentRequest }> {
  const requestId = requestIdOf(p);
  const pts = pointsOf(p, 'points', { label: '购买积分', max: '1000000' });
  const created = await runTx(async (tx) => {
    const req = await checkRequest<{ purchaseId: string }>(tx, 'merchant.buyDeposit', openid, requestId, p);
    if (req.replay) {
      const old = await readDoc<PurchaseDoc>(tx, PURCHASES_COLL, req.result.purchaseId);
      if (!old) throw new Error('purchase of a recorded request is missing');
      return old;
    }
    const mine = await requireMyMerchant(openid, tx);
    // lock the store, then its account, then read: a concurrent purchase or a deduction conflicts and retries
    const m = (await lockAndRead<MerchantDoc>(tx, MERCHANTS_COLL, mine._id)) ?? mine;
    if (m.openPurchaseId) {
      const open = await readDoc<PurchaseDoc>(tx, PURCHASES_COLL, m.openPurchaseId);
      if (open && open.status === 'unpaid') {
        throw new DomainError('PURCHASE_PENDING', `店铺还有一笔未支付的保证金购买（${open.points} 积分）：请先完成支付，或等它过期后再买`);
      }
    }
    await settleFirst(tx, merchantHolderId(m._id)); // the deposit it holds includes its released points
    const [params, guidePriceFen, balance] = await Promise.all([getParams(tx), getGuidePriceFen(tx), balanceIn(tx, merchantAccount(m._id))]); // balanceIn locks, then reads
    const limit = depositPointsNeeded({ depositValueFen: params.merchantDepositValueFen, guidePriceFen, heldPoints: balance.toFixed(2) });
    if (limit.isZero()) {
      throw new DomainError('DEPOSIT_LIMIT', '店铺积分已达到保证金要求，平台不再出售；需要更多积分请在交易市场购买');
    }
    if (pts.gt(limit)) {
      throw new DomainError('DEPOSIT_LIMIT', `平台只出售补足保证金所需的积分：本店最多可购买 ${toAmountString(limit)} 积分；更多积分请在交易市场购买`);
    }
    const priceFen = depositPriceFen(pts.toFixed(2), guidePriceFen);
    if (priceFen < 1) throw new DomainError('INVALID_POINTS', '购买数量太少');
    const at = now();
    const purchaseId = await newDocId(tx, PURCHASES_COLL, 'D', at);
    const doc: PurchaseDoc = {
      _id: purchaseId,
      merchantId: m._id,
      ownerOpenid: openid,
      points: pts.toFixed(2),
      priceFen,
      guidePriceFen,
      status: 'unpaid',
      outTradeNo: purchaseId,
      subMchId: platformSubMchId(),
      createdAt: at,
      payExpiresAt: at + params.unpaidOrderMinutes * 60_000,
      paidAt: null,
      cancelledAt: null,
      transactionId: null,
    };
    try {
      await postEntry(tx, { key: `purchase:${purchaseId}:reserve`, kind: 'deposit_reserve', debit: TREASURY, credit: purchaseHold(purchaseId), amount: pts, ref: purchaseId });
    } catch (e) {
      // the treasury's own figure never goes to a store (it would tell anyone how much to reserve to empty it)
      if (isDomainError(e) && e.code === 'INSUFFICIENT_POINTS') throw new DomainError('TREASURY_SHORT', '平台储备积分暂时不足，请稍后再试，或在交易市场购买');
      throw e;
    }
    await writeDoc(tx, PURCHASES_COLL, purchaseId, doc);
    await patchDoc(tx, MERCHANTS_COLL, m._id, { openPurchaseId: purchaseId, updatedAt: at });
    await req.record({ purchaseId });
    return doc;
  });
  if (created.status !== 'unpaid') throw new DomainError('INVALID_STATE', '该购买订单已结束');
  const pay = await unifiedOrder({ outTradeNo: created.outTradeNo, totalFee: created.priceFen, subMchId: created.subMchId, body: `共享购-保证金积分 ${created.points}` });
  return { purchaseId: created._id, priceFen: created.priceFen, pay };
}

/**
 * Points reserved for unpaid deposit purchases (Σ of their hold:purchase accounts): shown apart from the treasury
 * and from what circulates. At most one unpaid purchase per store, so this reads at most one page per 100 stores.
 */
export async function reservedForPurchases(): Promise<Dec> {
  const db = getDb();
  const list = await readAll<PurchaseDoc>(db.collection(PURCHASES_COLL).where({ status: 'unpaid' }).field({ points: true }));
  return list.reduce((sum, p) => sum.plus(p.points), ZERO);
}

/** In a transaction: the store's open purchase is no longer `purchaseId` (paid, cancelled or refunded). */
async function closeOpenPurchase(tx: Tx, merchantId: string, purchaseId: string): Promise<void> {
  const m = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, merchantId);
  if (m && m.openPurchaseId === purchaseId) await patchDoc(tx, MERCHANTS_COLL, merchantId, { openPurchaseId: null, updatedAt: now() });
}

/**
 * In a transaction, on a verified payment of a deposit purchase: the reserved points go to the merchant
 * (or straight from the treasury if the reservation lapsed), then the merchant may become active.
 * Returns 'paid' | 'duplicate' | 'refund' (paid after it was cancelled and the treasury cannot cover it).
 */
export async function settlePurchasePayment(tx: Tx, purchase: PurchaseDoc, transactionId: string | null): Promise<'paid' | 'duplicate' | 'refund'> {
  if (purchase.status === 'paid' || purchase.status === 'refunded') return 'duplicate';
  const at = now();
  const acc = merchantAccount(purchase.merchantId);
  const m = await readDoc<MerchantDoc>(tx, MERCHANTS_COLL, purchase.merchantId);
  await ensureAccount(tx, acc, m?.ownerOpenid);
  await settleFirst(tx, merchantHolderId(purchase.merchantId)); // activation below counts its released points
  if (purchase.status === 'unpaid') {
    await postEntry(tx, { key: `purchase:${purchase._id}:deliver`, kind: 'deposit_purchase', debit: purchaseHold(purchase._id), credit: acc, amount: purchase.points, ref: purchase._id });
  } else {
    // cancelled by the timeout just before the money came: sell from the treasury if it still can
    const treasury = await balanceIn(tx, TREASURY);
    if (treasury.lt(purchase.points)) {
      await writeDoc(tx, PURCHASES_COLL, purchase._id, { ...purchase, status: 'refunded', transactionId, note: 'paid after cancel; treasury short', paidAt: at });
      await closeOpenPurchase(tx, purchase.merchantId, purchase._id);
      return 'refund';
    }
    await postEntry(tx, { key: `purchase:${purchase._id}:deliver`, kind: 'deposit_purchase', debit: TREASURY, credit: acc, amount: purchase.points, ref: purchase._id });
  }
  await writeDoc(tx, PURCHASES_COLL, purchase._id, { ...purchase, status: 'paid', paidAt: at, transactionId });
  await closeOpenPurchase(tx, purchase.merchantId, purchase._id);
  await maybeActivate(tx, purchase.merchantId);
  return 'paid';
}

/** Timeout: an unpaid purchase past its time gives its reserved points back to the treasury. */
export async function cancelPurchase(purchaseId: string): Promise<boolean> {
  return runTx(async (tx) => {
    const p = await readDoc<PurchaseDoc>(tx, PURCHASES_COLL, purchaseId);
    if (!p || p.status !== 'unpaid' || p.payExpiresAt > now()) return false;
    await postEntry(tx, { key: `purchase:${purchaseId}:unreserve`, kind: 'deposit_unreserve', debit: purchaseHold(purchaseId), credit: TREASURY, amount: p.points, ref: purchaseId });
    await writeDoc(tx, PURCHASES_COLL, purchaseId, { ...p, status: 'cancelled', cancelledAt: now() });
    await closeOpenPurchase(tx, p.merchantId, purchaseId);
    return true;
  });
}

/**
 * Timeout of an unpaid purchase: close its WeChat Pay trade first; if it was paid meanwhile, deliver the
 * points instead of cancelling. Returns 'cancelled' | 'paid' | 'none'.
 */
export async function expirePurchase(purchaseId: string): Promise<'cancelled' | 'paid' | 'none'> {
  const p = await readDoc<PurchaseDoc>(getDb(), PURCHASES_COLL, purchaseId);
  if (!p || p.status !== 'unpaid' || p.payExpiresAt > now()) return 'none';
  if ((await closeOrder(p.outTradeNo, p.subMchId)) !== 'closed') {
    const q = await queryOrder(p.outTradeNo, p.subMchId).catch(() => null);
    if (confirmsPayment(q, { outTradeNo: p.outTradeNo, totalFee: p.priceFen, subMchId: p.subMchId })) {
      const r = await runTx(async (tx) => {
        const cur = await readDoc<PurchaseDoc>(tx, PURCHASES_COLL, purchaseId);
        return cur ? settlePurchasePayment(tx, cur, q.transactionId) : 'duplicate';
      });
      return r === 'paid' ? 'paid' : 'none';
    }
  }
  return (await cancelPurchase(purchaseId)) ? 'cancelled' : 'none';
}
