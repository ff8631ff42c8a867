/**
 * The daily release at 22:00 Asia/Shanghai (SPEC §5) and the next day's guide price (SPEC §9), in
 * O(1) writes (DESIGN "The daily release in O(1) writes"; maths in shared/release.ts, holders in
 * server/holders.ts).
 *
 * One transaction per business day, whatever fires it (the timer, its retries, a late run, two runs at
 * once, an admin's "release now"):
 *   re-read `release/state` — if the day is already released, nothing happens (idempotent);
 *   read every W shard → T = Π·W; R = the day's schedule (capped by what is unissued); P = guide price;
 *   applyRelease → Π, Σ (and a new epoch when R·P ≥ T);
 *   ledger entry `release:<day>`: release:unissued → release:pool (the released points);
 *   write the state, the closed Σ segments, the day record `releaseDays/<day>`, stamp every shard;
 *   move the guide price for the next day (VWAP of the C2C trades completed in the day's window,
 *   read before the transaction) and record it in `guidePriceHistory`.
 * The documents written do not depend on the number of holders: state + day record + ≤ 2 Σ segments +
 * SV_SHARDS shards + ledger entry and its 2 accounts + guide price + its history record.
 *
 * Days are released in order, each with its own record; a run releases at most `maxDays` and stops
 * starting new days after `budgetMs`, so a long outage is caught up over a few runs within the
 * cloud's 60 s. A day is due only once its 22:00 has passed — an admin's "release now" releases missed
 * days, never today's before 22:00 (SPEC §5: at most once a day, at 22:00).
 */
import type { ReleaseDayRecord } from '../shared/api';
import { D, dec, formatPoints, isTwoDecimals, minDec, ZERO } from '../shared/decimal';
import { CompletedTrade, nextGuidePrice } from '../shared/guidePrice';
import { applyRelease, ReleaseDay, scheduledRelease, segmentKey } from '../shared/release';
import { addDays, businessDay, dueReleaseDays, releaseMoment } from '../shared/time';
import { now } from './clock';
import { CONFIG_COLL, getParams, GUIDE_PRICE_ID, GuidePriceDoc } from './config';
import { AnyDoc, createDoc, getDb, lockAndRead, readAll, readDoc, runTx, Tx, writeDoc } from './db';
import {
  ensureReleaseState,
  lockShards,
  RELEASE_DAYS,
  readReleaseState,
  readShardTotals,
  RELEASE_COLL,
  RELEASE_STATE_ID,
  ReleaseStateDoc,
  shardId,
  shardInEpoch,
  SHARDS_COLL,
  ShardDoc,
  sumDocId,
  SV_SHARDS,
} from './holders';
import { balanceIn, postEntry, RELEASE_POOL, RELEASE_UNISSUED } from './ledger';
import { TRADES as MARKET_TRADES_COLL } from './market/model';
import { guidePriceTrades } from './farming';

export const RELEASE_DAYS_COLL = RELEASE_DAYS;
export const GUIDE_PRICE_HISTORY_COLL = 'guidePriceHistory';

/** The stored record of one day's release (`releaseDays/<day>`): the API's record plus the maths. */
export interface ReleaseDayDoc extends ReleaseDay {
  _id?: string;
  day: string;
  /** R as the schedule says (releasePerDay or what is left of releaseTotal), before capping by unissued. */
  scheduled: string;
  guidePriceFen: number;
  /** W read from the shards. */
  weight: string;
  /** Holders with SV > 0 in the epoch when the release ran. */
  holders: number;
  /** Points owed to holders below 0.01 (their carries) that rounding has left in the pool, as known at this release. */
  roundingLeft: string;
  /** Balance of `release:pool` (the account releases are credited to) after the release; claims are debited from its shards. */
  poolAfter: string;
  nextGuidePriceFen: number;
  trades: { count: number; volume: string; vwapFen: number | null; from: number; to: number };
  at: number;
  by: string;
}

export interface GuidePriceHistoryDoc {
  _id?: string;
  /** The business day the price applies from. */
  day: string;
  priceFen: number;
  previousFen: number;
  source: 'release' | 'admin';
  by: string;
  reason: string | null;
  vwapFen: number | null;
  volume: string | null;
  trades: number | null;
  at: number;
}

/** Test hooks (fault injection): called inside the day's transaction, after the ledger entry. */
export const releaseTestHooks: {
  afterLedgerEntry?: (day: string) => void | Promise<void>;
  /** Called inside the day's transaction once it read the release state, before it checks the day is due. */
  afterStateRead?: () => Promise<void>;
  /** Called inside the day's transaction once W was read from the shards, before they are stamped. */
  afterShardsRead?: () => Promise<void>;
  /** The minute job leaves due days alone, as if every automatic run failed (e2e: the admin releases by hand). */
  minuteJobOff?: boolean;
} = {};

// ------------------------------------------------------------------ trades → VWAP

export interface TradeWindow {
  trades: CompletedTrade[];
  count: number;
  volume: string;
  /** The volume-weighted price, rounded half-up to the fen (as nextGuidePrice rounds it); null without trades. */
  vwapFen: number | null;
  from: number;
  to: number;
}

/**
 * The C2C trades completed in [from, to) (collection of the market, issue 6), paged by 100: SPEC §9's
 * "trades completed since the last release" for the day whose 22:00 is `to`, less the trades between linked
 * accounts (`guidePriceTrades`).
 */
export async function tradesIn(from: number, to: number): Promise<TradeWindow> {
  const db = getDb();
  const _ = db.command;
  const all = await readAll<{ priceFen: number; quantity: string; buyer: string; seller: string }>(
    db.collection(MARKET_TRADES_COLL).where({ status: 'completed', completedAt: _.gte(from).and(_.lt(to)) }).orderBy('completedAt', 'asc').orderBy('_id', 'asc'),
  );
  // trades between linked accounts (referral, or the same two trading again and again) do not move the price
  // (issue 14.9, shared/farming.ts)
  const list = await guidePriceTrades(all);
  const trades: CompletedTrade[] = [];
  let volume = ZERO;
  let value = ZERO;
  for (const t of list) {
    // a malformed record must not stop the release: it is left out of the average
    if (!Number.isSafeInteger(t.priceFen) || t.priceFen <= 0 || typeof t.quantity !== 'string' || !isTwoDecimals(t.quantity) || dec(t.quantity).lte(0)) continue;
    trades.push({ priceFen: t.priceFen, quantity: t.quantity });
    volume = volume.plus(t.quantity);
    value = value.plus(dec(t.quantity).times(t.priceFen));
  }
  const vwapFen = volume.gt(0) ? value.div(volume).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber() : null;
  return { trades, count: trades.length, volume: volume.toFixed(2), vwapFen, from, to };
}

// ------------------------------------------------------------------ one day

export interface DayResult {
  record: ReleaseDayDoc;
  /** false when the day had already been released (by another run): nothing was changed now. */
  fresh: boolean;
}

function nextDueDay(state: ReleaseStateDoc): string {
  const next = state.lastReleasedDay === null ? state.firstDay : addDays(state.lastReleasedDay, 1);
  return next > state.firstDay ? next : state.firstDay;
}

/**
 * Release `day` (which must be the next due day) in one transaction; nothing happens if it is already
 * released. Exported for tests and the benchmark; runs go through `runDueReleases`.
 */
export async function releaseDay(day: string, by: string): Promise<DayResult> {
  const params = await getParams();
  const from = releaseMoment(addDays(day, -1), params.releaseHour);
  const to = releaseMoment(day, params.releaseHour);
  if (to > now()) throw new Error(`release of ${day} is not due before ${new Date(to).toISOString()}`);
  const window = await tradesIn(from, to);

  return runTx(async (tx) => {
    // the state locked, then read: two runs of one day (the timer and its retries, an admin's 释放) that both read it
    // unlocked could both find the day due, the later one then releasing it again over the first one's state
    if (!(await lockAndRead(tx, RELEASE_COLL, RELEASE_STATE_ID))) throw new Error('release state missing');
    const state = (await readReleaseState(tx)) as ReleaseStateDoc;
    await releaseTestHooks.afterStateRead?.();
    const expected = nextDueDay(state);
    if (day < expected) {
      const done = await readDoc<ReleaseDayDoc>(tx, RELEASE_DAYS_COLL, day);
      if (!done) throw new Error(`release of ${day}: before the schedule's first day ${state.firstDay}`);
      return { record: done, fresh: false };
    }
    if (day > expected) throw new Error(`release of ${day} out of order: ${expected} comes first`);
    return releaseInTx(tx, state, day, by, window);
  });
}

type PriceEntry = NonNullable<GuidePriceDoc['history']>[number];

/**
 * When a guide price took effect: a release's price for day X at the release of X−1 (whenever that ran); an
 * admin's (or the initial) price when it was set.
 */
function effectiveAt(e: PriceEntry, hour: number): number {
  return e.day && !e.reason ? releaseMoment(addDays(e.day, -1), hour) : e.at;
}

/**
 * The guide price in force at `moment` (SPEC §5: day d's release uses day d's P): the history entry that took
 * effect last at or before it. A catch-up of day d thus ignores an admin's change made after d's release
 * time. Without history, the document's price.
 */
export function guidePriceAt(guide: GuidePriceDoc | null, moment: number, hour: number, fallbackFen: number): number {
  const current = guide && Number.isSafeInteger(guide.priceFen) && guide.priceFen > 0 ? guide.priceFen : fallbackFen;
  let best: { t: number; fen: number } | null = null;
  for (const e of guide?.history ?? []) {
    if (!Number.isSafeInteger(e.priceFen) || e.priceFen <= 0) continue;
    const t = effectiveAt(e, hour);
    if (t <= moment && (best === null || t >= best.t)) best = { t, fen: e.priceFen };
  }
  return best?.fen ?? current;
}

async function releaseInTx(tx: Tx, state: ReleaseStateDoc, day: string, by: string, window: TradeWindow): Promise<DayResult> {
  const at = now();
  const params = await getParams(tx);
  const guide = await readDoc<GuidePriceDoc>(tx, CONFIG_COLL, GUIDE_PRICE_ID);
  const dueAt = releaseMoment(day, params.releaseHour);
  const P = guidePriceAt(guide, dueAt, params.releaseHour, params.initialGuidePriceFen);

  // W from every shard: locked first (one wave of writes), then read — under CloudBase's isolation a plain read
  // then a rewrite would lose a credit committed in between; locked, a concurrent credit conflicts instead
  const shardExists = await lockShards(tx);
  const totals = await readShardTotals(tx, state.epoch);
  await releaseTestHooks.afterShardsRead?.();
  const scheduled = scheduledRelease({ params, releasedSoFar: state.released });
  const unissued = await balanceIn(tx, RELEASE_UNISSUED);
  const R = minDec(scheduled, unissued.isNegative() ? ZERO : unissued);
  const { state: next, day: rel } = applyRelease({ ...state, weight: totals.weight.toString() }, { R, P });

  // Stamp every shard first: a new epoch empties them; SV credited late for this day (pending, SPEC §5) joins
  // now, after the release, at Π after it. Written before anything else, they are locked for the rest of the
  // transaction: an order settling now conflicts and retries after the release, instead of the release
  // retrying behind a stream of orders.
  let weightAfter = rel.newEpoch ? ZERO : totals.weight;
  const stamps: Promise<unknown>[] = [];
  for (let k = 0; k < SV_SHARDS; k++) {
    const s = shardInEpoch(totals.shards[k], state.epoch);
    const base: ShardDoc = rel.newEpoch ? { ...s, epoch: next.epoch, weight: '0', holders: 0 } : s;
    let weight = D(base.weight);
    let holders = base.holders;
    const pending = { ...(s.pending ?? {}) };
    for (const [d, p] of Object.entries(pending)) {
      if (d > day) continue;
      const joined = D(p.sv).div(next.product);
      weight = weight.plus(joined);
      weightAfter = weightAfter.plus(joined);
      holders += p.holders;
      delete pending[d];
    }
    const stamped: ShardDoc = { ...base, weight: weight.toString(), holders, pending, stampedSeq: next.seq, updatedAt: at };
    stamps.push(shardExists[k] ? writeDoc(tx, SHARDS_COLL, shardId(k), stamped) : createDoc(tx, SHARDS_COLL, shardId(k), stamped));
  }
  // one wave: SV_SHARDS writes by id together (docs/architecture.md census)
  await Promise.all(stamps);

  if (dec(rel.released).gt(0)) {
    const posted = await postEntry(tx, {
      key: `release:${day}`,
      kind: 'release',
      debit: RELEASE_UNISSUED,
      credit: RELEASE_POOL,
      amount: rel.released,
      ref: day,
      memo: `${day} 每日释放`,
    });
    if (posted === 'duplicate') throw new Error(`release:${day} is in the ledger but the state says it is not released`);
  }
  if (releaseTestHooks.afterLedgerEntry) await releaseTestHooks.afterLedgerEntry(day);

  for (const c of rel.closedSums) {
    await writeDoc(tx, RELEASE_COLL, sumDocId(c), { epoch: c.epoch, scale: c.scale, sum: c.sum, key: segmentKey(c), day, at });
  }

  // the next day's guide price (SPEC §9)
  const nextDay = addDays(day, 1);
  const nextPriceFen = nextGuidePrice({ currentFen: P, trades: window.trades, priceBand: params.priceBand });
  await writeGuidePrice(tx, guide, { priceFen: nextPriceFen, day: nextDay, at, by, reason: null }, params.releaseHour);
  const hist: GuidePriceHistoryDoc = {
    day: nextDay,
    priceFen: nextPriceFen,
    previousFen: P,
    source: 'release',
    by,
    reason: null,
    vwapFen: window.vwapFen,
    volume: window.volume,
    trades: window.count,
    at,
  };
  await writeDoc(tx, GUIDE_PRICE_HISTORY_COLL, `release:${day}`, hist);

  const poolAfter = await balanceIn(tx, RELEASE_POOL);
  const record: ReleaseDayDoc = {
    ...rel,
    day,
    scheduled: scheduled.toString(),
    guidePriceFen: P,
    weight: totals.weight.toString(),
    holders: totals.holders,
    roundingLeft: totals.carry.toString(),
    poolAfter: poolAfter.toFixed(2),
    nextGuidePriceFen: nextPriceFen,
    trades: { count: window.count, volume: window.volume, vwapFen: window.vwapFen, from: window.from, to: window.to },
    at,
    by,
  };
  await writeDoc(tx, RELEASE_DAYS_COLL, day, record);

  const nextState: ReleaseStateDoc = { ...next, weight: weightAfter.toString(), firstDay: state.firstDay, lastReleasedDay: day, updatedAt: at };
  await writeDoc(tx, RELEASE_COLL, RELEASE_STATE_ID, nextState);
  return { record, fresh: true };
}

/** Entries of `config/guidePrice.history` kept (the market reads it for the price of past days). */
export const GUIDE_HISTORY_KEEP = 400;

/** Move the guide price in a transaction: the document the rest of the platform reads, with its recent history. */
export async function writeGuidePrice(
  tx: Tx,
  current: GuidePriceDoc | null,
  change: { priceFen: number; day: string; at: number; by: string; reason: string | null },
  releaseHour?: number,
): Promise<void> {
  const history = [...(current?.history ?? []), { day: change.day, priceFen: change.priceFen, at: change.at, by: change.by, ...(change.reason ? { reason: change.reason } : {}) }];
  // a late release's price for the next day gives way to an admin's price set after that release was due
  const inForce = releaseHour === undefined ? change.priceFen : guidePriceAt({ ...(current ?? { day: null, updatedAt: 0 }), priceFen: change.priceFen, history }, change.at, releaseHour, change.priceFen);
  const doc: AnyDoc = { ...(current ?? {}), priceFen: inForce, day: change.day, updatedAt: change.at, updatedBy: change.by, history: history.slice(-GUIDE_HISTORY_KEEP) };
  delete doc._id;
  await writeDoc(tx, CONFIG_COLL, GUIDE_PRICE_ID, doc);
}

// ------------------------------------------------------------------ a run

export interface RunOptions {
  /** Who fired it: 'timer', 'admin:<openid>', 'test'. */
  by: string;
  /** At most this many days in one run (default 60). */
  maxDays?: number;
  /** Stop starting new days after this long (default 40 s of the cloud's 60 s). */
  budgetMs?: number;
}

export interface RunResult {
  /** Days released by this run, in order. */
  released: ReleaseDayDoc[];
  /** Days still due after this run (more than maxDays, or out of time). */
  stillDue: string[];
}

/** Release every due day, oldest first, each in its own transaction. Safe to run any number of times at once. */
export async function runDueReleases(opts: RunOptions): Promise<RunResult> {
  const maxDays = opts.maxDays ?? 60;
  const budgetMs = opts.budgetMs ?? 40_000;
  const started = Date.now();
  await ensureReleaseState();
  const released: ReleaseDayDoc[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    const params = await getParams();
    const state = (await readReleaseState(getDb())) as ReleaseStateDoc;
    const due = dueReleaseDays({ lastReleasedDay: state.lastReleasedDay, firstDay: state.firstDay, now: now(), hour: params.releaseHour });
    if (due.length === 0) return { released, stillDue: [] };
    if (released.length >= maxDays || Date.now() - started > budgetMs) return { released, stillDue: due };
    const r = await releaseDay(due[0], opts.by);
    if (r.fresh) released.push(r.record);
  }
  throw new Error('runDueReleases: no progress');
}

/**
 * The every-minute `timeouts` job's part (SPEC §5: a missed day is released as soon as anything notices it
 * is due): one read of the state when nothing is due; otherwise a short run (a few days, a budget that fits
 * the job's minute), so a timer that fired early, failed after its retries or was killed by a timeout costs
 * a minute, not a day. The release time follows the `releaseHour` parameter; the 22:00 timer stays as well.
 */
export async function releaseIfDue(opts: { by?: string; maxDays?: number; budgetMs?: number } = {}): Promise<{ due: number; released: string[]; stillDue: string[] }> {
  if (releaseTestHooks.minuteJobOff) return { due: 0, released: [], stillDue: [] };
  const state = await readReleaseState(getDb());
  const params = await getParams();
  if (state) {
    const due = dueReleaseDays({ lastReleasedDay: state.lastReleasedDay, firstDay: state.firstDay, now: now(), hour: params.releaseHour, limit: 1 });
    if (due.length === 0) return { due: 0, released: [], stillDue: [] };
  }
  const run = await runDueReleases({ by: opts.by ?? 'timeouts', maxDays: opts.maxDays ?? 5, budgetMs: opts.budgetMs ?? 15_000 });
  return { due: run.released.length + run.stillDue.length, released: run.released.map((d) => d.day), stillDue: run.stillDue };
}

// ------------------------------------------------------------------ reads

export function toDayRecord(d: ReleaseDayDoc): ReleaseDayRecord {
  return {
    day: d.day,
    totalSv: formatPoints(d.T),
    scheduled: dec(d.scheduled).toFixed(2),
    released: dec(d.released).toFixed(2),
    guidePriceFen: d.guidePriceFen,
    svConsumed: dec(d.svConsumed).toFixed(2),
    holders: d.holders,
    roundingLeft: dec(d.roundingLeft).toFixed(6),
    at: d.at,
    nextGuidePriceFen: d.nextGuidePriceFen,
  };
}

/** The most recent day records, newest first. */
export async function recentReleaseDays(limit = 10): Promise<ReleaseDayDoc[]> {
  const res = await getDb().collection(RELEASE_DAYS_COLL).orderBy('day', 'desc').limit(Math.min(Math.max(limit, 1), 100)).get();
  return (res.data ?? []) as ReleaseDayDoc[];
}

export async function getReleaseDay(day: string): Promise<ReleaseDayDoc | null> {
  return readDoc<ReleaseDayDoc>(getDb(), RELEASE_DAYS_COLL, day);
}

/** Which business day a moment belongs to (re-exported for callers that show "today"). */
export { businessDay };
