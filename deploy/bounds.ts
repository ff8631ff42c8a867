/**
 * A bound on each function's work, to hold against its declared timeout (deploy/deploy.test.ts).
 *
 * The model, stated so it can be argued with:
 * - a database round trip costs ROUND_TRIP_MS (the local cloud's cloud profile: 8 ms per call);
 * - a call to WeChat (cloudPay, subscribeMessage.send, wxacode) costs at most EXTERNAL_CALL_MS (an assumption:
 *   WeChat documents no bound; a slower call makes the unit in flight late, never the next one start);
 * - a transaction under contention retries for at most TX_RETRY_BUDGET_MS (server/db.ts), then answers BUSY;
 * - a budgeted loop (server/budgets.ts) starts no unit after its budget, so it ends within budget + one unit.
 * A unit is written as { tx: transactions with a worst-case retry, roundTrips, external } and costs
 * tx × TX_RETRY_BUDGET_MS + roundTrips × ROUND_TRIP_MS + external × EXTERNAL_CALL_MS.
 */
import { TX_RETRY_BUDGET_MS } from '../server/db';
import { SWEEP_BATCH } from '../server/ledger';
import { NOTICE_BATCH_BUDGET_MS, RELEASE_DAYS_BUDGET_MS, RELEASE_RUN_BUDGET_MS, TICK_BUDGET_MS } from '../server/budgets';
import type { FunctionName } from './variables';

export const ROUND_TRIP_MS = 8;
export const EXTERNAL_CALL_MS = 3_000;

export interface Unit {
  what: string;
  tx: number;
  roundTrips: number;
  external: number;
}

export function unitMs(u: Unit): number {
  return u.tx * TX_RETRY_BUDGET_MS + u.roundTrips * ROUND_TRIP_MS + u.external * EXTERNAL_CALL_MS;
}

/** Start of every invocation: ensureBootstrap (one read when done) and the handler's request record. */
const START: Unit = { what: 'bootstrap + request record', tx: 0, roundTrips: 4, external: 0 };

/** The largest unit of each kind of work (round trips counted from the code paths named). */
export const UNITS = {
  /** A client request: one contended transaction (≤ 40 reads/writes) plus its reads and one WeChat call (pay or pay code). */
  request: { what: 'a client request', tx: 1, roundTrips: 200, external: 1 },
  /** runOrderTimeouts: closeOrFindPaid (closeOrder + queryOrder) then cancelOrder's transaction, or a refund push. */
  order: { what: 'an order timeout', tx: 1, roundTrips: 40, external: 2 },
  /** releaseDay: the day's trades read in pages of 100 (≤ 100 pages) and one transaction. */
  releaseDay: { what: 'one release day', tx: 1, roundTrips: 140, external: 0 },
  /** noticeOne: holder + history reads, the claim transaction, the send, the record. */
  notice: { what: 'one release notice', tx: 1, roundTrips: 8, external: 1 },
  /** cancelLapsedTrades: the lapse transaction, the buyer's open bids (≤ 100), the notice. */
  lapse: { what: 'one lapsed trade', tx: 1, roundTrips: 110, external: 1 },
  /** sweepTreasuryInbox: one batch — the query, then per inbox a lock, a read and the entry's writes. */
  sweep: { what: 'one treasury sweep batch', tx: 1, roundTrips: 2 + 4 * SWEEP_BATCH, external: 0 },
  /** backfillProducts: one product's transaction (lock, read, write) after the batch's two queries. */
  backfill: { what: 'one product backfilled', tx: 1, roundTrips: 5, external: 0 },
} satisfies Record<string, Unit>;

export interface WorkBound {
  fn: FunctionName;
  /** The worst case in ms. */
  ms: number;
  /** How it was added up. */
  parts: string[];
}

function worst(units: Unit[]): Unit {
  return units.reduce((a, b) => (unitMs(b) > unitMs(a) ? b : a));
}

function budgeted(fn: FunctionName, budgetMs: number, units: Unit[], note: string): WorkBound {
  const tail = worst(units);
  return { fn, ms: unitMs(START) + budgetMs + unitMs(tail), parts: [`start ${unitMs(START)} ms`, `${note} ${budgetMs} ms`, `+ ${tail.what} in flight ${unitMs(tail)} ms`] };
}

export function workBound(fn: FunctionName): WorkBound {
  switch (fn) {
    case 'timeouts':
      return budgeted(fn, TICK_BUDGET_MS, [UNITS.order, UNITS.notice, UNITS.lapse, UNITS.sweep, UNITS.backfill], 'jobs budget (TICK_BUDGET_MS)');
    case 'release': {
      // run: days until RELEASE_DAYS_BUDGET_MS (+ the day in flight); notices only while the run is under
      // RELEASE_RUN_BUDGET_MS (+ the notice in flight). The `notices` action is one budgeted batch.
      const days = RELEASE_DAYS_BUDGET_MS + unitMs(UNITS.releaseDay);
      const notices = RELEASE_RUN_BUDGET_MS + unitMs(UNITS.notice);
      const batch = NOTICE_BATCH_BUDGET_MS + unitMs(UNITS.notice);
      const ms = unitMs(START) + Math.max(days, notices, batch);
      return { fn, ms, parts: [`start ${unitMs(START)} ms`, `max(days ${days}, notices ${notices}, batch ${batch}) ms`] };
    }
    default:
      return { fn, ms: unitMs(START) + unitMs(UNITS.request), parts: [`start ${unitMs(START)} ms`, `${UNITS.request.what} ${unitMs(UNITS.request)} ms`] };
  }
}
