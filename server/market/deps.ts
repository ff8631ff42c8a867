/**
 * What the market needs from the rest of the server: parameters, the guide price band, the caller's user
 * number. One place, so the market's modules do not each know other modules' layouts.
 */
import { DomainError } from '../../shared/errors';
import { priceBandFen } from '../../shared/guidePrice';
import type { Params } from '../../shared/params';
import { getGuidePriceFen, getParams } from '../config';
import { Tx } from '../db';
import { getUser } from '../users';

export { getParams, getGuidePriceFen };

export interface MarketParams {
  feeRate: string;
  band: string;
  paymentMinutes: number;
  appealAfterHours: number;
  lapseLimit: number;
  banHours: number;
}

export function marketParams(p: Params): MarketParams {
  return {
    feeRate: String(p.marketFeeRate),
    band: String(p.priceBand),
    paymentMinutes: Number(p.tradePaymentMinutes),
    appealAfterHours: Number(p.appealAfterHours),
    lapseLimit: Number(p.buyerLapseLimit),
    banHours: Number(p.buyerBanHours),
  };
}

/** Today's guide price and the band an order's price must be in. */
export async function priceBand(tx?: Tx): Promise<{ guidePriceFen: number; minFen: number; maxFen: number; params: MarketParams }> {
  const params = marketParams(await getParams(tx));
  const guidePriceFen = await getGuidePriceFen(tx);
  const { minFen, maxFen } = priceBandFen(guidePriceFen, params.band);
  return { guidePriceFen, minFen, maxFen, params };
}

/** The caller's user record (created at login); the market needs their user number. */
export async function requireUserNo(openid: string): Promise<string> {
  const u = await getUser(openid);
  if (!u || !u.userNo) throw new DomainError('NOT_REGISTERED', '请先登录');
  return String(u.userNo);
}
