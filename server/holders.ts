/**
 * Shared-value holders, lazily settled against the release state (DESIGN "The daily release in O(1)
 * writes"; the maths is shared/release.ts).
 *
 * A holder (`user:<openid>` or `merchant:<merchantId>`) keeps only a snapshot from its last change;
 * the daily release (server/release.ts) never writes a holder. Before its shared value changes (an
 * order's settlement credits SV: `creditSv`) or when it looks at its position (`settleHolderNow`),
 * the points released to it since the snapshot are credited to its points account through one ledger
 * entry from `release:pool`, and the snapshot is re-taken.
 *
 * Documents (all addressed by id, so everything works inside a transaction):
 * - `release/state`: the global state (epoch, Π, Σ, segment, seq, released, lastReleasedDay, firstDay).
 * - `release/sum-<epoch>-<scale>`: the final Σ of each closed segment (an ended epoch, or a Π segment).
 * - `svShards/<k>` (k < SV_SHARDS): W (Σ sv0/Π0 over the epoch's holders) split over a few documents so
 *   concurrent orders do not all write one; `{ epoch, weight, holders, carry }`. A holder always writes
 *   the shard `shardOf(holderId)`. The release reads and rewrites every shard in its transaction, so a
 *   credit racing a release conflicts and retries instead of slipping between its read and its write.
 * - `holders/<holderId>`: the snapshot (`sv0, product0, sum0, epoch0, scale0, seq0, carry`) + totals.
 * - `holderHistory/<holderId>|credit:<key>` / `<holderId>|settle:<n>`: one record per holder write (a
 *   credit or a settlement) with the snapshot it left and `n` (the holder's write count, for order): with
 *   the per-day records this gives the holder's day-by-day statement.
 */
import { randomInt } from 'crypto';
import Decimal from 'decimal.js';
import { D, Dec, dec, ZERO } from '../shared/decimal';
import {
  addSv,
  HolderSnapshot,
  holderPosition,
  initialReleaseState,
  JoinPoint,
  joinSnapshot,
  PendingSv,
  settleComponents,
  neededSums,
  newHolderSnapshot,
  ReleaseState,
  SegmentRef,
  settleHolder,
  Settlement,
  SumLookup,
  weightTerm,
} from '../shared/release';
import { addDays, businessDay, nextReleaseMoment, releaseMoment } from '../shared/time';
import { now } from './clock';
import { getParams } from './config';
import { AnyDoc, conflictError, createDoc, Tx, getDb, readDoc, runTx, writeDoc } from './db';
import { ACCOUNTS_COLL, merchantAccount, postEntry, registerLedgerKind, RELEASE_POOL_SHARDS, releasePoolShard, SUPPLY_DOC, SupplyDoc, userAvailable } from './ledger';

export const RELEASE_COLL = 'release';
export const RELEASE_STATE_ID = 'state';
export const SHARDS_COLL = 'svShards';
export const HOLDERS_COLL = 'holders';
export const HOLDER_HISTORY_COLL = 'holderHistory';
/**
 * Number of W shards. Every payment's settlement locks one per SV credit (2 a payment) for its last round trips,
 * so concurrent payments rarely meet on one; the release reads and rewrites all of them in one transaction (one
 * parallel wave each way). Their content is a sum, so raising the count needs no migration (new shards start
 * empty); lowering it would (a dropped shard's content must be folded into another first).
 */
export const SV_SHARDS = 512;

export const RELEASE_CREDIT_KIND = 'release_credit';
registerLedgerKind(RELEASE_CREDIT_KIND, '每日释放到账');
registerLedgerKind('release', '每日释放');

// ------------------------------------------------------------------ documents

export interface ReleaseStateDoc extends Required<ReleaseState> {
  _id?: string;
  /** The first business day of the schedule: the first 22:00 after launch. */
  firstDay: string;
  lastReleasedDay: string | null;
  updatedAt: number;
}

export interface ShardDoc {
  _id?: string;
  /** The epoch `weight` and `holders` belong to; older = 0 (the epoch ended, every SV went to zero). */
  epoch: number;
  /** Σ sv0/Π0 of this shard's holders in `epoch`, full precision. */
  weight: string;
  /** Holders of this shard with SV > 0 in `epoch`. */
  holders: number;
  /** Σ of its holders' carries: points owed below 0.01 that rounding has left in the pool (all epochs). */
  carry: string;
  /** seq of the last release that stamped it. */
  stampedSeq: number;
  /**
   * SV credited to this shard's holders after a day's release time and before that release ran, by the day
   * it waits for (SPEC §5: it takes no part in that day). The day's release adds it to `weight` after
   * releasing, and `holders` new holders (one per holder and day). Absent = none.
   */
  pending?: Record<string, { sv: string; holders: number }>;
  updatedAt: number;
}

export type HolderKind = 'user' | 'merchant';

export interface HolderDoc extends Required<HolderSnapshot> {
  _id?: string;
  kind: HolderKind;
  /** openid for a user, merchantId for a merchant. */
  owner: string;
  /** The points account its releases are credited to. */
  account: string;
  /** Writes so far (orders its history records). */
  n: number;
  /** Lifetime totals: SV credited by orders, points credited from releases. */
  svCredited: string;
  pointsCredited: string;
  /** SV waiting for a late release (see ShardDoc.pending), oldest day first; folded in at its next write. Absent = none. */
  pending?: PendingSv[];
  createdAt: number;
  updatedAt: number;
}

export interface HolderHistoryDoc extends Required<HolderSnapshot> {
  _id?: string;
  holderId: string;
  n: number;
  what: 'credit' | 'settle';
  /** The caller's idempotency key (credit) or null. */
  key: string | null;
  svAdded: string;
  /** Points credited from the release pool by this write. The SV right after it is sv0 (+ pending). */
  pointsCredited: string;
  /** Pending credits the holder had after this write (absent = none). */
  pending?: PendingSv[];
  at: number;
  /** Business day of the write. */
  day: string;
}

// ------------------------------------------------------------------ ids

export function userHolderId(openid: string): string {
  return `user:${openid}`;
}

export function merchantHolderId(merchantId: string): string {
  return `merchant:${merchantId}`;
}

export function parseHolderId(holderId: string): { kind: HolderKind; owner: string; account: string } {
  const m = /^(user|merchant):(.+)$/.exec(holderId);
  if (!m) throw new Error(`not a holder id: ${holderId}`);
  const kind = m[1] as HolderKind;
  const owner = m[2];
  return { kind, owner, account: kind === 'user' ? userAvailable(owner) : merchantAccount(owner) };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** FNV-1a: a holder's home W shard (for tools that build shards from holders, bench/release.ts). */
export function shardOf(holderId: string): number {
  return fnv1a(holderId) % SV_SHARDS;
}

/** The release pool's claim shard a holder's credits come from (server/ledger.ts RELEASE_POOL_SHARDS). */
export function poolShardOf(holderId: string): number {
  return fnv1a(`pool:${holderId}`) % RELEASE_POOL_SHARDS;
}

export function shardId(k: number): string {
  return String(k);
}

export function sumDocId(at: SegmentRef): string {
  return `sum-${at.epoch}-${at.scale}`;
}

/** A settlement's history record. */
export function historyId(holderId: string, n: number): string {
  return `${holderId}|settle:${n}`;
}

/** A credit's history record: addressed by the caller's key, so a second credit with that key is seen. */
export function creditKeyId(holderId: string, key: string): string {
  return `${holderId}|credit:${key}`;
}

// ------------------------------------------------------------------ state

/** Source of reads: a transaction or the database. */
type Src = Tx | AnyDoc;

/** The first day of the schedule for a platform launched at `at`: the day of the first release moment after it. */
export function firstDayFor(at: number, hour: number): string {
  return businessDay(nextReleaseMoment(at, hour));
}

export function initialStateDoc(firstDay: string): ReleaseStateDoc {
  return { ...initialReleaseState(), firstDay, lastReleasedDay: null, updatedAt: now() };
}

/** The release state as stored, or null before the first holder / first release. */
export function readReleaseState(src: Src): Promise<ReleaseStateDoc | null> {
  return readDoc<ReleaseStateDoc>(src, RELEASE_COLL, RELEASE_STATE_ID).then(releaseStateOf);
}

function releaseStateOf(doc: ReleaseStateDoc | null): ReleaseStateDoc | null {
  if (!doc) return null;
  // the stored fields over the defaults, without _id (a loop: object rest takes V8's slow path, and every order
  // reads the state four times)
  const out: Record<string, unknown> = initialReleaseState();
  for (const k of Object.keys(doc)) if (k !== '_id') out[k] = (doc as unknown as Record<string, unknown>)[k];
  return out as unknown as ReleaseStateDoc;
}

/**
 * Inside a transaction: the state, created (written in this transaction) if it does not exist yet. The
 * schedule's first day is the day of the first 22:00 after the launch (the genesis of the supply).
 */
export async function loadOrCreateState(tx: Tx): Promise<ReleaseStateDoc> {
  const s = await readReleaseState(tx);
  if (s) return s;
  const params = await getParams(tx);
  // the platform's launch is when the supply entered the ledger (genesis); before that, now
  const supply = await readDoc<SupplyDoc>(tx, SUPPLY_DOC.coll, SUPPLY_DOC.id);
  const launchedAt = supply && Number.isFinite(supply.at) ? Math.min(supply.at, now()) : now();
  const fresh = initialStateDoc(firstDayFor(launchedAt, params.releaseHour));
  await writeDoc(tx, RELEASE_COLL, RELEASE_STATE_ID, fresh);
  return fresh;
}

/** Outside a transaction: make sure the state document exists (idempotent). */
export async function ensureReleaseState(): Promise<ReleaseStateDoc> {
  const s = await readReleaseState(getDb());
  if (s) return s;
  return runTx((tx) => loadOrCreateState(tx));
}

export function emptyShard(epoch: number): ShardDoc {
  return { epoch, weight: '0', holders: 0, carry: '0', stampedSeq: 0, updatedAt: 0 };
}

export async function readShard(src: Src, k: number): Promise<ShardDoc> {
  const doc = await readDoc<ShardDoc>(src, SHARDS_COLL, shardId(k));
  if (!doc) return emptyShard(0);
  const { _id, ...rest } = doc; // eslint-disable-line @typescript-eslint/no-unused-vars
  return { ...emptyShard(0), ...rest };
}

/** A shard as seen from `epoch`: weight and holders of an ended epoch count as 0. */
export function shardInEpoch(s: ShardDoc, epoch: number): ShardDoc {
  return s.epoch === epoch ? s : { ...s, epoch, weight: '0', holders: 0 };
}

export interface ShardTotals {
  weight: Dec;
  holders: number;
  carry: Dec;
  shards: ShardDoc[];
}

/** All shards, summed for the state's epoch (W, holders with SV, carries). */
export async function readShardTotals(src: Src, epoch: number): Promise<ShardTotals> {
  // one wave: the reads by id go out together
  const shards = await Promise.all(Array.from({ length: SV_SHARDS }, (_, k) => readShard(src, k)));
  let weight = ZERO;
  let holders = 0;
  let carry = ZERO;
  for (const raw of shards) {
    const s = shardInEpoch(raw, epoch);
    weight = weight.plus(s.weight);
    holders += s.holders;
    carry = carry.plus(s.carry);
  }
  return { weight, holders, carry, shards };
}

/**
 * Lock every W shard (the release, before it reads them): one wave of writes by id. Returns which exist: a shard
 * absent now cannot be locked, so the release must create it (createDoc), which conflicts with a settlement
 * creating it meanwhile, instead of set() overwriting that settlement's credit.
 */
export async function lockShards(tx: Tx): Promise<boolean[]> {
  return Promise.all(Array.from({ length: SV_SHARDS }, (_, k) => lockDoc(tx, SHARDS_COLL, shardId(k))));
}

/** Pre-load the closed Σ segments a snapshot needs (0 to 2 reads by id) and return the lookup. */
export async function sumLookupFor(src: Src, snapshot: HolderSnapshot, state: ReleaseState): Promise<SumLookup> {
  const loaded = new Map<string, string>();
  const refs = neededSums(snapshot, state);
  const docs = await Promise.all(refs.map((ref) => readDoc<{ sum: string }>(src, RELEASE_COLL, sumDocId(ref))));
  refs.forEach((ref, i) => {
    const doc = docs[i];
    if (doc) loaded.set(sumDocId(ref), doc.sum);
  });
  return (at) => loaded.get(sumDocId(at));
}

function snapshotFields(s: Required<HolderSnapshot>): Required<HolderSnapshot> {
  return { sv0: s.sv0, product0: s.product0, sum0: s.sum0, epoch0: s.epoch0, scale0: s.scale0, seq0: s.seq0, carry: s.carry };
}

function newHolderDoc(holderId: string, state: ReleaseState): HolderDoc {
  const { kind, owner, account } = parseHolderId(holderId);
  const at = now();
  return {
    ...newHolderSnapshot(state),
    kind,
    owner,
    account,
    n: 0,
    svCredited: '0',
    pointsCredited: '0.00',
    createdAt: at,
    updatedAt: at,
  };
}

function stripped<T extends { _id?: string }>(doc: T): T {
  const { _id, ...rest } = doc; // eslint-disable-line @typescript-eslint/no-unused-vars
  return rest as T;
}

export function readHolder(src: Src, holderId: string): Promise<HolderDoc | null> {
  return readDoc<HolderDoc>(src, HOLDERS_COLL, holderId).then((doc) => (doc ? stripped(doc) : null));
}

// ------------------------------------------------------------------ the write

export interface HolderChange {
  /** 'duplicate': this key was already applied, nothing changed. 'unchanged': nothing to credit or add. */
  status: 'applied' | 'duplicate' | 'unchanged';
  /** Current SV after the change, exact. */
  sv: Dec;
  /** Points moved from the release pool to the holder's account now. */
  credited: Dec;
  /** Points owed but below 0.01, kept for later. */
  carry: Dec;
}

/**
 * Lock, then read (DESIGN "Rules for running at the platform's scale" 2): in CloudBase a transaction's reads
 * are not re-validated at commit, and a write locks the document until commit. So a transaction that will
 * rewrite a document from what it read writes it first (a field no reader uses), then reads it: what it reads
 * is then the last committed version and stays so until it commits. Returns false if the document does not
 * exist yet (its creation by `set` conflicts with a concurrent creation instead).
 */
export function lockDoc(tx: Tx, coll: string, id: string): Promise<boolean> {
  const missing = (e: unknown): false => {
    if (/not exist|not found|does not exist|DOCUMENT_NOT_EXIST|-502004/i.test(String((e as Error)?.message ?? e))) return false;
    throw e;
  };
  let asked: Promise<{ stats?: { updated?: number } } | undefined>;
  try {
    // the same lock field as db.ts lockAndRead (a counter): one convention for every locked document
    asked = tx.collection(coll).doc(id).update({ data: { lockSeq: getDb().command.inc(1) } }) as typeof asked;
  } catch (e) {
    return new Promise((resolve) => resolve(missing(e)));
  }
  return asked.then((r) => (r?.stats?.updated ?? 1) > 0, missing);
}

/** What runs after a holder was written in a transaction (a merchant's activation, server/merchants.ts). */
export type HolderHook = (tx: Tx, owner: string, change: HolderChange) => Promise<void>;
const hooks: Record<HolderKind, HolderHook[]> = { user: [], merchant: [] };

/** Register what must follow, in the same transaction, when a holder of `kind` gets points or SV. */
export function onHolderChanged(kind: HolderKind, hook: HolderHook): void {
  hooks[kind].push(hook);
}

/** The latest business day whose release time has passed at `at`. */
export function lastDueDay(at: number, hour: number): string {
  const today = businessDay(at);
  return releaseMoment(today, hour) <= at ? today : addDays(today, -1);
}

/** The day a credit made now waits for, or null when every due release has run (the credit joins at once). */
export function pendingDayFor(state: Pick<ReleaseStateDoc, 'lastReleasedDay' | 'firstDay'>, at: number, hour: number): string | null {
  const last = lastDueDay(at, hour);
  if (last < state.firstDay) return null;
  return state.lastReleasedDay !== null && state.lastReleasedDay >= last ? null : last;
}

/** Where a released day left the global state (its day record): what a credit pending for it joins. */
export async function joinPointOfDay(src: Src, day: string): Promise<JoinPoint> {
  const rec = await readDoc<{ after?: JoinPoint }>(src, RELEASE_DAYS, day);
  if (!rec?.after) throw new Error(`release: day record ${day} has no join point`);
  return rec.after;
}

/** The day records collection (server/release.ts writes it; named here so holders need not import release.ts). */
export const RELEASE_DAYS = 'releaseDays';

interface Parts {
  /** The holder's snapshot and its pending credits that have joined (released days), each with its lookup. */
  parts: { snapshot: HolderSnapshot; sums: SumLookup }[];
  /** Pending credits still waiting for their release. */
  waiting: PendingSv[];
}

/** A holder's components as of `state`: its snapshot, the pending credits that joined since, those still waiting. */
async function partsOf(src: Src, holder: HolderDoc, state: ReleaseStateDoc): Promise<Parts> {
  const waiting: PendingSv[] = [];
  const joined: PendingSv[] = [];
  for (const p of holder.pending ?? []) (state.lastReleasedDay !== null && p.day <= state.lastReleasedDay ? joined : waiting).push(p);
  // the reads of each component go out together (the common case — no pending credit — is 0 to 2 reads, one wave)
  const parts = await Promise.all([
    sumLookupFor(src, holder, state).then((sums) => ({ snapshot: holder as HolderSnapshot, sums })),
    ...joined.map(async (p) => {
      const j = joinSnapshot(p.sv, await joinPointOfDay(src, p.day));
      return { snapshot: j as HolderSnapshot, sums: await sumLookupFor(src, j, state) };
    }),
  ]);
  return { parts, waiting };
}

function sumPending(list: PendingSv[]): Dec {
  return list.reduce((t, p) => t.plus(p.sv), ZERO);
}

type HolderOp = { what: 'credit'; sv: Dec; key: string } | { what: 'settle' };

async function applyToHolder(tx: Tx, holderId: string, op: HolderOp): Promise<HolderChange> {
  if (op.what === 'settle') {
    // A plain read first: most settlements find nothing to credit or fold and write nothing. A stale read
    // here only places this transaction before a release that commits meanwhile.
    const [s0, h0] = await Promise.all([readReleaseState(tx), readHolder(tx, holderId)]);
    if (!s0 || !h0) return { status: 'unchanged', sv: ZERO, credited: ZERO, carry: h0 ? new D(h0.carry) : ZERO };
    const p0 = await partsOf(tx, h0, s0);
    const r0 = settleComponents(p0.parts, s0);
    if (r0.credit.isZero() && p0.parts.length === 1) return { status: 'unchanged', sv: r0.sv.plus(sumPending(p0.waiting)), credited: ZERO, carry: new D(r0.snapshot.carry) };
  }
  return (await applyToHolders(tx, [{ holderId, op }]))[0];
}

/** One holder's part of applyToHolders: its writes (none when nothing changes) and its share of the W shard's change. */
interface HolderStep {
  change: HolderChange;
  kind: HolderKind;
  owner: string;
  writes?: {
    nextHolder: HolderDoc;
    existing: boolean;
    hist: HolderHistoryDoc;
    histId: string;
    credit: Dec;
    account: string;
    n: number;
  };
}

/**
 * Several holders' changes in one transaction, their W shard changes summed into one shard: the buyer's and the
 * store's credits of a settlement lock, read and write one shard, not one each. Each holder must appear once.
 */
async function applyToHolders(tx: Tx, items: ReadonlyArray<{ holderId: string; op: HolderOp }>): Promise<HolderChange[]> {
  if (new Set(items.map((x) => x.holderId)).size !== items.length) throw new Error('holders: one change per holder in one call');
  const anyCredit = items.some((x) => x.op.what === 'credit');
  // Lock the holders and a W shard (drawn at random: the shards hold sums), then read them (DESIGN "Rules" 2: lock,
  // then read): what this transaction reads of them is then current until it commits, so nothing needs checking
  // afterwards. The release state and the parameters are read in the locks' wave, the credits' keys with the
  // holders. The holders — a store's is written by all its settlements — and the shard are held for three round
  // trips and the commit.
  const k = drawShard(tx);
  const [, s1, params] = await Promise.all([
    Promise.all([...items.map((x) => lockDoc(tx, HOLDERS_COLL, x.holderId)), lockDoc(tx, SHARDS_COLL, shardId(k))]),
    readReleaseState(tx),
    anyCredit ? getParams(tx) : null,
  ]);
  const [existings, shardRaw, seens] = await Promise.all([
    Promise.all(items.map((x) => readHolder(tx, x.holderId))),
    readDoc<ShardDoc>(tx, SHARDS_COLL, shardId(k)),
    // a credit's key makes it happen once, whatever retries the caller makes: read with the holder locked, so a
    // credit with this key committed before is seen, and none can commit until this transaction does
    Promise.all(items.map((x) => (x.op.what === 'credit' ? readDoc(tx, HOLDER_HISTORY_COLL, creditKeyId(x.holderId, x.op.key)) : null))),
  ]);
  const state = s1 ?? (await loadOrCreateState(tx));
  const shard = shardAsOf(k, shardRaw, state);
  const releaseHour = anyCredit ? (params ?? (await getParams(tx))).releaseHour : 0;
  const at = now();
  // the W shard's change: W, holder count, carries and pending SV are sums, so any shard may take any holder's
  let weight = new D(shard.doc.weight);
  let holders = shard.doc.holders;
  let carry = new D(shard.doc.carry);
  const shardPending = { ...(shard.doc.pending ?? {}) };
  const steps = await Promise.all(
    items.map(async ({ holderId, op }, i): Promise<HolderStep> => {
      const existing = existings[i];
      const holder = existing ?? newHolderDoc(holderId, state);
      const { parts, waiting } = await partsOf(tx, holder, state);
      const settled = settleComponents(parts, state);
      const base = { kind: holder.kind, owner: holder.owner };
      if (seens[i]) return { ...base, change: { status: 'duplicate', sv: settled.sv.plus(sumPending(waiting)), credited: ZERO, carry: new D(holder.carry) } };
      if (op.what === 'settle' && settled.credit.isZero() && parts.length === 1) {
        // nothing to credit or fold: keep the snapshot (its fractions keep accruing), write nothing more
        return { ...base, change: { status: 'unchanged', sv: settled.sv.plus(sumPending(waiting)), credited: ZERO, carry: new D(settled.snapshot.carry) } };
      }
      // SV credited after a due release that has not run yet waits for it (SPEC §5)
      const waitFor = op.what === 'credit' ? pendingDayFor(state, at, releaseHour) : null;
      let snapshot = settled.snapshot;
      let sv = settled.sv;
      let pending = waiting;
      if (op.what === 'credit' && waitFor === null) {
        sv = settled.sv.plus(op.sv);
        snapshot = { ...snapshot, sv0: sv.toString() };
      } else if (op.what === 'credit' && waitFor !== null) {
        const had = pending.find((p) => p.day === waitFor);
        pending = had
          ? pending.map((p) => (p.day === waitFor ? { day: p.day, sv: new D(p.sv).plus(op.sv).toString() } : p))
          : [...pending, { day: waitFor, sv: op.sv.toString() }];
      }
      const credit = settled.credit;
      const n = holder.n + 1;
      const svAdded = op.what === 'credit' ? op.sv : ZERO;
      const nextHolder: HolderDoc = {
        ...holder,
        ...snapshotFields(snapshot),
        n,
        svCredited: new D(holder.svCredited).plus(svAdded).toString(),
        pointsCredited: new D(holder.pointsCredited).plus(credit).toFixed(2),
        pending,
        updatedAt: at,
      };
      const hist: HolderHistoryDoc = {
        ...snapshotFields(snapshot),
        holderId,
        n,
        what: op.what,
        key: op.what === 'credit' ? op.key : null,
        svAdded: svAdded.toString(),
        pointsCredited: credit.toFixed(2),
        pending,
        at,
        day: businessDay(at),
      };
      const before = parts.reduce((t, p) => t.plus(weightTerm(p.snapshot, state)), ZERO);
      const after = weightTerm(snapshot, state);
      weight = weight.plus(after.minus(before));
      holders += (after.gt(0) ? 1 : 0) - settled.counted;
      carry = carry.plus(snapshot.carry).minus(holder.carry);
      if (op.what === 'credit' && waitFor !== null) {
        const newcomer = !(holder.pending ?? []).some((p) => p.day === waitFor);
        const cur = shardPending[waitFor] ?? { sv: '0', holders: 0 };
        shardPending[waitFor] = { sv: new D(cur.sv).plus(op.sv).toString(), holders: cur.holders + (newcomer ? 1 : 0) };
      }
      return {
        ...base,
        change: { status: 'applied', sv: sv.plus(sumPending(pending)), credited: credit, carry: new D(snapshot.carry) },
        writes: {
          nextHolder,
          existing: existing !== null,
          hist,
          // a credit's record is addressed by its key (which makes the credit idempotent), a settlement's by n
          histId: op.what === 'credit' ? creditKeyId(holderId, op.key) : historyId(holderId, n),
          credit,
          account: parseHolderId(holderId).account,
          n,
        },
      };
    }),
  );
  if (steps.some((x) => x.writes)) {
    const nextShard: ShardDoc = { ...shard.doc, weight: weight.toString(), holders, carry: carry.toString(), pending: shardPending, updatedAt: at };
    await Promise.all([
      shard.exists ? writeDoc(tx, SHARDS_COLL, shardId(k), nextShard) : createDoc(tx, SHARDS_COLL, shardId(k), nextShard),
      ...steps.map((x, i) => {
        const w = x.writes;
        if (!w) return null;
        const holderId = items[i].holderId;
        return Promise.all([
          // a new holder is created (`add`): a concurrent first write of the same holder conflicts instead of replacing it
          w.existing ? writeDoc(tx, HOLDERS_COLL, holderId, w.nextHolder) : createDoc(tx, HOLDERS_COLL, holderId, w.nextHolder),
          writeDoc(tx, HOLDER_HISTORY_COLL, w.histId, w.hist),
          w.credit.gt(0)
            ? postEntry(tx, {
                key: `release-credit:${holderId}:${w.n}`,
                kind: RELEASE_CREDIT_KIND,
                // the holder's claim shard of the pool (may go below zero; the pool as a whole never does)
                debit: releasePoolShard(poolShardOf(holderId)),
                allowNegative: true,
                credit: w.account,
                amount: w.credit,
                ref: holderId,
                memo: '每日释放到账',
              })
            : null,
        ]);
      }),
    ]);
  }
  // points arrived: what depends on a balance going up (a merchant's activation) follows in this transaction
  for (const x of steps) if (x.change.credited.gt(0)) for (const hook of hooks[x.kind]) await hook(tx, x.owner, x.change);
  return steps.map((x) => x.change);
}

/** Per transaction: the W shards it drew (see drawShard). */
const drawnShards = new WeakMap<object, Set<number>>();

/**
 * A W shard for one holder write of this transaction, drawn at random: W, the holder count, carries and pending SV
 * are sums, so which shard takes a change does not matter to their total, and concurrent payments (two of one
 * store too) rarely meet on one. Never one this transaction drew already: two credits of one transaction (a
 * settlement's buyer and store) read their shards together, and each must write a shard only it read.
 */
function drawShard(tx: Tx): number {
  let drawn = drawnShards.get(tx);
  if (!drawn) {
    drawn = new Set();
    drawnShards.set(tx, drawn);
  }
  if (drawn.size >= SV_SHARDS) throw new Error('holders: every W shard is taken in this transaction');
  let k = randomInt(SV_SHARDS);
  while (drawn.has(k)) k = randomInt(SV_SHARDS);
  drawn.add(k);
  return k;
}

/**
 * W shard `k` as this transaction read it, once locked (its last committed version). The caller computes its
 * change from the release state `used`; every release stamps every shard with its seq in its transaction, so a
 * shard stamped after `used.seq` means a release committed since the state was read: the change would be stale, so
 * the transaction conflicts and runs again. Once the shard is locked no release can commit before this transaction
 * (it rewrites every shard), and a release in progress holds the shard, so the lock itself conflicts.
 */
function shardAsOf(k: number, raw: ShardDoc | null, used: ReleaseStateDoc): { doc: ShardDoc; exists: boolean } {
  const doc: ShardDoc = raw ? { ...emptyShard(0), ...stripped(raw) } : { ...emptyShard(used.epoch), stampedSeq: used.seq };
  if (doc.stampedSeq > used.seq) throw conflictError(`svShards/${k} stamped by release ${doc.stampedSeq} after state ${used.seq} was read`);
  return { doc: shardInEpoch(doc, used.epoch), exists: raw !== null };
}

/**
 * Inside the caller's transaction (an order's settlement, SPEC §4): settle the holder's released
 * points into its points account, re-snapshot, then add `sv` shared value and update its W shard.
 * Idempotent on `key` (per holder): a second call with the same key changes nothing.
 * `sv` must be ≥ 0; 0 changes nothing.
 */
export async function creditSv(tx: Tx, holderId: string, sv: Decimal.Value, key: string): Promise<HolderChange> {
  return (await creditSvEach(tx, [{ holderId, sv, key }]))[0];
}

/**
 * creditSv for several holders (each once) in one transaction, their W shard changes summed into one shard: a
 * settlement's buyer and store. The changes come back in the credits' order.
 */
export async function creditSvEach(tx: Tx, credits: ReadonlyArray<{ holderId: string; sv: Decimal.Value; key: string }>): Promise<HolderChange[]> {
  const ops = credits.map(({ holderId, sv, key }) => {
    parseHolderId(holderId);
    if (!key || typeof key !== 'string') throw new Error('creditSv: key required');
    const amount = dec(sv);
    if (!amount.isFinite() || amount.isNegative()) throw new Error(`creditSv: shared value must be ≥ 0, got ${String(sv)}`);
    return { holderId, op: { what: 'credit' as const, sv: amount, key } };
  });
  const live = ops.filter((x) => !x.op.sv.isZero());
  const changes = live.length ? await applyToHolders(tx, live) : [];
  let next = 0;
  return ops.map((x): HolderChange => (x.op.sv.isZero() ? { status: 'unchanged', sv: ZERO, credited: ZERO, carry: ZERO } : changes[next++]));
}

/** Inside the caller's transaction: credit what the releases gave the holder (if ≥ 0.01) and re-snapshot. */
export async function settleHolderIn(tx: Tx, holderId: string): Promise<HolderChange> {
  parseHolderId(holderId);
  return applyToHolder(tx, holderId, { what: 'settle' });
}

/** Its own transaction: settle a holder (settle-on-read, "when they look at them"). */
export async function settleHolderNow(holderId: string): Promise<HolderChange> {
  return runTx((tx) => settleHolderIn(tx, holderId));
}

export interface HolderViewData {
  holderId: string;
  /** Current SV, exact. */
  sv: Dec;
  /** Released to the holder, not yet credited (exact; includes its carry). */
  unclaimed: Dec;
  holder: HolderDoc | null;
  state: ReleaseStateDoc | null;
}

/** Where a holder stands, read-only (no settlement). */
export async function holderView(holderId: string, src: Src = getDb()): Promise<HolderViewData> {
  parseHolderId(holderId);
  const state = await readReleaseState(src);
  const holder = await readHolder(src, holderId);
  if (!holder || !state) return { holderId, sv: ZERO, unclaimed: holder ? new D(holder.carry) : ZERO, holder, state };
  const { parts, waiting } = await partsOf(src, holder, state);
  let sv = sumPending(waiting); // credited, waiting for a late release: shown as credited
  let unclaimed = ZERO;
  for (const p of parts) {
    const pos = holderPosition(p.snapshot, state, p.sums);
    sv = sv.plus(pos.sv);
    unclaimed = unclaimed.plus(pos.unclaimed);
  }
  return { holderId, sv, unclaimed, holder, state };
}

export interface HolderPoints {
  /** The points account's balance as booked. */
  booked: Dec;
  /** Released to the holder and not yet booked, in whole 0.01s (what a settlement would credit now). */
  claimable: Dec;
  /** booked + claimable: the holder's points as every action sees them (SPEC §5). */
  points: Dec;
  /** Current SV, exact. */
  sv: Dec;
}

/**
 * Read-only: a holder's points as they stand — its booked balance plus what the releases since its snapshot
 * give it (rounded down, as `settleHolderIn` would credit). For views (a quote's maximum, a store's
 * acceptingOrders, dashboards, admin pages); a state change settles with `settleHolderIn` instead.
 */
export async function holderPoints(holderId: string, src: Src = getDb(), state?: ReleaseStateDoc | null): Promise<HolderPoints> {
  const { account } = parseHolderId(holderId);
  const acc = await readDoc<{ balance?: string }>(src, ACCOUNTS_COLL, account);
  const booked = dec(acc?.balance ?? '0');
  const st = state === undefined ? await readReleaseState(src) : state;
  const holder = st ? await readHolder(src, holderId) : null;
  if (!st || !holder) return { booked, claimable: ZERO, points: booked, sv: ZERO };
  const { parts, waiting } = await partsOf(src, holder, st);
  const r = settleComponents(parts, st);
  return { booked, claimable: r.credit, points: booked.plus(r.credit), sv: r.sv.plus(sumPending(waiting)) };
}

/**
 * For checks (tests, proof suites): a holder's part of the W shards — the terms of its snapshot and of its
 * pending credits that have joined, how many of those the shards count, and the SV still waiting.
 */
export async function holderShardPart(src: Src, holder: HolderDoc, state: ReleaseStateDoc): Promise<{ weight: Dec; counted: number; waiting: Dec }> {
  const { parts, waiting } = await partsOf(src, holder, state);
  let weight = ZERO;
  let counted = 0;
  for (const p of parts) {
    const t = weightTerm(p.snapshot, state);
    weight = weight.plus(t);
    if (t.gt(0)) counted++;
  }
  return { weight, counted, waiting: sumPending(waiting) };
}
