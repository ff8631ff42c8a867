/**
 * The one place orders, users, merchants, transfers and the market touch shared value and released points: an
 * adapter over server/holders.ts (owned by the release engineer). Holder ids: `user:<openid>`, `merchant:<merchantId>`.
 *
 * SPEC §5: the points of a release are the holder's at the moment of the release, whether or not anything
 * has shown them yet. The release writes no holder (O(1)), so:
 * - every transaction that reads or debits a holder's points or SV calls `settleFirst` before it reads the
 *   balance (order creation for the buyer and the store, transfers, sell escrow, the store's point moves and
 *   deposit payments, activation);
 * - every view of a balance uses `pointsNow` (booked + what a settlement would credit), read-only.
 */
import type { Dec } from '../shared/decimal';
import type { Tx } from './db';
import { HolderChange, holderPoints, HolderPoints, holderView, merchantHolderId, settleHolderIn, settleHolderNow, userHolderId } from './holders';

export { merchantHolderId, userHolderId };
export type { HolderPoints };

export interface SvView {
  sharedValue: Dec; // current shared value (exact)
  unsettled: Dec; // released to the holder, not yet credited to its points (exact)
}

/**
 * Inside the caller's transaction, before it reads or debits the holder's points or SV: book what the releases
 * gave the holder since its last change (a ledger entry from the release pool, in whole 0.01s) and re-snapshot
 * it. Writes nothing when there is nothing to book. For a store, points arriving may activate it
 * (server/merchants.ts registers that on the holder).
 */
export async function settleFirst(tx: Tx, holderId: string): Promise<HolderChange> {
  return settleHolderIn(tx, holderId);
}

/** Read-only: the holder's points as every action sees them (booked + claimable) and its SV. */
export async function pointsNow(holderId: string): Promise<HolderPoints> {
  return holderPoints(holderId);
}

/** Current shared value and unsettled points of a holder (read only). */
export async function holderSvView(holderId: string): Promise<SvView> {
  const v = await holderView(holderId);
  return { sharedValue: v.sv, unsettled: v.unclaimed };
}

/** Settle-on-read: credit released points (≥ 0.01) to the holder's account, then view. */
export async function settleAndView(holderId: string): Promise<SvView> {
  try {
    await settleHolderNow(holderId);
  } catch (e) {
    console.warn('[sv] settle on read failed; showing unsettled points', holderId, e);
  }
  return holderSvView(holderId);
}

