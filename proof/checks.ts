/**
 * The end-of-run checks of the proof suites, computed from the database (and the payment simulator) of a
 * local cloud, independently of the code under test where it can be:
 * - the ledger (server/ledger.ts verifyLedger): every balance recomputed from the entries, points conserved
 *   (SPEC §10.1), no user below zero (§10.3);
 * - shared value conserved (§10.2): Σ credited by settled orders (recomputed from each order's cash at the
 *   seed's parameters) − Σ consumed by releases = Σ every holder's current SV;
 * - exactly once (§10.4): each paid order has exactly its deduction, each settled order its shared value
 *   credits and no unsettled order any, each merchant's settled sales = Σ of its settled orders' cash
 *   (a plain increment, so a double settlement would show), each WeChat Pay trade ↔ its order's state;
 * - market escrow: each user's escrow = open sell orders (remaining + fee) + live trades as seller (quantity + fee).
 */
import { createHash } from 'crypto';
import { D, Dec, DecInput } from '../shared/decimal';
import { DEFAULT_PARAMS } from '../shared/params';
import { verifyLedger } from '../server/ledger';
import { creditKeyId, holderView } from '../server/holders';
import { businessDay } from '../shared/time';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Db = any;

/** Every document of a collection (matching `where`), 100 at a time by _id, as a cloud function must. */
export async function all(db: Db, coll: string, where: Record<string, unknown> = {}): Promise<any[]> {
  const out: any[] = [];
  let last: string | null = null;
  const _ = db.command;
  for (;;) {
    let q = db.collection(coll);
    if (last !== null) q = q.where({ ...where, _id: _.gt(last) });
    else if (Object.keys(where).length) q = q.where(where);
    const res = await q.orderBy('_id', 'asc').limit(100).get();
    const list = (res?.data ?? []) as any[];
    out.push(...list);
    if (list.length < 100) return out;
    last = list[list.length - 1]._id;
  }
}

/** What the proof suites compare before and after a refused call. */
export interface StateFingerprint {
  /** The database's commit counter: any write of any document moves it. */
  commits: number;
  /** WeChat Pay orders created (a refusal must not create one). */
  payOrders: number;
  /** Entries in the ledger. */
  ledgerEntries: number;
  /** sha256 of every account's `id=balance#seq`, in id order. */
  accounts: string;
}

/**
 * "Nothing changed": the commit counter and the pay orders of the local cloud, and the ledger read back — the
 * number of entries and a digest of every balance. A refusal must leave every one of them as it was.
 */
export async function stateFingerprint(tc: { db: Db; cloud: { engine: { currentSeq(): number }; pay: { list(): unknown[] } } }): Promise<StateFingerprint> {
  const commits = tc.cloud.engine.currentSeq();
  const [accounts, count] = await Promise.all([all(tc.db, 'accounts'), tc.db.collection('ledger').count()]);
  const h = createHash('sha256');
  for (const a of accounts) h.update(`${a._id}=${a.balance}#${a.seq ?? 0}\n`);
  return { commits, payOrders: tc.cloud.pay.list().length, ledgerEntries: Number(count?.total ?? 0), accounts: h.digest('hex').slice(0, 16) };
}

async function exists(db: Db, coll: string, id: string): Promise<any | null> {
  try {
    const r = await db.collection(coll).doc(id).get();
    const d = r?.data;
    return Array.isArray(d) ? (d[0] ?? null) : (d ?? null);
  } catch {
    return null;
  }
}

export interface WorldReport {
  errors: string[];
  orders: number;
  settled: number;
  trades: number;
  ledgerEntries: number;
  svCredited: string;
  svConsumed: string;
  svHeld: string;
}

/**
 * `statsExact`: no fault was injected and no process killed, so the after-commit statistics (the stores' days) must
 * count every payment exactly; otherwise they may only fall short (a step lost with its process), never count more.
 */
export async function checkWorld(db: Db, payOrders?: Array<{ outTradeNo: string; state: string }>, opts: { statsExact?: boolean } = {}): Promise<WorldReport> {
  const errors: string[] = [];
  const rep = await verifyLedger(db);
  for (const e of rep.errors) errors.push(`ledger: ${e}`);

  const p = DEFAULT_PARAMS;
  const orders = await all(db, 'orders');
  let credited = D(0);
  let settled = 0;
  const sales = new Map<string, number>();
  // the stores' days (statistics, counted after each payment's commit): never more than was paid
  const paidByDay = new Map<string, { orders: number; cashFen: number }>();
  for (const o of orders) {
    if (o.paidAt) {
      const k = `${o.merchantId}:${businessDay(o.paidAt)}`;
      const t = paidByDay.get(k) ?? { orders: 0, cashFen: 0 };
      paidByDay.set(k, { orders: t.orders + 1, cashFen: t.cashFen + o.cashFen });
    }
  }
  const days = await all(db, 'storeDays');
  for (const d of days) {
    const paid = paidByDay.get(d._id) ?? { orders: 0, cashFen: 0 };
    if (d.orders > paid.orders || d.cashFen > paid.cashFen) errors.push(`store day ${d._id} counts ${d.orders} orders / ${d.cashFen} fen, more than paid (${paid.orders} / ${paid.cashFen})`);
    else if (opts.statsExact && (d.orders !== paid.orders || d.cashFen !== paid.cashFen)) errors.push(`store day ${d._id} counts ${d.orders} orders / ${d.cashFen} fen, not what was paid (${paid.orders} / ${paid.cashFen})`);
  }
  if (opts.statsExact) for (const k of paidByDay.keys()) if (!days.some((d) => d._id === k)) errors.push(`store day ${k} has payments but was never counted`);
  for (const o of orders) {
    const ded = await exists(db, 'ledger', `order:${o._id}:deduction`);
    const paid = o.paidAt !== null && o.paidAt !== undefined;
    if (paid && D(o.merchantDeduction ?? 0).gt(0)) {
      if (!ded) errors.push(`order ${o._id} (${o.status}) paid but its deduction is missing`);
      else if (!D(ded.amount).eq(o.merchantDeduction)) errors.push(`order ${o._id} deduction ${ded.amount} ≠ ${o.merchantDeduction}`);
    } else if (ded) errors.push(`order ${o._id} (${o.status}) not paid but has a deduction entry`);
    const userKey = creditKeyId(`user:${o.buyerOpenid}`, `settle:${o._id}:user`);
    const merchKey = creditKeyId(`merchant:${o.merchantId}`, `settle:${o._id}:merchant`);
    const uc = await exists(db, 'holderHistory', userKey);
    const mc = await exists(db, 'holderHistory', merchKey);
    if (o.status === 'completed') {
      settled++;
      if (!o.settled) errors.push(`order ${o._id} completed but not marked settled`);
      const cash = D(o.cashFen).div(100).mul(p.rebateRate);
      // credits round down to 0.01 (SPEC §2)
      const userSv = cash.mul(p.userSvMultiplier).toDecimalPlaces(2, D.ROUND_DOWN);
      const merchantSv = cash.mul(p.merchantSvMultiplier).toDecimalPlaces(2, D.ROUND_DOWN);
      if (!userSv.eq(o.userSv) || !merchantSv.eq(o.merchantSv)) errors.push(`order ${o._id}: shared value ${o.userSv}/${o.merchantSv}, expected ${userSv.toFixed(2)}/${merchantSv.toFixed(2)}`);
      credited = credited.plus(userSv).plus(merchantSv);
      if (userSv.gt(0) && !uc) errors.push(`order ${o._id} settled without the buyer's shared value`);
      if (merchantSv.gt(0) && !mc) errors.push(`order ${o._id} settled without the merchant's shared value`);
      sales.set(o.merchantId, (sales.get(o.merchantId) ?? 0) + o.cashFen);
      if (D(o.pointsUsed ?? 0).gt(0) && !(await exists(db, 'ledger', `order:${o._id}:points`))) errors.push(`order ${o._id} settled without paying its points to the merchant`);
    } else {
      if (uc || mc) errors.push(`order ${o._id} (${o.status}) not settled but shared value was credited`);
      if (o.settled) errors.push(`order ${o._id} (${o.status}) marked settled`);
    }
    if (o.status === 'refunded' && D(o.merchantDeduction ?? 0).gt(0) && !(await exists(db, 'ledger', `order:${o._id}:deduction-refund`))) {
      errors.push(`order ${o._id} refunded without returning the deduction`);
    }
    if ((o.status === 'cancelled' || o.status === 'refunded') && D(o.pointsUsed ?? 0).gt(0)) {
      const hold = await exists(db, 'accounts', `hold:order:${o._id}`);
      if (hold && !D(hold.balance).eq(0)) errors.push(`order ${o._id} (${o.status}) still holds ${hold.balance} points`);
    }
  }
  for (const m of await all(db, 'merchants')) {
    const want = sales.get(m._id) ?? 0;
    if ((m.salesFen ?? 0) !== want) errors.push(`merchant ${m._id} salesFen ${m.salesFen} ≠ Σ settled cash ${want}`);
  }

  // shared value (SPEC §10.2)
  let consumed = D(0);
  for (const d of await all(db, 'releaseDays')) consumed = consumed.plus(d.svConsumed ?? 0);
  let held: Dec = D(0);
  for (const h of await all(db, 'holders')) held = held.plus((await holderView(`${h.kind}:${h.owner}`, db)).sv);
  if (credited.minus(consumed).minus(held).abs().gt('0.01')) {
    errors.push(`shared value: credited ${credited.toFixed(6)} − consumed ${consumed.toFixed(6)} ≠ held ${held.toFixed(6)}`);
  }

  // WeChat Pay ↔ orders
  if (payOrders) {
    const byId = new Map(orders.map((o) => [o._id as string, o]));
    for (const po of payOrders) {
      if (!po.outTradeNo.startsWith('O')) continue;
      const o = byId.get(po.outTradeNo);
      if (!o) {
        // a creation that ran again leaves its first attempt's trade, asked for before the commit, which nobody got
        // the payment request of (server/orders.ts createOrder): never paid
        if (po.state !== 'NOTPAY') errors.push(`WeChat Pay trade ${po.outTradeNo} has no order and is ${po.state}`);
        continue;
      }
      const paid = o.paidAt !== null && o.paidAt !== undefined;
      if (po.state === 'SUCCESS' && !paid) errors.push(`WeChat Pay trade ${po.outTradeNo} is paid but its order is ${o.status}`);
      if (paid && po.state !== 'SUCCESS' && po.state !== 'REFUND') errors.push(`order ${o._id} is paid but its WeChat Pay trade is ${po.state}`);
    }
  }

  // market escrow
  const escrowWant = new Map<string, Dec>();
  const add = (u: string, x: DecInput) => escrowWant.set(u, (escrowWant.get(u) ?? D(0)).plus(x));
  for (const o of await all(db, 'marketOrders')) if (o.side === 'sell' && o.status === 'open') add(o.openid, D(o.remaining).plus(o.feeEscrowed));
  const trades = await all(db, 'marketTrades');
  for (const t of trades) if (['awaiting_payment', 'paid', 'appealed'].includes(t.status)) add(t.seller, D(t.quantity).plus(t.fee));
  for (const a of await all(db, 'accounts')) {
    const m = /^user:(.+):escrow$/.exec(a._id);
    if (!m) continue;
    const want = escrowWant.get(m[1]) ?? D(0);
    if (!D(a.balance).eq(want)) errors.push(`escrow of ${m[1]}: ${a.balance} ≠ open sell orders + live trades ${want.toFixed(2)}`);
    escrowWant.delete(m[1]);
  }
  for (const [u, want] of escrowWant) if (want.gt(0)) errors.push(`escrow of ${u}: no account, but ${want.toFixed(2)} is owed to open orders and trades`);

  return {
    errors,
    orders: orders.length,
    settled,
    trades: trades.length,
    ledgerEntries: rep.entries,
    svCredited: credited.toFixed(2),
    svConsumed: consumed.toFixed(2),
    svHeld: held.toFixed(2),
  };
}
