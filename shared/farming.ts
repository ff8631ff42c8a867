/**
 * Farming and wash trading (issue 14.9), as pure rules over plain records (the server reads them, bounded).
 *
 * Shared value is earned on cash paid at a store (SPEC §4), so a user and a store in collusion can cycle cash
 * (the owner gets it back as the store) and farm shared value; and two accounts trading points with each other
 * can walk the guide price (SPEC §9 follows the C2C VWAP). Nothing here refuses anything: the admin's view flags
 * patterns, and the guide price leaves out trades between linked accounts.
 *
 * Two users are **linked** when one referred the other, or when they traded with each other at least
 * `repeatPairTrades` times in the window (whoever sold).
 */
import { D, Dec, parseAmount } from './decimal';

export interface FarmingThresholds {
  /** Orders of one payer at one store in the window from which the pair is flagged. */
  repeatPayerOrders: number;
  /** Trades between the same two users in the window from which they count as linked. */
  repeatPairTrades: number;
}

export const DEFAULT_FARMING_THRESHOLDS: FarmingThresholds = { repeatPayerOrders: 5, repeatPairTrades: 3 };

export interface UserLinkInfo {
  openid: string;
  userNo: string;
  referrerOpenid: string | null;
  /** The store this user owns, if any. */
  merchantId: string | null;
}

export interface PaidOrderRecord {
  buyer: string;
  merchantId: string;
  merchantOwner: string;
  cashFen: number;
  /** Shared value the buyer earned (or will at settlement). */
  userSv: string;
}

export interface TradeRecord {
  buyer: string;
  seller: string;
  priceFen: number;
  quantity: string;
}

/** An unordered pair of users as a key. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Whether one referred the other. */
export function referralLinked(a: string, b: string, users: ReadonlyMap<string, UserLinkInfo>): boolean {
  return users.get(a)?.referrerOpenid === b || users.get(b)?.referrerOpenid === a;
}

/** Pairs of users linked in this window: by referral, or by trading with each other repeatedly. */
export function linkedPairs(trades: readonly TradeRecord[], users: ReadonlyMap<string, UserLinkInfo>, t: FarmingThresholds = DEFAULT_FARMING_THRESHOLDS): Map<string, 'referral' | 'repeat'> {
  const counts = new Map<string, number>();
  const known = trades.filter((tr) => tr.buyer && tr.seller); // a record without its parties links nobody
  for (const tr of known) counts.set(pairKey(tr.buyer, tr.seller), (counts.get(pairKey(tr.buyer, tr.seller)) ?? 0) + 1);
  const out = new Map<string, 'referral' | 'repeat'>();
  for (const tr of known) {
    const k = pairKey(tr.buyer, tr.seller);
    if (out.has(k)) continue;
    if (referralLinked(tr.buyer, tr.seller, users)) out.set(k, 'referral');
    else if ((counts.get(k) ?? 0) >= t.repeatPairTrades) out.set(k, 'repeat');
  }
  return out;
}

/** The trades the guide price follows: those not between linked accounts (SPEC §9 with issue 14.9). */
export function tradesForGuidePrice<T extends TradeRecord>(trades: readonly T[], users: ReadonlyMap<string, UserLinkInfo>, t: FarmingThresholds = DEFAULT_FARMING_THRESHOLDS): T[] {
  const linked = linkedPairs(trades, users, t);
  return trades.filter((tr) => !linked.has(pairKey(tr.buyer, tr.seller)));
}

export interface RepeatedPayerFlag {
  buyer: string;
  merchantId: string;
  orders: number;
  cashFen: number;
  userSv: string;
}

export interface SelfDealingFlag {
  /** `referral`: the buyer referred the owner or the owner the buyer; `reciprocal`: each pays at the other's store. */
  kind: 'referral' | 'reciprocal';
  buyer: string;
  merchantId: string;
  owner: string;
  orders: number;
  cashFen: number;
  userSv: string;
}

export interface PairTradeFlag {
  a: string;
  b: string;
  link: 'referral' | 'repeat';
  trades: number;
  volume: string;
  /** Σ price × quantity ÷ volume, fen, half up. */
  avgPriceFen: number;
}

export interface FarmingReport {
  repeatedPayers: RepeatedPayerFlag[];
  selfDealing: SelfDealingFlag[];
  pairTrades: PairTradeFlag[];
}

interface Acc { orders: number; cashFen: number; sv: Dec }

/** The admin's view: what in these orders and trades looks like farming, biggest first. */
export function farmingReport(input: {
  orders: readonly PaidOrderRecord[];
  trades: readonly TradeRecord[];
  users: ReadonlyMap<string, UserLinkInfo>;
  thresholds?: FarmingThresholds;
}): FarmingReport {
  const t = input.thresholds ?? DEFAULT_FARMING_THRESHOLDS;
  const byPair = new Map<string, Acc & { o: PaidOrderRecord }>();
  for (const o of input.orders) {
    const k = `${o.buyer}|${o.merchantId}`;
    const a = byPair.get(k) ?? { orders: 0, cashFen: 0, sv: new D(0), o };
    a.orders += 1;
    a.cashFen += o.cashFen;
    a.sv = a.sv.plus(parseAmount(o.userSv, { field: 'userSv', allowZero: true }));
    byPair.set(k, a);
  }
  // who paid at which owner's store: for the reciprocal pattern
  const paidAtOwner = new Set<string>();
  for (const o of input.orders) paidAtOwner.add(`${o.buyer}>${o.merchantOwner}`);

  const repeatedPayers: RepeatedPayerFlag[] = [];
  const selfDealing: SelfDealingFlag[] = [];
  for (const a of byPair.values()) {
    const { buyer, merchantId, merchantOwner } = a.o;
    const sv = a.sv.toFixed(2);
    if (a.orders >= t.repeatPayerOrders) repeatedPayers.push({ buyer, merchantId, orders: a.orders, cashFen: a.cashFen, userSv: sv });
    const kind = referralLinked(buyer, merchantOwner, input.users) ? 'referral' : paidAtOwner.has(`${merchantOwner}>${buyer}`) ? 'reciprocal' : null;
    if (kind) selfDealing.push({ kind, buyer, merchantId, owner: merchantOwner, orders: a.orders, cashFen: a.cashFen, userSv: sv });
  }

  const linked = linkedPairs(input.trades, input.users, t);
  const pairs = new Map<string, { trades: number; volume: Dec; value: Dec }>();
  for (const tr of input.trades) {
    const k = pairKey(tr.buyer, tr.seller);
    if (!linked.has(k)) continue;
    const q = parseAmount(tr.quantity, { field: 'quantity' });
    const p = pairs.get(k) ?? { trades: 0, volume: new D(0), value: new D(0) };
    p.trades += 1;
    p.volume = p.volume.plus(q);
    p.value = p.value.plus(q.times(tr.priceFen));
    pairs.set(k, p);
  }
  const pairTrades: PairTradeFlag[] = [...pairs.entries()].map(([k, p]) => {
    const [a, b] = k.split('|');
    return { a, b, link: linked.get(k)!, trades: p.trades, volume: p.volume.toFixed(2), avgPriceFen: p.value.div(p.volume).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber() };
  });
  repeatedPayers.sort((x, y) => y.cashFen - x.cashFen || y.orders - x.orders);
  selfDealing.sort((x, y) => y.cashFen - x.cashFen || y.orders - x.orders);
  pairTrades.sort((x, y) => y.trades - x.trades || new D(y.volume).comparedTo(x.volume));
  return { repeatedPayers, selfDealing, pairTrades };
}
