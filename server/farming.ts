/**
 * Farming (issue 14.9): reads what the pure rules of shared/farming.ts judge — the users behind orders and
 * trades (referrer, store), the window's paid orders and completed trades — in bounded pages.
 */
import type { FarmingView } from '../shared/api';
import { DEFAULT_FARMING_THRESHOLDS, farmingReport, PaidOrderRecord, TradeRecord, tradesForGuidePrice, UserLinkInfo } from '../shared/farming';
import { now } from './clock';
import { getDb } from './db';
import { TRADES as MARKET_TRADES_COLL } from './market/model';
import { USERS_COLL, UserDoc } from './users';
import { requireAdmin } from './admin/params';
import { optInt } from './validate';

/** The link facts of these users (100 per query). */
export async function linkInfoOf(openids: Iterable<string>): Promise<Map<string, UserLinkInfo>> {
  const db = getDb();
  const _ = db.command;
  const ids = [...new Set(openids)].filter(Boolean);
  const out = new Map<string, UserLinkInfo>();
  for (let i = 0; i < ids.length; i += 100) {
    const res = await db.collection(USERS_COLL).where({ _id: _.in(ids.slice(i, i + 100)) }).limit(100).get();
    for (const u of (res.data ?? []) as UserDoc[]) {
      out.set(u._id, { openid: u._id, userNo: u.userNo, referrerOpenid: u.referrerOpenid ?? null, merchantId: u.merchantId ?? null });
    }
  }
  return out;
}

/** Of a window's completed trades, those the guide price follows: not between linked accounts. */
export async function guidePriceTrades<T extends TradeRecord>(trades: readonly T[]): Promise<T[]> {
  if (trades.length === 0) return [];
  const users = await linkInfoOf(trades.flatMap((t) => [t.buyer, t.seller]));
  return tradesForGuidePrice(trades, users);
}

/** At most this many orders and trades are read for the admin's view (the newest of the window). */
export const FARMING_SCAN_LIMIT = 2_000;

/** At most FARMING_SCAN_LIMIT documents of a query, 100 a page (bounded work). */
async function readUpTo<T>(query: any, max = FARMING_SCAN_LIMIT): Promise<T[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: T[] = [];
  while (out.length < max) {
    const res = await query.skip(out.length).limit(Math.min(100, max - out.length)).get();
    const list = (res?.data ?? []) as T[];
    out.push(...list);
    if (list.length < 100) break;
  }
  return out;
}

/** The admin's farming view of the last `days` days. User numbers only: no openid leaves the server. */
export async function farmingView(days: number): Promise<FarmingView> {
  const db = getDb();
  const _ = db.command;
  const to = now();
  const from = to - days * 86_400_000;
  const orderDocs = await readUpTo<{ buyerOpenid: string; merchantId: string; merchantOwnerOpenid: string; cashFen: number; userSv: string }>(
    db.collection('orders').where({ status: _.in(['paid', 'shipped', 'completed']), paidAt: _.gte(from) }).orderBy('paidAt', 'desc'),
  );
  const tradeDocs = await readUpTo<TradeRecord>(db.collection(MARKET_TRADES_COLL).where({ status: 'completed', completedAt: _.gte(from) }).orderBy('completedAt', 'desc'));
  const orders: PaidOrderRecord[] = orderDocs.map((o) => ({ buyer: o.buyerOpenid, merchantId: o.merchantId, merchantOwner: o.merchantOwnerOpenid, cashFen: o.cashFen, userSv: o.userSv ?? '0.00' }));
  const trades = tradeDocs.map((t) => ({ buyer: t.buyer, seller: t.seller, priceFen: t.priceFen, quantity: t.quantity }));
  const users = await linkInfoOf([...orders.flatMap((o) => [o.buyer, o.merchantOwner]), ...trades.flatMap((t) => [t.buyer, t.seller])]);
  const r = farmingReport({ orders, trades, users });
  const no = (openid: string) => users.get(openid)?.userNo ?? '—';
  return {
    from,
    to,
    scanned: { orders: orders.length, trades: trades.length, truncated: orders.length >= FARMING_SCAN_LIMIT || trades.length >= FARMING_SCAN_LIMIT },
    thresholds: DEFAULT_FARMING_THRESHOLDS,
    repeatedPayers: r.repeatedPayers.map(({ buyer, ...x }) => ({ ...x, buyerUserNo: no(buyer) })),
    selfDealing: r.selfDealing.map(({ buyer, owner, ...x }) => ({ ...x, buyerUserNo: no(buyer), ownerUserNo: no(owner) })),
    pairTrades: r.pairTrades.map((x) => ({ aUserNo: no(x.a), bUserNo: no(x.b), link: x.link, trades: x.trades, volume: x.volume, avgPriceFen: x.avgPriceFen })),
  };
}

export const farmingActions = {
  /** AdminApi.farming: `days` (integer 1–30, default 7). */
  async farming(p: Record<string, unknown>, caller: { openid: string }): Promise<FarmingView> {
    await requireAdmin(caller.openid);
    return farmingView(optInt(p, 'days', { label: '天数', min: 1, max: 30 }) ?? 7);
  },
};
