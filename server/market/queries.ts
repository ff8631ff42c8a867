/**
 * Read-only market views: order-book depth, recent trades, the day's volume and volume-weighted price
 * (which the guide price follows, SPEC §9), my orders, my trades, one trade. Everything pages by 100.
 */
import Decimal from 'decimal.js';
import { D } from '../../shared/decimal';
import { DomainError } from '../../shared/errors';
import type { DepthLevel, MarketApi, MarketOrder, MarketOrderStatus, Page, Trade, TradeStatus } from '../../shared/api';
import type { Caller } from '../handler';
import { now } from '../clock';
import { getDb } from '../db';
import { getGuidePriceDoc } from '../config';
import { addDays, businessDay, isDay, releaseMoment } from '../../shared/time';
import { priceBand } from './deps';
import { ORDERS, OrderDoc, TRADES, TradeDoc, fmt2 } from './model';
import { orderView, tradeView } from './views';

type Res<A extends keyof MarketApi> = MarketApi[A]['res'];

/** The business day (Asia/Shanghai) of an instant: YYYY-MM-DD. */
export const businessDayOf = businessDay;

/** [start, end) of a business day (Asia/Shanghai) in epoch ms. */
export function businessDayRange(day: string): { start: number; end: number } {
  if (!isDay(day)) throw new DomainError('BAD_DAY', '日期格式应为 YYYY-MM-DD');
  return { start: releaseMoment(day, 0), end: releaseMoment(addDays(day, 1), 0) };
}

function limitOf(v: unknown, dflt: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new DomainError('BAD_LIMIT', '数量参数无效');
  return Math.min(v, max);
}

function skipOf(cursor: unknown): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (typeof cursor !== 'string' || !/^\d{1,7}$/.test(cursor)) throw new DomainError('BAD_CURSOR', '翻页参数无效');
  return Number(cursor);
}

// ---------------------------------------------------------------- depth

async function sideDepth(side: 'buy' | 'sell', levels: number): Promise<DepthLevel[]> {
  const db = getDb();
  const out: { priceFen: number; quantity: Decimal }[] = [];
  for (let skip = 0; ; skip += 100) {
    const res = await db
      .collection(ORDERS)
      .where({ side, status: 'open' })
      .orderBy('priceFen', side === 'sell' ? 'asc' : 'desc')
      .orderBy('createdAt', 'asc')
      .orderBy('_id', 'asc')
      .skip(skip)
      .limit(100)
      .get();
    const list = (res.data ?? []) as OrderDoc[];
    for (const o of list) {
      const rem = D(o.remaining);
      if (rem.lte(0)) continue;
      const last = out[out.length - 1];
      if (last && last.priceFen === o.priceFen) last.quantity = last.quantity.plus(rem);
      else {
        if (out.length === levels) return out.map((l) => ({ priceFen: l.priceFen, quantity: fmt2(l.quantity) }));
        out.push({ priceFen: o.priceFen, quantity: rem });
      }
    }
    if (list.length < 100) break;
  }
  return out.map((l) => ({ priceFen: l.priceFen, quantity: fmt2(l.quantity) }));
}

/** MarketApi.depth: the best `levels` price levels each side, with today's band and fee rate. */
export async function depth(payload: Record<string, unknown>): Promise<Res<'depth'>> {
  const levels = limitOf(payload.levels, 10, 50);
  const band = await priceBand();
  const [bids, asks] = await Promise.all([sideDepth('buy', levels), sideDepth('sell', levels)]);
  return { bids, asks, guidePriceFen: band.guidePriceFen, minPriceFen: band.minFen, maxPriceFen: band.maxFen, feeRate: band.params.feeRate };
}

// ---------------------------------------------------------------- trades tape and day statistics

/** MarketApi.recentTrades: the latest completed trades (the ones that count for the price). */
export async function recentTrades(payload: Record<string, unknown>): Promise<Res<'recentTrades'>> {
  const limit = limitOf(payload.limit, 20, 100);
  const res = await getDb().collection(TRADES).where({ status: 'completed' }).orderBy('completedAt', 'desc').limit(limit).get();
  const list = (res.data ?? []) as TradeDoc[];
  return { items: list.map((t) => ({ priceFen: t.priceFen, quantity: t.quantity, at: t.completedAt ?? t.createdAt })) };
}

export interface CompletedStats {
  volume: string; // points
  notionalFen: string; // Σ price × quantity, exact (fen, may have decimals)
  vwapFen: number | null; // rounded half up to the fen; null without trades
  trades: number;
}

/** Volume and volume-weighted price of the trades completed in [from, to). The guide price (SPEC §9) uses this. */
export async function completedStats(from: number, to: number): Promise<CompletedStats> {
  const db = getDb();
  const _ = db.command;
  let volume = D(0);
  let notional = D(0);
  let trades = 0;
  for (let skip = 0; ; skip += 100) {
    const res = await db
      .collection(TRADES)
      .where({ status: 'completed', completedAt: _.gte(from).and(_.lt(to)) })
      .orderBy('completedAt', 'asc')
      .orderBy('_id', 'asc')
      .skip(skip)
      .limit(100)
      .get();
    const list = (res.data ?? []) as TradeDoc[];
    for (const t of list) {
      volume = volume.plus(t.quantity);
      notional = notional.plus(D(t.quantity).times(t.priceFen));
      trades++;
    }
    if (list.length < 100) break;
  }
  const vwapFen = volume.gt(0) ? notional.div(volume).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber() : null;
  return { volume: fmt2(volume), notionalFen: notional.toString(), vwapFen, trades };
}

/** The guide price that applied on `day` (from config/guidePrice history), else the current one. */
function guideFor(day: string, doc: Awaited<ReturnType<typeof getGuidePriceDoc>>, current: number): number {
  const hist = (doc?.history ?? []).filter((h) => h.day === null || h.day <= day).sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  let best: { day: string | null; priceFen: number } | null = null;
  for (const h of hist) if (!best || (h.day ?? '') >= (best.day ?? '')) best = h;
  return best?.priceFen ?? current;
}

/** MarketApi.stats: the day's volume and VWAP, and the last 7 days with their guide prices. */
export async function stats(payload: Record<string, unknown>): Promise<Res<'stats'>> {
  const day = payload.day === undefined || payload.day === null ? businessDayOf(now()) : String(payload.day);
  const { start, end } = businessDayRange(day);
  const s = await completedStats(start, end);
  const band = await priceBand();
  const doc = await getGuidePriceDoc();
  const history: Res<'stats'>['history'] = [];
  for (let i = 6; i >= 0; i--) {
    const d = addDays(day, -i);
    const r = businessDayRange(d);
    const ds = i === 0 ? s : await completedStats(r.start, r.end);
    history.push({ day: d, guidePriceFen: guideFor(d, doc, band.guidePriceFen), vwapFen: ds.vwapFen, volume: ds.volume });
  }
  return { day, volume: s.volume, vwapFen: s.vwapFen, trades: s.trades, history };
}

// ---------------------------------------------------------------- mine

const ORDER_STATUSES: MarketOrderStatus[] = ['open', 'filled', 'cancelled'];
const TRADE_STATUSES: TradeStatus[] = ['awaiting_payment', 'paid', 'completed', 'cancelled', 'appealed'];

/** MarketApi.myOrders: newest first, 20 a page. */
export async function myOrders(payload: Record<string, unknown>, caller: Caller): Promise<Page<MarketOrder>> {
  const skip = skipOf(payload.cursor);
  const where: Record<string, unknown> = { openid: caller.openid };
  if (payload.status !== undefined && payload.status !== null) {
    if (!ORDER_STATUSES.includes(payload.status as MarketOrderStatus)) throw new DomainError('BAD_STATUS', '状态参数无效');
    where.status = payload.status;
  }
  const size = 20;
  const res = await getDb().collection(ORDERS).where(where).orderBy('createdAt', 'desc').orderBy('_id', 'desc').skip(skip).limit(size + 1).get();
  const list = (res.data ?? []) as OrderDoc[];
  return { items: list.slice(0, size).map(orderView), nextCursor: list.length > size ? String(skip + size) : null };
}

/** MarketApi.myTrades: trades where I am the buyer or the seller, newest first, 20 a page. */
export async function myTrades(payload: Record<string, unknown>, caller: Caller): Promise<Page<Trade>> {
  const skip = skipOf(payload.cursor);
  const where: Record<string, unknown> = { parties: caller.openid };
  if (payload.status !== undefined && payload.status !== null) {
    if (!TRADE_STATUSES.includes(payload.status as TradeStatus)) throw new DomainError('BAD_STATUS', '状态参数无效');
    where.status = payload.status;
  }
  const size = 20;
  const res = await getDb().collection(TRADES).where(where).orderBy('createdAt', 'desc').orderBy('_id', 'desc').skip(skip).limit(size + 1).get();
  const list = (res.data ?? []) as TradeDoc[];
  const items: Trade[] = [];
  for (const t of list.slice(0, size)) items.push(await tradeView(t, caller.openid));
  return { items, nextCursor: list.length > size ? String(skip + size) : null };
}
