/**
 * The database engine behind the emulated wx-server-sdk: documents in the Store, MongoDB semantics from
 * mingo, and transactions with the cloud's rules.
 *
 * Transactions (云开发 数据库事务, wx-server-sdk ≥ 1.7), in one of two isolations (profile.ts):
 * - snapshot (the local profile): reads inside a transaction see the database as of the transaction's start
 *   (kept with a small in-memory version history while transactions are open) plus the transaction's own
 *   writes; writing a document changed since the snapshot fails with DATABASE_TRANSACTION_CONFLICT.
 * - weak (the cloudbase profile, the weakest the WeChat guide allows): a read returns the document as last
 *   committed (or as this transaction wrote it); nothing checks that what was read is still current.
 * In both:
 * - A transactional write locks the document. Another transaction writing a locked document fails at once
 *   with DATABASE_TRANSACTION_CONFLICT (and, as on the server, that transaction is aborted).
 * - An ordinary (non-transactional) write to a locked document waits until the lock is released.
 * - Commit writes every change in one SQLite transaction; first committer wins.
 * - A transaction must finish within 30 s.
 */
import { randomBytes } from 'crypto';
import { fastApply } from './fastupdate';
import { isDate, isRegExp } from './values';
import { Query, update as mingoUpdate, find as mingoFind, Aggregator } from 'mingo';
import { checkAlive, currentInvocation, currentTx, runWithTx } from '../context';
import { Store, WriteOp, IndexConfig, DocVersion } from './store';
import { Mongo, Modifier, decodeDoc, encodeDoc, cloneDoc, cloneStored, normalizeOwnedDoc, storesAs } from './translate';
import { CloudProfile, PROFILES } from '../profile';
import { CloudError, conflictError, txFailError, collectionNotExist, docNotExist, requestFailed, invalidParam } from '../errors';

export type Doc = Record<string, unknown> & { _id?: string };

export const TX_TIME_LIMIT_MS = 30_000;
export const MAX_PAGE = 100;

export interface FindOptions {
  sort?: Array<[string, 1 | -1]>;
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1>;
}

interface HistoryEntry {
  ver: number;
  data: DocVersion | null;
  supersededAt: number;
}

export interface Faults {
  /** Probability that a transaction commit fails with DATABASE_TRANSACTION_CONFLICT. */
  conflictRate?: number;
  /** Probability that a transaction commit fails with DATABASE_TRANSACTION_FAIL. */
  failRate?: number;
}

const noop = () => undefined;

/** `{ _id: id, ...data }` with `_id` = id whatever data says (a loop: the spread after a key is a slow path). */
function withId(id: string, data: Doc): Doc {
  const doc: Doc = { _id: id };
  for (const k of Object.keys(data)) {
    if (k === '_id') continue;
    if (k === '__proto__') Object.defineProperty(doc, k, { value: data[k], enumerable: true, writable: true, configurable: true });
    else doc[k] = data[k];
  }
  return doc;
}

/**
 * What a commit waits for before the SDK call resolves. Outside a cloud-function invocation (tests, seeding,
 * the runtime's own services): until it is on disk. Inside one: nothing more — the invocation's answer waits
 * instead, before it leaves, for everything committed until then to be on disk (runtime.ts invokeJson), which
 * covers every write the function made (commits are written in order), at the cost of one wait per answer
 * instead of one per commit. Either way nothing is acknowledged before it is on disk.
 */
export function untilDurable(p: Promise<void>): Promise<void> | undefined {
  if (p === DONE) return undefined;
  if (currentInvocation()) {
    p.catch(noop); // a loss fails the invocation instead (lostGeneration)
    return undefined;
  }
  return p;
}

/** Run fn with `tx` as the transaction of the current async context (for deadlock detection). */
export function runInTx<T>(tx: EngineTx, fn: () => T): T {
  return runWithTx(tx, fn);
}

const key = (coll: string, id: string) => coll + '\u0000' + id;

const DONE: Promise<void> = Promise.resolve();

let pool = Buffer.alloc(0);
let poolAt = 0;

/** A 32-hex-character id like the cloud's (time prefix + random). */
export function newId(): string {
  if (poolAt + 12 > pool.length) {
    pool = randomBytes(12 * 512);
    poolAt = 0;
  }
  const r = pool.toString('hex', poolAt, poolAt + 12);
  poolAt += 12;
  const t = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0').slice(-8);
  return t + r;
}

function sameJson(a: Doc, b: Doc): boolean {
  return encodeDoc(a) === encodeDoc(b);
}

const queryCache = new Map<string, Query>();

function cacheKey(v: unknown): string {
  return JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
    const raw = k === '' ? x : this[k];
    if (isDate(raw)) return { $__date: raw.getTime() };
    if (isRegExp(raw)) return { $__re: raw.source, f: raw.flags };
    return x;
  });
}

/** A compiled mingo query (compiling is the expensive part), cached by its text. */
function compiled(query: Mongo): Query {
  const key = cacheKey(query);
  let q = queryCache.get(key);
  if (!q) {
    q = new Query(query as never, {});
    if (queryCache.size >= 500) queryCache.delete(queryCache.keys().next().value as string);
    queryCache.set(key, q);
  }
  return q;
}

const NUMERIC_OPS = ['$inc', '$mul'] as const;

function checkNumericTargets(doc: Doc, mod: Modifier, api: string) {
  if (!mod.$inc && !mod.$mul) return;
  for (const op of NUMERIC_OPS) {
    const m = mod[op];
    if (!m) continue;
    for (const p of Object.keys(m)) {
      let v: unknown = doc;
      if (!p.includes('.')) v = doc[p]; // a top-level field (a lock's counter): no path to split
      else for (const part of p.split('.')) {
        if (v === null || typeof v !== 'object') { v = undefined; break; }
        v = (v as Record<string, unknown>)[part];
      }
      if (v !== undefined && v !== null && typeof v !== 'number') {
        throw requestFailed(api, `[FailedOperation] Cannot apply ${op} to a value of non-numeric type at ${p}`);
      }
    }
  }
}

/**
 * A copy of a stored document's top level (a plain object: own enumerable keys only). A loop: object spread
 * takes V8's slow path on the many shapes of documents.
 */
function shallowCopy(doc: Doc): Doc {
  const out: Doc = {};
  for (const k in doc) out[k] = doc[k];
  return out;
}

/**
 * Apply a modifier to doc, which the caller owns (it may be changed in place); returns the new document,
 * or null when nothing changed (the cloud counts modified documents).
 * `shared`: doc is a stored version the caller does not own (never changed here): the new document is a
 * copy of it down the changed paths only, sharing everything else with it (no deep copy of the whole document).
 */
export function applyModifier(doc: Doc, mod: Modifier, api: string, shared = false): Doc | null {
  checkNumericTargets(doc, mod, api);
  const target = shared ? shallowCopy(doc) : doc;
  const fast = fastApply(target, mod, shared);
  if (fast !== null) return fast ? target : null;
  const copy = cloneDoc(doc);
  let changed: string[];
  try {
    changed = mingoUpdate(copy, mod as never, undefined, undefined, { cloneMode: 'deep' });
  } catch (e) {
    throw requestFailed(api, `[FailedOperation] ${(e as Error).message}`);
  }
  if (changed.length === 0) return null;
  copy._id = doc._id;
  return sameJson(copy, doc) ? null : copy;
}

export class Engine {
  readonly store: Store;
  private seq = 0;
  private lastWrite = new Map<string, number>();
  private history = new Map<string, HistoryEntry[]>();
  readonly openTx = new Set<EngineTx>();
  private locks = new Map<string, EngineTx>();
  private waiters = new Map<string, Array<() => void>>();
  private commitsSincePrune = 0;
  faults: Required<Faults> = { conflictRate: 0, failRate: 0 };
  /**
   * Lock conflicts by document (`coll/id`) since start: which documents transactions fight over (the hot ones).
   * At most 10 000 keys are counted.
   */
  readonly conflictsByDoc = new Map<string, number>();
  /** How many commits setFaults made conflict / fail (tests: the faults were really there). */
  readonly faultsInjected = { conflicts: 0, failures: 0 };
  /** When false, an undeclared collection is created on first use instead of refused. */
  strictCollections = true;
  /** A transaction must commit or roll back within this time (the cloud: 30 s). */
  txTimeLimitMs = TX_TIME_LIMIT_MS;
  /** Latency, isolation, limits (runtime.ts sets it from the profile). */
  profile: CloudProfile = PROFILES.local;

  /** Weak isolation: reads see the last commit, commits check nothing they read (profile.ts). */
  get weak(): boolean {
    return this.profile.isolation === 'weak';
  }

  constructor(dataDir: string, indexes: IndexConfig, readonly now: () => number) {
    this.store = new Store(dataDir, indexes);
    this.store.onLostWrites = (e) => this.lostWrites(e);
  }

  /**
   * A queued batch could not be written (its commits rejected): memory was ahead of the disk. Open
   * transactions may have read what is lost: abort them; versions start afresh from what SQLite has.
   */
  private lostWrites(e: unknown) {
    const reason = txFailError(`a commit could not be written to disk (${(e as Error)?.message ?? String(e)}); the transaction was aborted`);
    for (const tx of [...this.openTx]) tx.abort(reason);
    this.lastWrite.clear();
    this.history.clear();
  }

  close() {
    for (const tx of [...this.openTx]) tx.abort(txFailError('the local cloud closed'));
    this.store.close();
  }

  // ------------------------------------------------------------ collections

  checkCollection(api: string, coll: string): void {
    if (this.store.hasCollection(coll)) return;
    if (!this.strictCollections && /^[A-Za-z0-9_-]{1,64}$/.test(coll)) {
      this.store.createCollection(coll);
      return;
    }
    throw collectionNotExist(api, coll);
  }

  createCollection(coll: string): boolean {
    return this.store.createCollection(coll);
  }

  // ------------------------------------------------------------ versions

  currentSeq(): number {
    return this.seq;
  }

  verOf(k: string): number {
    return this.lastWrite.get(k) ?? 0;
  }

  /** A document as of snapshot `snap` (shared: copy it before handing it out). */
  readAt(coll: string, id: string, snap: number, k = key(coll, id)): DocVersion | null {
    if (this.weak) return this.store.current(coll, id, k);
    if (this.verOf(k) <= snap) return this.store.current(coll, id, k);
    const h = this.history.get(k);
    if (h) {
      for (let i = h.length - 1; i >= 0; i--) {
        if (h[i].ver <= snap) return h[i].data;
      }
    }
    // Not reachable while the transaction is open (history is kept for it); be safe.
    throw conflictError('snapshot no longer available');
  }

  /**
   * Commit a batch and advance the version of every document in it. `docs[i]` is the stored form of op i's
   * document (normalizeDoc), given up to the store. Visible at once; the promise resolves when it is on disk
   * (group commit, see store.ts). A batch a unique index may refuse is written at once, alone, and throws
   * (E11000) having changed nothing.
   */
  commitWrites(ops: WriteOp[], docs: Array<Doc | null>, committing?: EngineTx, opts: { bulk?: boolean } = {}): Promise<void> {
    // keep the previous versions only when some other open transaction may still read them
    const keep = !this.weak && this.openTx.size > (committing && this.openTx.has(committing) ? 1 : 0);
    const prev: Array<DocVersion | null> = keep ? ops.map((o) => this.store.current(o.coll, o.id)) : [];
    let durable: Promise<void> = DONE;
    if (opts.bulk || this.store.needsOwnWrite(ops)) {
      try {
        this.store.commitNow(ops, docs, !opts.bulk);
      } catch (e) {
        const msg = (e as Error).message || String(e);
        if (/UNIQUE constraint failed/.test(msg)) {
          throw requestFailed('collection.write', `[FailedOperation] E11000 duplicate key error: ${msg}`);
        }
        throw e;
      }
    } else {
      // inside a cloud-function invocation nothing waits for the commit itself (untilDurable): its answer does
      if (currentInvocation()) this.store.commit(ops, docs, true);
      else durable = this.store.commit(ops, docs);
    }
    const s = ++this.seq;
    // versions matter only to transactions open now (a later one snapshots after this commit)
    if (keep) {
      ops.forEach((o, i) => {
        const k = key(o.coll, o.id);
        let h = this.history.get(k);
        if (!h) this.history.set(k, (h = []));
        h.push({ ver: this.verOf(k), data: prev[i], supersededAt: s });
        this.lastWrite.set(k, s);
      });
    }
    if (++this.commitsSincePrune >= 500) this.prune();
    return durable;
  }

  private prune() {
    this.commitsSincePrune = 0;
    if (this.openTx.size === 0) {
      this.lastWrite.clear();
      this.history.clear();
      return;
    }
    let minSnap = Infinity;
    for (const t of this.openTx) minSnap = Math.min(minSnap, t.snap);
    for (const [k, v] of this.lastWrite) if (v <= minSnap) this.lastWrite.delete(k);
    for (const [k, h] of this.history) {
      const kept = h.filter((e) => e.supersededAt > minSnap);
      if (kept.length) this.history.set(k, kept);
      else this.history.delete(k);
    }
  }

  txClosed(tx: EngineTx) {
    this.openTx.delete(tx);
    for (const k of tx.lockedKeys) {
      if (this.locks.get(k) === tx) {
        this.locks.delete(k);
        const w = this.waiters.get(k);
        if (w) {
          this.waiters.delete(k);
          w.forEach((f) => f());
        }
      }
    }
    if (this.openTx.size === 0) {
      this.lastWrite.clear();
      this.history.clear();
    }
  }

  lockFor(tx: EngineTx, coll: string, id: string, k = key(coll, id)): void {
    const holder = this.locks.get(k);
    if (holder && holder !== tx) {
      const d = `${coll}/${id}`;
      if (this.conflictsByDoc.has(d) || this.conflictsByDoc.size < 10_000) this.conflictsByDoc.set(d, (this.conflictsByDoc.get(d) ?? 0) + 1);
      throw conflictError(`${d} is locked by another transaction`);
    }
    if (!this.weak && this.verOf(k) > tx.snap) throw conflictError(`${coll}/${id} changed after the transaction started`);
    if (!holder) {
      this.locks.set(k, tx);
      tx.lockedKeys.add(k);
    }
  }

  /** Wait until none of the documents is locked by an open transaction (ordinary writes block on locks). */
  async waitUnlocked(coll: string, ids: string[]): Promise<void> {
    for (;;) {
      let held: string | undefined;
      for (const id of ids) {
        const k = key(coll, id);
        if (this.locks.has(k)) { held = k; break; }
      }
      if (!held) return;
      const holder = this.locks.get(held)!;
      const mine = currentTx();
      if (mine && mine === holder) {
        throw new CloudError(
          'DATABASE_TRANSACTION_FAIL',
          'DATABASE_TRANSACTION_FAIL',
          `an ordinary write to ${held.replace('\u0000', '/')} inside the transaction that locked it would wait forever ` +
            '(the cloud blocks until the transaction times out): write it through the transaction instead',
        );
      }
      await new Promise<void>((resolve) => {
        let w = this.waiters.get(held!);
        if (!w) this.waiters.set(held!, (w = []));
        w.push(resolve);
      });
      // a function killed (past its timeout) while it waited does not write when the lock goes
      checkAlive();
    }
  }

  /** The documents with the most lock conflicts, most first. */
  hotDocs(n = 10): Array<{ doc: string; conflicts: number }> {
    return [...this.conflictsByDoc].sort((a, b) => b[1] - a[1]).slice(0, n).map(([doc, conflicts]) => ({ doc, conflicts }));
  }

  // ------------------------------------------------------------ ordinary reads

  getDoc(coll: string, id: string): Doc | null {
    const v = this.store.current(coll, id);
    return v === null ? null : (cloneStored(v.doc) as Doc);
  }

  private candidates(coll: string, query: Mongo, opts: FindOptions): { docs: Doc[]; done: boolean } {
    const plan = this.store.plan(coll, query);
    if (plan.exact) {
      const order = opts.sort && opts.sort.length ? this.store.orderSql(coll, opts.sort) : 'rowid ASC';
      if (order !== null) {
        const rows = this.store.select(coll, plan, order, opts.limit ?? -1, opts.skip ?? 0);
        return { docs: rows.map((r) => decodeDoc(r.data) as Doc), done: true };
      }
    }
    const rows = this.store.select(coll, plan, 'rowid ASC');
    let docs = rows.map((r) => decodeDoc(r.data) as Doc);
    if (!plan.exact) {
      const q = compiled(query);
      docs = docs.filter((d) => q.test(d));
    }
    return { docs, done: false };
  }

  find(coll: string, query: Mongo, opts: FindOptions): Doc[] {
    const { docs, done } = this.candidates(coll, query, opts);
    let out = docs;
    if (!done) {
      let cur = mingoFind(docs, {});
      if (opts.sort && opts.sort.length) cur = cur.sort(Object.fromEntries(opts.sort));
      if (opts.skip) cur = cur.skip(opts.skip);
      if (opts.limit !== undefined) cur = cur.limit(opts.limit);
      out = cur.all() as Doc[];
    }
    if (opts.projection && Object.keys(opts.projection).length) {
      out = mingoFind(out, {}, opts.projection as never).all() as Doc[];
    }
    return out;
  }

  /** How SQLite would run a where() (EXPLAIN QUERY PLAN), and whether mingo has to re-check rows. */
  explain(coll: string, query: Mongo, sort?: Array<[string, 1 | -1]>): { plan: string[]; exact: boolean; sqlWhere: string; orderInSql: boolean } {
    const plan = this.store.plan(coll, query);
    const order = sort && sort.length ? this.store.orderSql(coll, sort) : 'rowid ASC';
    return { plan: this.store.explain(coll, plan, order ?? 'rowid ASC'), exact: plan.exact, sqlWhere: plan.where, orderInSql: plan.exact && order !== null };
  }

  count(coll: string, query: Mongo): number {
    const plan = this.store.plan(coll, query);
    if (plan.exact) return this.store.countWhere(coll, plan);
    return this.candidates(coll, query, {}).docs.length;
  }

  aggregate(coll: string, pipeline: Mongo[]): Doc[] {
    let docs: Doc[];
    const first = pipeline[0];
    if (first && '$match' in first) {
      docs = this.candidates(coll, first.$match as Mongo, {}).docs;
      pipeline = pipeline.slice(1);
    } else {
      docs = this.candidates(coll, {}, {}).docs;
    }
    return new Aggregator(pipeline as never, {}).run(docs) as Doc[];
  }

  // ------------------------------------------------------------ ordinary writes

  /** Insert many documents at once (benchmarks, seeding): one SQLite transaction per 10 000, not kept in memory. */
  bulkInsert(coll: string, docs: Doc[]): string[] {
    this.checkCollection('collection.add', coll);
    const ids: string[] = [];
    for (let i = 0; i < docs.length; i += 10_000) {
      const chunk = docs.slice(i, i + 10_000).map((d) => {
        const id = d._id === undefined ? newId() : String(d._id);
        ids.push(id);
        return { ...d, _id: id } as Doc;
      });
      void this.commitWrites(chunk.map((d) => ({ kind: 'insert' as const, coll, id: d._id as string, data: encodeDoc(d) })), chunk, undefined, { bulk: true });
    }
    return ids;
  }

  async add(coll: string, data: Doc): Promise<string> {
    const id = data._id === undefined ? newId() : data._id;
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidParam('collection.add', '_id must be a string or number');
    const sid = String(id);
    if (this.locks.has(key(coll, sid))) await this.waitUnlocked(coll, [sid]);
    if (this.store.current(coll, sid) !== null) {
      throw requestFailed('collection.add', `[FailedOperation] E11000 duplicate key error collection: ${coll} index: _id_ dup key: { _id: "${sid}" }`);
    }
    const doc = withId(sid, data);
    const st = normalizeOwnedDoc(doc);
    const durable = untilDurable(this.commitWrites([{ kind: 'insert', coll, id: sid, data: st.text }], [st.doc]));
    if (durable) await durable;
    return sid;
  }

  async updateDoc(coll: string, id: string, mod: Modifier): Promise<number> {
    if (this.locks.has(key(coll, id))) await this.waitUnlocked(coll, [id]);
    const cur = this.store.current(coll, id);
    if (!cur) return 0;
    const next = applyModifier(cur.doc as Doc, mod, 'document.update', true);
    if (!next) return 0;
    const st = normalizeOwnedDoc(next);
    const durable = untilDurable(this.commitWrites([{ kind: 'upsert', coll, id, data: st.text }], [st.doc]));
    if (durable) await durable;
    return 1;
  }

  async setDoc(coll: string, id: string, data: Doc): Promise<{ updated: number; created: number }> {
    if (this.locks.has(key(coll, id))) await this.waitUnlocked(coll, [id]);
    const cur = this.store.current(coll, id);
    const doc = withId(id, data);
    const st = normalizeOwnedDoc(doc);
    if (cur && cur.text === st.text) return { updated: 0, created: 0 };
    const durable = untilDurable(this.commitWrites([{ kind: 'upsert', coll, id, data: st.text }], [st.doc]));
    if (durable) await durable;
    return cur ? { updated: 1, created: 0 } : { updated: 0, created: 1 };
  }

  async removeDoc(coll: string, id: string): Promise<number> {
    if (this.locks.has(key(coll, id))) await this.waitUnlocked(coll, [id]);
    if (this.store.current(coll, id) === null) return 0;
    const durable = untilDurable(this.commitWrites([{ kind: 'delete', coll, id }], [null]));
    if (durable) await durable;
    return 1;
  }

  async updateWhere(coll: string, query: Mongo, mod: Modifier): Promise<number> {
    for (;;) {
      const docs = this.find(coll, query, {});
      const ids = docs.map((d) => String(d._id));
      if (ids.some((id) => this.locks.has(key(coll, id)))) {
        await this.waitUnlocked(coll, ids);
        continue;
      }
      const ops: WriteOp[] = [];
      const next: Doc[] = [];
      for (const d of docs) {
        const n = applyModifier(d, mod, 'collection.update');
        if (n) {
          const st = normalizeOwnedDoc(n);
          ops.push({ kind: 'upsert', coll, id: String(d._id), data: st.text });
          next.push(st.doc as Doc);
        }
      }
      if (ops.length) await untilDurable(this.commitWrites(ops, next));
      return ops.length;
    }
  }

  async removeWhere(coll: string, query: Mongo): Promise<number> {
    for (;;) {
      const ids = this.find(coll, query, { projection: { _id: 1 } }).map((d) => String(d._id));
      if (ids.some((id) => this.locks.has(key(coll, id)))) {
        await this.waitUnlocked(coll, ids);
        continue;
      }
      if (ids.length) await untilDurable(this.commitWrites(ids.map((id) => ({ kind: 'delete' as const, coll, id })), ids.map(() => null)));
      return ids.length;
    }
  }

  // ------------------------------------------------------------ transactions

  begin(): EngineTx {
    const tx = new EngineTx(this, this.seq);
    this.openTx.add(tx);
    return tx;
  }
}

interface TxWrite {
  coll: string;
  id: string;
  doc: Doc | null;
  insert: boolean;
  /** doc as it will be stored (computed once, when first needed); cleared when doc changes. */
  stored?: { doc: Doc; text: string };
  /** doc is in stored form already, with or without Dates (resolveStoredDoc made it). */
  known?: { dates: boolean };
  /**
   * doc is in stored form (a stored version changed by numbers only, as a lock's `lockSeq: inc(1)`), so reading it
   * back takes the stored form's copy. Its text is still made by normalizeOwnedDoc, which checks it.
   */
  storedForm?: boolean;
}

/**
 * Whether `next`, made from a document in stored form by `mod`, is in stored form too: `mod` only increments
 * top-level fields, and each ends a finite number other than -0 (what a lock or a counter does).
 */
function incrementedOnly(mod: Modifier, next: Doc): boolean {
  for (const op in mod) if (op !== '$inc') return false;
  for (const path in mod.$inc) {
    if (path.includes('.')) return false;
    const v = next[path];
    if (typeof v !== 'number' || !Number.isFinite(v) || Object.is(v, -0)) return false;
  }
  return true;
}

function storedOf(w: TxWrite): { doc: Doc; text: string } {
  return (w.stored ??= normalizeOwnedDoc(w.doc!, w.known) as { doc: Doc; text: string });
}

let txCounter = 0;

export class EngineTx {
  readonly id = ++txCounter;
  readonly startedAt = Date.now();
  readonly lockedKeys = new Set<string>();
  private writes = new Map<string, TxWrite>();
  state: 'open' | 'committed' | 'aborted' = 'open';
  abortReason: unknown = undefined;
  private timer: NodeJS.Timeout;

  constructor(private engine: Engine, readonly snap: number) {
    this.timer = setTimeout(() => {
      if (this.state === 'open') this.abort(txFailError(`transaction ${this.id} exceeded the ${engine.txTimeLimitMs / 1000} s limit and was aborted`));
    }, engine.txTimeLimitMs);
    this.timer.unref?.();
  }

  private check(api: string) {
    if (this.state === 'aborted') {
      const r = this.abortReason;
      if (r instanceof CloudError) throw r;
      throw txFailError(`${api}: the transaction was rolled back`);
    }
    if (this.state === 'committed') throw txFailError(`${api}: the transaction has already been committed`);
    if (Date.now() - this.startedAt > this.engine.txTimeLimitMs) {
      const e = txFailError(`${api}: transaction exceeded the ${this.engine.txTimeLimitMs / 1000} s limit`);
      this.abort(e);
      throw e;
    }
  }

  /** Abort and release locks (idempotent). */
  abort(reason?: unknown) {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.abortReason = reason;
    clearTimeout(this.timer);
    this.engine.txClosed(this);
  }

  /** The document as this transaction sees it: its own write, else its snapshot (shared: copy before handing out). */
  private seen(coll: string, id: string, k = key(coll, id)): { w: TxWrite | undefined; v: DocVersion | null } {
    const w = this.writes.get(k);
    if (w) return { w, v: null };
    return { w: undefined, v: this.engine.readAt(coll, id, this.snap, k) };
  }

  private view(coll: string, id: string): Doc | null {
    const { w, v } = this.seen(coll, id);
    // an own write in stored form (a set() of plain data, a lock's increment) takes the stored form's copy
    if (w) return w.doc ? (w.known || w.storedForm ? cloneStored(w.doc) : cloneDoc(w.doc)) : null;
    return v === null ? null : (cloneStored(v.doc) as Doc);
  }

  private exists(coll: string, id: string): boolean {
    const { w, v } = this.seen(coll, id);
    return w ? w.doc !== null : v !== null;
  }

  private lock(coll: string, id: string, k = key(coll, id)) {
    try {
      this.engine.lockFor(this, coll, id, k);
    } catch (e) {
      this.abort(e);
      throw e;
    }
  }

  get(coll: string, id: string): Doc | null {
    this.check('document.get');
    this.engine.checkCollection('document.get', coll);
    return this.view(coll, id);
  }

  /** `known`: data is the document to store, `_id` first, in stored form (resolveStoredDoc made it). */
  add(coll: string, data: Doc, known?: { dates: boolean }): string {
    this.check('collection.add');
    this.engine.checkCollection('collection.add', coll);
    const id = data._id === undefined ? newId() : String(data._id);
    this.lock(coll, id);
    if (this.exists(coll, id) || this.engine.store.current(coll, id) !== null) {
      const e = requestFailed('collection.add', `[FailedOperation] E11000 duplicate key error collection: ${coll} index: _id_ dup key: { _id: "${id}" }`);
      throw e;
    }
    const w: TxWrite = known ? { coll, id, doc: data, insert: true, known } : { coll, id, doc: withId(id, data), insert: true };
    this.writes.set(key(coll, id), w);
    return id;
  }

  update(coll: string, id: string, mod: Modifier): number {
    this.check('document.update');
    this.engine.checkCollection('document.update', coll);
    // the document as seen (own write or snapshot), not copied: the new version copies only what changes
    const k = key(coll, id);
    const { w: prev, v } = this.seen(coll, id, k);
    const cur = prev ? prev.doc : v === null ? null : (v.doc as Doc);
    if (!cur) return 0;
    this.lock(coll, id, k);
    const next = applyModifier(cur, mod, 'document.update', true);
    if (!next) return 0;
    // the snapshot's version is in stored form; so is an own write that was
    const storedForm = (prev ? !!(prev.known || prev.storedForm) : true) && incrementedOnly(mod, next);
    this.writes.set(k, { coll, id, doc: next, insert: prev?.insert ?? false, storedForm });
    return 1;
  }

  /** `known`: as for add (data's `_id` is id). */
  set(coll: string, id: string, data: Doc, known?: { dates: boolean }): { updated: number; created: number } {
    this.check('document.set');
    this.engine.checkCollection('document.set', coll);
    const k = key(coll, id);
    this.lock(coll, id, k);
    const { w: prev, v } = this.seen(coll, id, k);
    const w: TxWrite = { coll, id, doc: known ? data : withId(id, data), insert: prev?.insert ?? false, known };
    this.writes.set(k, w);
    const existed = prev ? prev.doc !== null : v !== null;
    if (!existed) return { updated: 0, created: 1 };
    // whether this set changes what is there now (own write or snapshot): the same stored text. An own write
    // not yet stored (typically an update that took the lock) is compared without making its text, which
    // this set makes useless.
    const st = storedOf(w);
    const same = prev ? (prev.stored ? prev.stored.text === st.text : storesAs(prev.doc!, st)) : v!.text === st.text;
    return same ? { updated: 0, created: 0 } : { updated: 1, created: 0 };
  }

  remove(coll: string, id: string): number {
    this.check('document.remove');
    this.engine.checkCollection('document.remove', coll);
    if (!this.exists(coll, id)) return 0;
    this.lock(coll, id);
    this.writes.set(key(coll, id), { coll, id, doc: null, insert: false });
    return 1;
  }

  /**
   * Commit: checked and applied at once (first committer wins; later reads see it, locks are released); the
   * promise resolves when it is on disk (group commit) and rejects with DATABASE_TRANSACTION_FAIL if it could
   * not be written (then nothing of it is).
   */
  commit(): Promise<void> {
    this.check('transaction.commit');
    const f = this.engine.faults;
    if (f.conflictRate > 0 && Math.random() < f.conflictRate) {
      const e = conflictError('injected by setFaults');
      this.engine.faultsInjected.conflicts++;
      this.abort(e);
      throw e;
    }
    if (f.failRate > 0 && Math.random() < f.failRate) {
      const e = txFailError('injected by setFaults');
      this.engine.faultsInjected.failures++;
      this.abort(e);
      throw e;
    }
    const ops: WriteOp[] = [];
    const docs: Array<Doc | null> = [];
    for (const [k, w] of this.writes) {
      if (!this.engine.weak && this.engine.verOf(k) > this.snap) {
        const e = conflictError(`${w.coll}/${w.id} changed after the transaction started`);
        this.abort(e);
        throw e;
      }
      if (w.doc === null) {
        if (this.engine.store.current(w.coll, w.id) !== null) { ops.push({ kind: 'delete', coll: w.coll, id: w.id }); docs.push(null); }
      } else {
        const st = storedOf(w);
        ops.push({ kind: w.insert ? 'insert' : 'upsert', coll: w.coll, id: w.id, data: st.text });
        docs.push(st.doc);
      }
    }
    let durable: Promise<void> = DONE;
    try {
      if (ops.length) durable = this.engine.commitWrites(ops, docs, this);
    } catch (e) {
      this.abort(e);
      throw e;
    }
    this.state = 'committed';
    clearTimeout(this.timer);
    this.engine.txClosed(this);
    if (durable === DONE) return DONE;
    return durable.catch((e) => {
      throw e instanceof CloudError ? e : txFailError(`transaction.commit: the commit could not be written (${(e as Error)?.message ?? String(e)}); nothing of it was`);
    });
  }

  rollback(reason?: unknown): void {
    if (this.state === 'committed') throw txFailError('transaction.rollback: the transaction has already been committed');
    this.abort(reason);
  }
}

export function docNotFound(api: string, id: string) {
  return docNotExist(api, id);
}

export function pageLimit(n: number | undefined): number {
  if (n === undefined) return MAX_PAGE;
  return Math.max(0, Math.min(MAX_PAGE, Math.floor(n)));
}
