/**
 * The one place orders, users and merchants touch shared value: an adapter over server/holders.ts
 * (owned by the release engineer). Holder ids: `user:<openid>`, `merchant:<merchantId>`.
 */
import type { Dec } from '../shared/decimal';
import type { Tx } from './db';
import { creditSv, holderView, settleHolderNow } from './holders';

export interface SvView {
  sharedValue: Dec; // current shared value (exact)
  unsettled: Dec; // released to the holder, not yet credited to its points (exact)
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

/** Credit shared value at settlement (settles the holder first). Idempotent on `key`. */
export async function creditHolderSv(tx: Tx, holderId: string, sv: Dec, key: string): Promise<void> {
  await creditSv(tx, holderId, sv, key);
}
