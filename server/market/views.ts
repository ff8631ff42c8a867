/**
 * What the market's documents look like to a caller (shared/api.ts MarketOrder, Trade, PaymentDetails).
 * The seller's payment details reach only the buyer of that trade: `tradeView` fills `sellerPayment` when,
 * and only when, the viewer is the trade's buyer.
 */
import type { MarketOrder, PaymentDetails, Trade } from '../../shared/api';
import { getCloud } from '../db';
import { getUser } from '../users';
import type { OrderDoc, PaymentSnapshot, TradeDoc } from './model';

export function orderView(o: OrderDoc): MarketOrder {
  return {
    id: o._id,
    side: o.side,
    priceFen: o.priceFen,
    quantity: o.quantity,
    remaining: o.remaining,
    feeEscrowed: o.feeEscrowed,
    status: o.status,
    createdAt: o.createdAt,
  };
}

/** A cloud file id becomes a temporary https URL the mini-program can show; anything else is kept as it is. */
export async function displayUrl(fileIdOrUrl: string | null): Promise<string | null> {
  if (!fileIdOrUrl) return null;
  if (!fileIdOrUrl.startsWith('cloud://')) return fileIdOrUrl;
  try {
    const res = await getCloud().getTempFileURL({ fileList: [fileIdOrUrl] });
    const item = res?.fileList?.[0];
    return (item && (item.tempFileURL as string)) || fileIdOrUrl;
  } catch (e) {
    console.warn('[market] getTempFileURL failed', String((e as Error)?.message ?? e));
    return fileIdOrUrl;
  }
}

export async function paymentView(p: PaymentSnapshot | null | undefined): Promise<PaymentDetails | null> {
  if (!p || (!p.qrFileId && !p.accountText)) return null;
  return { qrImageUrl: await displayUrl(p.qrFileId), accountText: p.accountText };
}

/**
 * The trade as `viewer` sees it. `viewer` must be the buyer or the seller, except for the admin view
 * (`asAdmin`), where the role and counterpart are those of the party that appealed (or the seller's when no
 * appeal) and the payment details are not shown.
 */
export async function tradeView(t: TradeDoc, viewer: string, asAdmin = false): Promise<Trade> {
  let role: 'buyer' | 'seller';
  if (asAdmin) role = t.appeal?.by ?? 'seller';
  else role = viewer === t.buyer ? 'buyer' : 'seller';
  const isBuyer = !asAdmin && viewer === t.buyer;
  // the counterpart by name: the seller matches the incoming payment to the payer's name, the buyer sees whom they pay
  const counterpart = await getUser(role === 'buyer' ? t.seller : t.buyer);
  const proofs = [];
  for (const p of t.appeal?.proofs ?? []) proofs.push({ by: p.by, imageUrl: (await displayUrl(p.fileId)) ?? p.fileId, note: p.note, at: p.at });
  return {
    id: t._id,
    buyOrderId: t.buyOrderId,
    sellOrderId: t.sellOrderId,
    role,
    priceFen: t.priceFen,
    quantity: t.quantity,
    amountFen: t.amountFen,
    fee: t.fee,
    status: t.status,
    createdAt: t.createdAt,
    payDeadline: t.payDeadline,
    paidAt: t.paidAt,
    completedAt: t.completedAt,
    cancelledAt: t.cancelledAt,
    appealableAt: t.appealableAt,
    appeal: t.appeal
      ? {
          by: t.appeal.by,
          reason: t.appeal.reason,
          at: t.appeal.at,
          proofs,
          ...(t.appeal.decision ? { decision: t.appeal.decision } : {}),
          ...(t.appeal.decisionReason !== undefined ? { decisionReason: t.appeal.decisionReason } : {}),
          ...(t.appeal.decidedAt !== undefined ? { decidedAt: t.appeal.decidedAt } : {}),
        }
      : null,
    counterpartUserNo: role === 'buyer' ? t.sellerUserNo : t.buyerUserNo,
    counterpartNickname: counterpart?.nickname || `用户${role === 'buyer' ? t.sellerUserNo : t.buyerUserNo}`,
    counterpartAvatarUrl: counterpart?.avatarUrl || '',
    cancelReason: t.cancelReason ?? null,
    sellerPayment: isBuyer ? await paymentView(t.sellerPayment) : null,
  };
}
