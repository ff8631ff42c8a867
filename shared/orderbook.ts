/**
 * Price-time priority matching for the C2C market's limit orders (SPEC §8). A trade executes at
 * the resting order's price; orders fill partly. Quantities are points with 2 decimals, held
 * internally as integer hundredths so matching is integer arithmetic and exact.
 *
 * Two forms: `OrderBook`, an in-memory book (sorted price levels, a FIFO queue per level, an id
 * index: placing at an existing level and matching are O(1) per touched order, a new level is a
 * binary search); and `matchIncoming`, a pure function over the resting orders a cloud function
 * loaded from the database.
 *
 * Self-trade: an order never trades with an order of the same owner. When the incoming order
 * reaches one, matching stops and the rest of the incoming order is not placed ("expire taker"):
 * resting it would leave a crossed book. The caller returns that remainder's escrow.
 */
import { Dec } from './decimal';
import { DomainError } from './errors';

export type BookSide = 'buy' | 'sell';

export interface BookOrderInput {
  id: string;
  side: BookSide;
  priceFen: number;
  /** Points, > 0, ≤ 2 decimals. */
  quantity: string | Dec;
  /** Time priority (smaller first); defaults to arrival order. */
  seq?: number;
  owner?: string;
}

export interface BookTrade {
  makerId: string;
  takerId: string;
  buyOrderId: string;
  sellOrderId: string;
  /** The resting (maker) order's price. */
  priceFen: number;
  quantity: string;
  takerSide: BookSide;
  makerOwner?: string;
  takerOwner?: string;
}

export interface PlaceResult {
  trades: BookTrade[];
  /** What is left of the incoming order (resting in the book unless selfTradeStopped). */
  remaining: string;
  /** Whether the remainder now rests in the book. */
  rested: boolean;
  /** Matching stopped at an order of the same owner; the remainder was not placed. */
  selfTradeStopped: boolean;
}

export interface RestingOrder {
  id: string;
  side: BookSide;
  priceFen: number;
  remaining: string;
  seq: number;
  owner?: string;
}

export interface DepthLevel {
  priceFen: number;
  quantity: string;
  orders: number;
}

// ---- quantities in hundredths ----

const QTY_RE = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/** '12.5' → 1250. Refuses anything but a positive amount with at most 2 decimals. */
export function quantityToCents(q: string | Dec): number {
  const s = typeof q === 'string' ? q.trim() : q.toFixed();
  const m = QTY_RE.exec(s);
  if (!m) throw new DomainError('INVALID_QUANTITY', `数量必须是大于 0 的数字，最多 2 位小数，收到 ${s}`);
  // Integer arithmetic on at most 15 digits: exact in a JS number.
  const cents = Number(m[1]) * 100 + (m[2] ? Number(m[2].padEnd(2, '0')) : 0);
  if (cents <= 0) throw new DomainError('INVALID_QUANTITY', '数量必须大于 0');
  return cents;
}

/** 1250 → '12.50' (string work, no division). */
export function centsToQuantity(cents: number): string {
  const neg = cents < 0;
  const digits = String(neg ? -cents : cents).padStart(3, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function assertPrice(priceFen: number): void {
  if (!Number.isSafeInteger(priceFen) || priceFen <= 0) throw new DomainError('INVALID_PRICE', '价格必须是大于 0 的整数（分）');
}

function assertSide(side: unknown): asserts side is BookSide {
  if (side !== 'buy' && side !== 'sell') throw new DomainError('INVALID_SIDE', '方向必须是 buy 或 sell');
}

/** Whether a taker at `takerPrice` crosses a maker at `makerPrice`. */
function crosses(takerSide: BookSide, takerPrice: number, makerPrice: number): boolean {
  return takerSide === 'buy' ? makerPrice <= takerPrice : makerPrice >= takerPrice;
}

function trade(taker: { id: string; side: BookSide; owner?: string }, maker: { id: string; priceFen: number; owner?: string }, cents: number): BookTrade {
  const t: BookTrade = {
    makerId: maker.id,
    takerId: taker.id,
    buyOrderId: taker.side === 'buy' ? taker.id : maker.id,
    sellOrderId: taker.side === 'sell' ? taker.id : maker.id,
    priceFen: maker.priceFen,
    quantity: centsToQuantity(cents),
    takerSide: taker.side,
  };
  if (maker.owner !== undefined) t.makerOwner = maker.owner;
  if (taker.owner !== undefined) t.takerOwner = taker.owner;
  return t;
}

// ---- the in-memory book ----

interface Node {
  id: string;
  side: BookSide;
  priceFen: number;
  cents: number;
  seq: number;
  owner?: string;
  prev: Node | null;
  next: Node | null;
  level: Level;
}

interface Level {
  priceFen: number;
  head: Node | null;
  tail: Node | null;
  cents: number;
  count: number;
}

/**
 * One side's price levels in an array sorted so the best price is last: taking and emptying the
 * best level is a pop, and levels near the best (where most activity is) move the least on insert.
 */
class SideLevels {
  readonly levels: Level[] = [];
  readonly byPrice = new Map<number, Level>();
  constructor(private readonly side: BookSide) {}

  best(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** Index where `price` belongs: bids ascending, asks descending. */
  private indexOf(price: number): number {
    const a = this.levels;
    let lo = 0;
    let hi = a.length;
    const asc = this.side === 'buy';
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = a[mid].priceFen;
      if (asc ? p < price : p > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  getOrCreate(price: number): Level {
    let level = this.byPrice.get(price);
    if (!level) {
      level = { priceFen: price, head: null, tail: null, cents: 0, count: 0 };
      this.byPrice.set(price, level);
      this.levels.splice(this.indexOf(price), 0, level);
    }
    return level;
  }

  remove(level: Level): void {
    this.byPrice.delete(level.priceFen);
    const a = this.levels;
    if (a[a.length - 1] === level) a.pop();
    else a.splice(this.indexOf(level.priceFen), 1);
  }
}

export class OrderBook {
  private readonly bids = new SideLevels('buy');
  private readonly asks = new SideLevels('sell');
  private readonly orders = new Map<string, Node>();
  private nextSeq = 1;

  get size(): number {
    return this.orders.size;
  }

  /** Matches the order against the book, then rests what is left. */
  place(order: BookOrderInput): PlaceResult {
    assertSide(order.side);
    assertPrice(order.priceFen);
    if (typeof order.id !== 'string' || order.id === '') throw new DomainError('INVALID_ORDER', '订单号不能为空');
    if (this.orders.has(order.id)) throw new DomainError('DUPLICATE_ORDER', `订单 ${order.id} 已在订单簿中`);
    let rem = quantityToCents(order.quantity);
    const seq = order.seq ?? this.nextSeq;
    if (!Number.isSafeInteger(seq)) throw new DomainError('INVALID_ORDER', '订单序号必须是整数');
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;

    const trades: BookTrade[] = [];
    const opposite = order.side === 'buy' ? this.asks : this.bids;
    let selfTradeStopped = false;
    match: while (rem > 0) {
      const level = opposite.best();
      if (!level || !crosses(order.side, order.priceFen, level.priceFen)) break;
      let node = level.head;
      while (node && rem > 0) {
        if (order.owner !== undefined && node.owner === order.owner) {
          selfTradeStopped = true;
          break match;
        }
        const q = node.cents < rem ? node.cents : rem;
        trades.push(trade(order, node, q));
        node.cents -= q;
        level.cents -= q;
        rem -= q;
        const next = node.next;
        if (node.cents === 0) this.unlink(node);
        node = next;
      }
      if (level.count === 0) opposite.remove(level);
    }

    const rested = rem > 0 && !selfTradeStopped;
    if (rested) this.insert(order, rem, seq);
    return { trades, remaining: centsToQuantity(rem), rested, selfTradeStopped };
  }

  /** Removes a resting order; returns what was left of it, or null if it is not in the book. */
  cancel(id: string): string | null {
    const node = this.orders.get(id);
    if (!node) return null;
    const level = node.level;
    level.cents -= node.cents;
    this.unlink(node);
    if (level.count === 0) (node.side === 'buy' ? this.bids : this.asks).remove(level);
    return centsToQuantity(node.cents);
  }

  get(id: string): RestingOrder | undefined {
    const n = this.orders.get(id);
    if (!n) return undefined;
    const o: RestingOrder = { id: n.id, side: n.side, priceFen: n.priceFen, remaining: centsToQuantity(n.cents), seq: n.seq };
    if (n.owner !== undefined) o.owner = n.owner;
    return o;
  }

  bestBid(): number | null {
    return this.bids.best()?.priceFen ?? null;
  }

  bestAsk(): number | null {
    return this.asks.best()?.priceFen ?? null;
  }

  /** Aggregated quantity per price, best first, at most `levels` per side. */
  depth(levels = 10): { bids: DepthLevel[]; asks: DepthLevel[] } {
    const take = (side: SideLevels): DepthLevel[] => {
      const out: DepthLevel[] = [];
      const a = side.levels;
      for (let i = a.length - 1; i >= 0 && out.length < levels; i--) {
        out.push({ priceFen: a[i].priceFen, quantity: centsToQuantity(a[i].cents), orders: a[i].count });
      }
      return out;
    };
    return { bids: take(this.bids), asks: take(this.asks) };
  }

  /** Resting orders of one side in priority order (for tests and snapshots). */
  resting(side: BookSide): RestingOrder[] {
    const out: RestingOrder[] = [];
    const a = (side === 'buy' ? this.bids : this.asks).levels;
    for (let i = a.length - 1; i >= 0; i--) {
      for (let n = a[i].head; n; n = n.next) out.push(this.get(n.id)!);
    }
    return out;
  }

  private insert(order: BookOrderInput, cents: number, seq: number): void {
    const level = (order.side === 'buy' ? this.bids : this.asks).getOrCreate(order.priceFen);
    const node: Node = { id: order.id, side: order.side, priceFen: order.priceFen, cents, seq, prev: null, next: null, level };
    if (order.owner !== undefined) node.owner = order.owner;
    // Orders reloaded out of order still queue by seq; in arrival order this is O(1).
    let after = level.tail;
    while (after && after.seq > seq) after = after.prev;
    node.prev = after;
    node.next = after ? after.next : level.head;
    if (node.next) node.next.prev = node;
    else level.tail = node;
    if (after) after.next = node;
    else level.head = node;
    level.cents += cents;
    level.count++;
    this.orders.set(order.id, node);
  }

  private unlink(node: Node): void {
    const level = node.level;
    if (node.prev) node.prev.next = node.next;
    else level.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else level.tail = node.prev;
    node.prev = node.next = null;
    level.count--;
    this.orders.delete(node.id);
  }
}

// ---- the pure form ----

export interface RestingInput {
  id: string;
  side: BookSide;
  priceFen: number;
  /** What is left of the order. */
  quantity: string | Dec;
  seq: number;
  owner?: string;
}

/** Priority order of one side's resting orders: best price first, then earliest seq. */
export function comparePriority(a: { side: BookSide; priceFen: number; seq: number }, b: { side: BookSide; priceFen: number; seq: number }): number {
  if (a.priceFen !== b.priceFen) return a.side === 'buy' ? b.priceFen - a.priceFen : a.priceFen - b.priceFen;
  return a.seq - b.seq;
}

export interface MatchResult {
  trades: BookTrade[];
  remaining: string;
  /** Resting orders the match touched, with what is left of each (in match order). */
  fills: { id: string; filled: string; remaining: string }[];
  selfTradeStopped: boolean;
}

/**
 * Matches `incoming` against resting orders of the other side, given best first (as
 * `comparePriority` sorts them; a database query ordered by price then seq). Nothing is mutated;
 * the caller writes the fills and trades, and rests the incoming remainder unless selfTradeStopped.
 */
export function matchIncoming(restingSorted: readonly RestingInput[], incoming: BookOrderInput): MatchResult {
  assertSide(incoming.side);
  assertPrice(incoming.priceFen);
  let rem = quantityToCents(incoming.quantity);
  const trades: BookTrade[] = [];
  const fills: MatchResult['fills'] = [];
  let selfTradeStopped = false;
  let prev: RestingInput | undefined;
  for (const r of restingSorted) {
    if (rem === 0) break;
    if (r.side === incoming.side) throw new Error(`matchIncoming: resting order ${r.id} is on the incoming order's side`);
    if (prev && comparePriority(prev, r) > 0) throw new Error(`matchIncoming: resting orders not in priority order at ${r.id}`);
    prev = r;
    assertPrice(r.priceFen);
    if (!crosses(incoming.side, incoming.priceFen, r.priceFen)) break;
    if (incoming.owner !== undefined && r.owner === incoming.owner) {
      selfTradeStopped = true;
      break;
    }
    const have = quantityToCents(r.quantity);
    const q = have < rem ? have : rem;
    trades.push(trade(incoming, r, q));
    fills.push({ id: r.id, filled: centsToQuantity(q), remaining: centsToQuantity(have - q) });
    rem -= q;
  }
  return { trades, remaining: centsToQuantity(rem), fills, selfTradeStopped };
}
