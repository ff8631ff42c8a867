/**
 * The durable store: one SQLite file (better-sqlite3, WAL) under the data folder, with the current version of
 * recently used documents kept decoded in memory.
 *
 * - One table per collection: `c:<name>` (id TEXT PRIMARY KEY, data TEXT) — documents as JSON.
 * - Indexes declared in localcloud/indexes.json become SQLite expression indexes on json_extract(data, '$.field');
 *   a where() uses them as a pre-filter (a superset of the answer) before mingo applies the full query semantics,
 *   and when the whole query translates exactly, sorting, skip, limit and count run in SQLite too.
 * - The document cache: coll/id → the stored document (decoded, never handed out: readers copy it) and its JSON
 *   text, or "does not exist". Every write goes through this class, which keeps it exact; it is bounded
 *   (LOCALCLOUD_CACHE_DOCS, default 10 000 entries) and SQLite stays the truth for everything not in it.
 * - Group commit: a commit is applied to the cache at once (later reads see it) and queued; the queue is written
 *   in one SQLite transaction on the next turn of the event loop (or sooner, when it grows; a small queue waits
 *   for the batch the writer thread is writing, see waitsForWriter), and each commit's
 *   promise resolves only then — so nothing is acknowledged before it is on disk, and what is on disk after a
 *   crash is always every commit up to some point, in order, each all or nothing. Anything that reads SQLite
 *   itself (a query, a count) writes the queue first, so it sees every commit. A commit that must be checked by
 *   SQLite on its own (a unique index) is written at once, alone. If a queued batch cannot be written, its
 *   commits fail (DATABASE_TRANSACTION_FAIL: nothing of them is on disk) and the memory state is dropped and
 *   re-read from SQLite (`onLostWrites`).
 * - WAL with synchronous=NORMAL survives a killed process (the OS keeps what was written); set
 *   LOCALCLOUD_SYNC=FULL to survive power loss as well.
 */
import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as path from 'path';
import { WriterThread } from './writer';
import type { Mongo } from './translate';
import { cloneStored, decodeDoc, normalizeOwnedDoc } from './translate';
import { isDate, isRegExp } from './values';

export interface IndexSpec {
  name: string;
  keys: string[];
  unique: boolean;
}

/** localcloud/indexes.json: collection → list of index entries (a field name, a list of fields, or {keys, unique, name}). */
export type IndexConfig = Record<string, Array<string | string[] | { keys: string[]; unique?: boolean; name?: string }>>;

export function normalizeIndexes(cfg: IndexConfig): Map<string, IndexSpec[]> {
  const out = new Map<string, IndexSpec[]>();
  for (const [coll, entries] of Object.entries(cfg)) {
    if (coll.startsWith('$') || coll.startsWith('_comment')) continue;
    const specs: IndexSpec[] = [];
    for (const e of entries ?? []) {
      const keys = typeof e === 'string' ? [e] : Array.isArray(e) ? e : e.keys;
      const unique = typeof e === 'object' && !Array.isArray(e) ? !!e.unique : false;
      const name = (typeof e === 'object' && !Array.isArray(e) && e.name) || keys.join('_');
      specs.push({ name, keys, unique });
    }
    out.set(coll, specs);
  }
  return out;
}

const COLL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function q(ident: string): string {
  return '"' + ident.replace(/"/g, '""') + '"';
}

export function jsonExpr(field: string): string {
  return `json_extract(data, '$.${field}')`;
}

export type WriteOp =
  | { kind: 'insert'; coll: string; id: string; data: string }
  | { kind: 'upsert'; coll: string; id: string; data: string }
  | { kind: 'delete'; coll: string; id: string }
  /** The WeChat Pay simulator's order (table _pay), written in order with the documents. */
  | { kind: 'pay'; coll: typeof PAY_OPS; id: string; data: string }
  /** An indexed field seen holding an array / a non-scalar (table _fieldflags): data = [coll, field, hasArray, hasOther]. */
  | { kind: 'flags'; coll: typeof FLAG_OPS; id: string; data: string };

/** The `coll` of WriteOps on the pay simulator's table, and on the field flags (not valid collection names). */
export const PAY_OPS = '#pay';
export const FLAG_OPS = '#flags';
const PAY_PIN = '#pay\u0000';

/**
 * The writer thread starts once this many batches of at least WRITER_BATCH_OPS writes were queued: under
 * concurrent load (a benchmark, a busy `npm start`), not for a quiet cloud (most tests), where the main
 * thread's short writes cost less than a thread.
 */
const WRITER_AFTER_BATCHES = 32;
const WRITER_BATCH_OPS = 24;

type StoredDocument = Record<string, unknown>;

/** The current version of a document as the store keeps it: decoded (shared: never mutate it) and its JSON. */
export interface DocVersion {
  doc: StoredDocument;
  text: string;
}

/** Counters of the store's work (benchmarks). */
export interface StoreStats {
  /** Documents read by id (from the cache or SQLite). */
  docReads: number;
  /** ... of which SQLite had to be asked. */
  docReadsFromSqlite: number;
  /** Rows read by queries. */
  rowsSelected: number;
  /** Documents written to SQLite. */
  docWrites: number;
  /** SQLite write transactions. */
  batches: number;
}

interface PendingBatch {
  ops: WriteOp[];
  docs: Array<StoredDocument | null>;
  /**
   * One per commit, settled once the batch is written, each resumed on its own turn (see settle); and the
   * answers waiting for it (durable), resumed at once.
   */
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void; answer?: true }>;
  /** The cache keys its writes pinned (see pin), unpinned once it is written. */
  pins: string[];
}

const ckey = (coll: string, id: string) => coll + '\u0000' + id;

const DONE: Promise<void> = Promise.resolve();

const NO_FLAGS: FieldFlags = { hasArray: false, hasOther: false };
const paths = new Map<string, string[]>();
function splitPath(f: string): string[] {
  let p = paths.get(f);
  if (!p) paths.set(f, (p = f.split('.')));
  return p;
}

interface CollStatements {
  get: Database.Statement;
  insert: Database.Statement;
  upsert: Database.Statement;
  del: Database.Statement;
  all: Database.Statement;
  countAll: Database.Statement;
}

export interface SqlPlan {
  /** SQL condition (empty = none) and its parameters. */
  where: string;
  params: unknown[];
  /** The condition is exactly the query (no mingo pass needed). */
  exact: boolean;
}

interface FieldFlags {
  hasArray: boolean;
  hasOther: boolean;
}

/** Ask SQLite this many times for a missing document of a collection before building its id filter. */
const FILTER_AFTER_MISSES = 64;

/**
 * A Bloom filter of the ids a collection holds (16 bits an id at capacity, 4 hashes: about 1 false "maybe" in
 * 400). `has` false means certainly absent; true means ask SQLite. Deleted ids stay in it (a "maybe").
 */
class IdFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  count = 0;

  constructor(readonly capacity: number) {
    let size = 1 << 15;
    while (size < capacity * 16) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  private hashes(id: string): [number, number] {
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    return [h1 >>> 0, (h2 >>> 0) | 1];
  }

  add(id: string): void {
    const [a, b] = this.hashes(id);
    for (let i = 0; i < 4; i++) {
      const bit = (a + i * b) & this.mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
    this.count++;
  }

  has(id: string): boolean {
    const [a, b] = this.hashes(id);
    for (let i = 0; i < 4; i++) {
      const bit = (a + i * b) & this.mask;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

export class Store {
  readonly db: Database.Database;
  private collections = new Set<string>();
  private stmts = new Map<string, CollStatements>();
  private indexes = new Map<string, IndexSpec[]>();
  private indexedFields = new Map<string, Set<string>>();
  /** Per collection, its indexed fields as noteFields looks at them: the flags' key and the path's parts. */
  private fieldNotes = new Map<string, Array<{ field: string; key: string; parts: string[] }>>();
  private flags = new Map<string, FieldFlags>(); // key coll + '\u0000' + field
  private stmtCache = new Map<string, Database.Statement>();
  private uniqueColls = new Set<string>();
  /** coll/id → current version, or null: known not to exist. Holds every queued write (never trimmed while queued). */
  private docCache = new Map<string, DocVersion | null>();
  /** The pay simulator's orders: outTradeNo → decoded (shared: never mutate it), or null: none. */
  private payCache = new Map<string, Record<string, unknown> | null>();
  /** Most entries the document cache keeps (LOCALCLOUD_CACHE_DOCS). */
  readonly cacheLimit: number;
  private pending: PendingBatch | null = null;
  private flushScheduled = false;
  /** A queued batch reaching this many writes is written at once. */
  maxBatchOps = 2000;
  readonly stats: StoreStats = { docReads: 0, docReadsFromSqlite: 0, rowsSelected: 0, docWrites: 0, batches: 0 };
  /**
   * Called after a queued batch could not be written: the memory state was ahead of the disk and has been
   * dropped (the engine aborts its open transactions).
   */
  onLostWrites: ((e: unknown) => void) | null = null;

  constructor(readonly dataDir: string, indexConfig: IndexConfig = {}) {
    const limit = Number(process.env.LOCALCLOUD_CACHE_DOCS ?? 10_000);
    this.cacheLimit = Number.isFinite(limit) && limit >= 0 ? Math.floor(limit) : 10_000;
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'db.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${process.env.LOCALCLOUD_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('analysis_limit = 1000'); // optimize's ANALYZE: a sample of each index, in milliseconds
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS _collections (name TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS _fieldflags (coll TEXT, field TEXT, hasArray INTEGER, hasOther INTEGER, PRIMARY KEY (coll, field));
      CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT);
      CREATE TABLE IF NOT EXISTS _pay (outTradeNo TEXT PRIMARY KEY, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL);
    `);
    for (const row of this.db.prepare('SELECT name FROM _collections').all() as { name: string }[]) {
      this.collections.add(row.name);
    }
    for (const row of this.db.prepare('SELECT * FROM _fieldflags').all() as { coll: string; field: string; hasArray: number; hasOther: number }[]) {
      this.flags.set(row.coll + '\u0000' + row.field, { hasArray: !!row.hasArray, hasOther: !!row.hasOther });
    }
    const norm = normalizeIndexes(indexConfig);
    for (const [coll, specs] of norm) {
      this.createCollection(coll);
      this.ensureIndexes(coll, specs);
    }
    // statistics for the query planner (which index to use), cheap with a limit
    this.db.pragma('analysis_limit = 1000');
    this.db.pragma('optimize = 0x10002');
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.flush();
    } finally {
      this.writer?.close();
      this.writer = null;
      this.db.close();
    }
  }

  // ------------------------------------------------------------ collections & indexes

  hasCollection(name: string): boolean {
    return this.collections.has(name);
  }

  listCollections(): string[] {
    return [...this.collections].sort();
  }

  createCollection(name: string): boolean {
    if (!COLL_NAME.test(name)) throw new Error(`invalid collection name ${JSON.stringify(name)}`);
    if (this.collections.has(name)) return false;
    this.flush();
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${q('c:' + name)} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)`);
    this.db.prepare('INSERT OR IGNORE INTO _collections (name) VALUES (?)').run(name);
    this.collections.add(name);
    return true;
  }

  ensureIndexes(coll: string, specs: IndexSpec[]): void {
    this.flush();
    const fields = this.indexedFields.get(coll) ?? new Set<string>();
    const list = this.indexes.get(coll) ?? [];
    for (const s of specs) {
      for (const k of s.keys) {
        if (!FIELD_PATH.test(k)) throw new Error(`index field ${k} of ${coll}: only dotted identifiers are supported`);
        fields.add(k);
      }
      const exprs = s.keys.map(jsonExpr).join(', ');
      this.db.exec(
        `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${q(`ix:${coll}:${s.name}`)} ON ${q('c:' + coll)} (${exprs})`,
      );
      list.push(s);
      if (s.unique) this.uniqueColls.add(coll);
    }
    this.indexes.set(coll, list);
    this.indexedFields.set(coll, fields);
    this.fieldNotes.set(coll, [...fields].map((f) => ({ field: f, key: coll + '\u0000' + f, parts: splitPath(f) })));
    // flags for fields indexed after documents were written: compute once
    const table = q('c:' + coll);
    for (const f of fields) {
      const key = coll + '\u0000' + f;
      if (this.flags.has(key)) continue;
      const row = this.db
        .prepare(
          `SELECT
             EXISTS(SELECT 1 FROM ${table} WHERE json_type(data, '$.${f}') = 'array') AS a,
             EXISTS(SELECT 1 FROM ${table} WHERE json_type(data, '$.${f}') IN ('object','true','false')) AS o`,
        )
        .get() as { a: number; o: number };
      // a path through an array (a.b where a is an array) also counts as an array
      let throughArray = false;
      const parts = f.split('.');
      for (let i = 1; i < parts.length && !throughArray; i++) {
        const prefix = parts.slice(0, i).join('.');
        throughArray = !!(this.db.prepare(`SELECT EXISTS(SELECT 1 FROM ${table} WHERE json_type(data, '$.${prefix}') = 'array') AS a`).get() as { a: number }).a;
      }
      this.setFlags(coll, f, { hasArray: !!row.a || throughArray, hasOther: !!row.o });
    }
  }

  indexSpecs(coll: string): IndexSpec[] {
    return this.indexes.get(coll) ?? [];
  }

  private setFlags(coll: string, field: string, f: FieldFlags) {
    this.flags.set(coll + '\u0000' + field, f);
    this.db
      .prepare('INSERT OR REPLACE INTO _fieldflags (coll, field, hasArray, hasOther) VALUES (?, ?, ?, ?)')
      .run(coll, field, f.hasArray ? 1 : 0, f.hasOther ? 1 : 0);
  }

  /**
   * Record, for indexed fields, whether a document puts an array or a non-scalar there (disables the
   * pre-filter): at once in memory, and as a `flags` op appended to the batch being committed (written with it).
   */
  private noteFields(coll: string, doc: Record<string, unknown>, ops: WriteOp[], docs: Array<Record<string, unknown> | null>) {
    const notes = this.fieldNotes.get(coll);
    if (!notes) return;
    for (const { field: f, key, parts } of notes) {
      const cur = this.flags.get(key) ?? NO_FLAGS;
      if (cur.hasArray && cur.hasOther) continue;
      let v: unknown = doc;
      let arr = false;
      for (const p of parts) {
        if (Array.isArray(v)) { arr = true; break; }
        if (v === null || typeof v !== 'object') { v = undefined; break; }
        v = (v as Record<string, unknown>)[p];
      }
      if (Array.isArray(v)) arr = true;
      const other = !arr && v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number';
      if ((arr && !cur.hasArray) || (other && !cur.hasOther)) {
        const next = { hasArray: cur.hasArray || arr, hasOther: cur.hasOther || other };
        this.flags.set(key, next);
        ops.push({ kind: 'flags', coll: FLAG_OPS, id: key, data: JSON.stringify([coll, f, next.hasArray ? 1 : 0, next.hasOther ? 1 : 0]) });
        docs.push(null);
      }
    }
  }

  // ------------------------------------------------------------ statements

  private collStmts(coll: string): CollStatements {
    let s = this.stmts.get(coll);
    if (!s) {
      const t = q('c:' + coll);
      s = {
        get: this.db.prepare(`SELECT data FROM ${t} WHERE id = ?`).pluck(),
        insert: this.db.prepare(`INSERT INTO ${t} (id, data) VALUES (?, ?)`),
        upsert: this.db.prepare(`INSERT INTO ${t} (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data`),
        del: this.db.prepare(`DELETE FROM ${t} WHERE id = ?`),
        all: this.db.prepare(`SELECT id, data FROM ${t}`),
        countAll: this.db.prepare(`SELECT count(*) FROM ${t}`).pluck(),
      };
      this.stmts.set(coll, s);
    }
    return s;
  }

  private cached(sql: string, pluck = false): Database.Statement {
    const key = (pluck ? 'P' : 'R') + sql;
    let st = this.stmtCache.get(key);
    if (!st) {
      st = this.db.prepare(sql);
      if (pluck) st.pluck();
      if (this.stmtCache.size > 2000) this.stmtCache.clear();
      this.stmtCache.set(key, st);
    }
    return st;
  }

  // ------------------------------------------------------------ reads

  /**
   * The current version of a document (every commit so far, queued or written), or null when it does not
   * exist. The returned version is shared: copy `doc` before handing it out, never change it. `k`: the
   * document's key, coll + '\u0000' + id, when the caller has it already (engine.ts keys documents the same way).
   */
  current(coll: string, id: string, k = ckey(coll, id)): DocVersion | null {
    this.stats.docReads++;
    const hit = this.docCache.get(k);
    if (hit !== undefined) return hit;
    // not in the cache, so not queued either: SQLite has the current version — unless the collection's id
    // filter says there is no such document (new ids: a request's key, an order's id, a ledger entry's key)
    const filter = this.idFilters.get(coll);
    let v: DocVersion | null;
    if (filter && !filter.has(id)) {
      v = null;
    } else {
      this.stats.docReadsFromSqlite++;
      const raw = this.collStmts(coll).get.get(id) as string | undefined;
      v = raw === undefined ? null : { doc: decodeDoc(raw), text: raw };
      if (v === null && !filter) {
        const n = (this.misses.get(coll) ?? 0) + 1;
        this.misses.set(coll, n);
        if (n >= FILTER_AFTER_MISSES) this.buildIdFilter(coll);
      }
    }
    if (this.docCache.size >= this.cacheLimit) {
      if (this.cacheLimit === 0) return v;
      this.trimCache();
    }
    this.docCache.set(k, v);
    return v;
  }

  /** Per collection, once it has been asked often for documents it does not have: a filter of its ids. */
  private idFilters = new Map<string, IdFilter>();
  private misses = new Map<string, number>();

  /** Build (or rebuild, bigger) the collection's id filter from SQLite: every id it has, and every id written since. */
  private buildIdFilter(coll: string): void {
    this.flush();
    const ids = this.cached(`SELECT id FROM ${q('c:' + coll)}`, true).all() as string[];
    const f = new IdFilter(Math.max(16_384, ids.length * 8));
    for (const id of ids) f.add(id);
    // queued or cached versions are in SQLite after the flush above; nothing else exists
    this.idFilters.set(coll, f);
  }

  /** A document id now exists in the collection: keep its filter exact (no false "does not exist"). */
  private noteId(coll: string, id: string): void {
    const f = this.idFilters.get(coll);
    if (!f || f.has(id)) return;
    f.add(id);
    if (f.count > f.capacity) this.idFilters.delete(coll), this.misses.set(coll, FILTER_AFTER_MISSES - 1); // rebuilt bigger on the next miss
  }

  /** The current JSON of a document (undefined: none). */
  getRaw(coll: string, id: string): string | undefined {
    return this.current(coll, id)?.text;
  }

  /**
   * Keys of documents (and pay orders, `#pay\u0000<no>`) written by commits not yet on disk, with how many such
   * commits wrote each: the cache must keep them (SQLite does not have them yet).
   */
  private pinned = new Map<string, number>();

  private pin(k: string): void {
    this.pinned.set(k, (this.pinned.get(k) ?? 0) + 1);
  }

  private unpin(keys: string[]): void {
    for (const k of keys) {
      const n = (this.pinned.get(k) ?? 1) - 1;
      if (n > 0) this.pinned.set(k, n);
      else this.pinned.delete(k);
    }
  }

  /** Drop the oldest entries (insertion order) down to 90% of the limit, keeping those not yet on disk. */
  private trimCache(): void {
    let drop = this.docCache.size - Math.floor(this.cacheLimit * 0.9);
    for (const k of this.docCache.keys()) {
      if (drop <= 0) break;
      if (this.pinned.has(k)) continue;
      this.docCache.delete(k);
      drop--;
    }
  }

  private trimPayCache(): void {
    let drop = this.payCache.size - Math.floor(this.cacheLimit * 0.9);
    for (const no of this.payCache.keys()) {
      if (drop <= 0) break;
      if (this.pinned.has(PAY_PIN + no)) continue;
      this.payCache.delete(no);
      drop--;
    }
  }

  /** Rows matching the plan (id, data), in natural order or the given SQL order. */
  select(coll: string, plan: SqlPlan, order?: string, limit?: number, offset?: number): { id: string; data: string }[] {
    this.flush();
    let rows: { id: string; data: string }[];
    if (!plan.where && !order && limit === undefined) rows = this.collStmts(coll).all.all() as { id: string; data: string }[];
    else {
      let sql = `SELECT id, data FROM ${q('c:' + coll)}`;
      if (plan.where) sql += ` WHERE ${plan.where}`;
      if (order) sql += ` ORDER BY ${order}`;
      const params = [...plan.params];
      if (limit !== undefined) {
        sql += ' LIMIT ? OFFSET ?';
        params.push(limit, offset ?? 0);
      }
      rows = this.cached(sql).all(...params) as { id: string; data: string }[];
    }
    this.stats.rowsSelected += rows.length;
    return rows;
  }

  explain(coll: string, plan: SqlPlan, order: string): string[] {
    this.flush();
    let sql = `EXPLAIN QUERY PLAN SELECT id, data FROM ${q('c:' + coll)}`;
    if (plan.where) sql += ` WHERE ${plan.where}`;
    sql += ` ORDER BY ${order}`;
    return (this.db.prepare(sql).all(...plan.params) as { detail: string }[]).map((r) => r.detail);
  }

  countWhere(coll: string, plan: SqlPlan): number {
    this.flush();
    if (!plan.where) return this.collStmts(coll).countAll.get() as number;
    return this.cached(`SELECT count(*) FROM ${q('c:' + coll)} WHERE ${plan.where}`, true).get(...plan.params) as number;
  }

  // ------------------------------------------------------------ writes

  /**
   * Hand a batch to SQLite as one transaction (all or nothing). With the writer thread it is sent to it
   * (the outcome comes back later: see the batch's waiters); without, it is written here and throws, having
   * written nothing, on a constraint error. It does not touch the cache (commit/commitNow do). Benchmarks
   * wrap it to count the documents written.
   */
  write(ops: WriteOp[], docs?: Array<Record<string, unknown> | null>): void {
    this.stats.batches++;
    this.stats.docWrites += ops.length;
    if (this.writer && !this.writeHere) {
      this.writer.send(ops as ReadonlyArray<{ kind: string; coll: string; id: string; data?: string }>);
      return;
    }
    this.writeTx(ops);
    // refresh the planner's statistics as collections grow (which index is the selective one)
    const n = ++this.writeCount;
    if (n === 200 || n === 2000 || n % 20_000 === 0) this.db.pragma('optimize');
    void docs;
  }

  private writeCount = 0;
  private writeTx = (ops: WriteOp[]): void => {
    this.writeTxFn ??= this.db.transaction((ops: WriteOp[]) => {
      for (const op of ops) {
        switch (op.kind) {
          case 'pay':
            this.payPutStmt().run(op.id, op.data);
            break;
          case 'flags': {
            const [coll, field, a, o] = JSON.parse(op.data) as [string, string, number, number];
            this.cached('INSERT OR REPLACE INTO _fieldflags (coll, field, hasArray, hasOther) VALUES (?, ?, ?, ?)').run(coll, field, a, o);
            break;
          }
          case 'delete':
            this.collStmts(op.coll).del.run(op.id);
            break;
          case 'insert':
            this.collStmts(op.coll).insert.run(op.id, op.data);
            break;
          default:
            this.collStmts(op.coll).upsert.run(op.id, op.data);
        }
      }
    });
    this.writeTxFn(ops);
  };
  private writeTxFn: ((ops: WriteOp[]) => void) | undefined;
  /** Set while commitNow writes on this thread (the writer thread idle). */
  private writeHere = false;

  /**
   * The cache takes the new versions of ops[from, to); indexed fields holding arrays or objects are noted (flags
   * ops appended to ops). `pins` (queued writes): each key is pinned and listed there.
   */
  private apply(ops: WriteOp[], docs: Array<StoredDocument | null>, cache: boolean, pins: string[] | null = null, from = 0, to = ops.length): void {
    for (let i = from; i < to; i++) {
      const op = ops[i];
      if (op.kind === 'pay' || op.kind === 'flags') continue;
      const d = docs[i];
      if (d && op.kind !== 'delete' && this.indexedFields.has(op.coll)) this.noteFields(op.coll, d, ops, docs);
      const k = ckey(op.coll, op.id);
      if (op.kind !== 'delete') this.noteId(op.coll, op.id);
      if (!cache) this.docCache.delete(k);
      else {
        this.docCache.delete(k); // to the end of the insertion order: what is written stays longest
        this.docCache.set(k, op.kind === 'delete' || !d ? null : { doc: d, text: op.data });
        if (pins) {
          this.pin(k);
          pins.push(k);
        }
      }
    }
  }

  /** Whether a batch must be checked by SQLite alone (a unique index may refuse it). */
  needsOwnWrite(ops: WriteOp[]): boolean {
    if (this.uniqueColls.size === 0) return false;
    for (const op of ops) if (op.kind !== 'delete' && this.uniqueColls.has(op.coll)) return true;
    return false;
  }

  /**
   * Commit a batch now: the queue first, then this batch alone in its own SQLite transaction, on this thread
   * (throws, having changed nothing, when SQLite refuses it), then the cache. `docs[i]` is the stored form of
   * op i's document (normalizeDoc / decodeDoc), kept by the cache as it is (the caller gives it up).
   * `cache: false` (bulk inserts): the documents are not kept in memory.
   */
  commitNow(ops: WriteOp[], docs: Array<StoredDocument | null>, cache = true): void {
    this.flush();
    const all = ops.slice();
    const allDocs = docs.slice();
    const savedFlags = new Map(this.flags);
    this.apply(all, allDocs, false); // flags only: the cache takes the versions once SQLite has them
    this.writeHere = true;
    try {
      this.write(all, allDocs);
    } catch (e) {
      this.flags = savedFlags;
      throw e;
    } finally {
      this.writeHere = false;
    }
    if (cache) for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.kind === 'pay' || op.kind === 'flags') continue;
      this.docCache.set(ckey(op.coll, op.id), op.kind === 'delete' || !docs[i] ? null : { doc: docs[i]!, text: op.data });
    }
  }

  /**
   * Commit a batch: applied to the cache at once (later reads see it), written to SQLite with the rest of the
   * queue (group commit). The promise resolves once it is on disk, and rejects if it could not be written
   * (then nothing of it is). `docs` as for commitNow. `detached`: the caller will not wait for it (a cloud
   * function's commit: its answer waits for `durable()` and checks `lostGeneration`), so it resolves at once.
   */
  commit(ops: WriteOp[], docs: Array<StoredDocument | null>, detached = false): Promise<void> {
    const b = (this.pending ??= { ops: [], docs: [], waiters: [], pins: [] });
    const from = b.ops.length;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      b.ops.push(op);
      b.docs.push(docs[i]);
      if (op.kind === 'pay') b.pins.push(PAY_PIN + op.id); // pinned by payPut
    }
    this.apply(b.ops, b.docs, true, b.pins, from, b.ops.length); // may append flags ops (after this commit's)
    // detached: nobody waits for this commit alone (a loss shows in lostGeneration): no promise, no waiter
    const promise = detached ? DONE : new Promise<void>((resolve, reject) => b.waiters.push({ resolve, reject }));
    if (b.ops.length >= this.maxBatchOps) this.send();
    else if (this.waitsForWriter(b)) return promise;
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.db.open && !(this.pending && this.waitsForWriter(this.pending))) this.send();
      });
    }
    return promise;
  }

  /**
   * Whether the queue waits for the batch the writer thread is writing (sent when its answer comes back, see
   * written, with every commit made meanwhile): commits that arrive one per turn (each a round trip's timer, the
   * cloud profile) then group instead of being a SQLite transaction each. A queue of WRITER_BATCH_OPS writes or
   * more goes at once (a busy local cloud: its commits' latency would grow for no gain).
   */
  private waitsForWriter(b: PendingBatch): boolean {
    return this.writer !== null && this.inflight.size > 0 && b.ops.length < WRITER_BATCH_OPS;
  }

  /** Whether commits are queued or being written. */
  hasPending(): boolean {
    return this.pending !== null || this.inflight.size > 0;
  }

  /** How many times queued commits were lost (a batch SQLite refused): see `durable`. */
  lostGeneration = 0;

  /**
   * Resolves once every commit made so far is on disk (at once when none is waiting). A commit lost meanwhile
   * shows in `lostGeneration`, not here: compare it before and after.
   */
  durable(): Promise<void> {
    let b = this.pending;
    if (!b) {
      let last: PendingBatch | undefined;
      for (const x of this.inflight.values()) last = x;
      if (!last) return DONE;
      b = last;
    }
    return new Promise<void>((resolve) => b!.waiters.push({ resolve, reject: () => resolve(), answer: true }));
  }

  /** Batches sent to the writer thread, by its numbering, until their outcome is back. */
  private inflight = new Map<number, PendingBatch>();

  /** Start writing the queue (one SQLite transaction): here, or on the writer thread. */
  private send(): void {
    const b = this.pending;
    if (!b) return;
    this.pending = null;
    if (!this.writer && this.writerMode !== 'main' && !this.writerFailed) {
      if (b.ops.length >= WRITER_BATCH_OPS) this.bigBatches++;
      if (this.writerMode === 'thread' || this.bigBatches >= WRITER_AFTER_BATCHES) this.startWriter();
    }
    const writer = this.writer;
    if (writer) {
      try {
        this.write(b.ops, b.docs); // → writer.send
      } catch (e) {
        this.lose(e, [b]);
        return;
      }
      this.inflight.set(writer.lastSent, b);
      return;
    }
    try {
      this.write(b.ops, b.docs);
    } catch (e) {
      this.lose(e, [b]);
      return;
    }
    this.settle(b);
  }

  /**
   * Each commit's waiter is resumed on its own macrotask (setImmediate), so what it does next — typically its
   * request's next transaction — runs to its own next commit before the next waiter resumes, as requests
   * arriving one by one would: resuming them all at once would interleave those transactions step by step and
   * make them conflict with each other for nothing. An answer waiting for the batch (durable) only leaves: it
   * is resumed at once, without another turn behind every request queued meanwhile.
   */
  private settle(b: PendingBatch): void {
    this.unpin(b.pins);
    for (const w of b.waiters) {
      if (w.answer) w.resolve();
      else setImmediate(w.resolve);
    }
    if (this.docCache.size > this.cacheLimit) this.trimCache();
    if (this.payCache.size > this.cacheLimit) this.trimPayCache();
  }

  /** Batches that could not be written (nothing of them, nor of any later one, is on disk): fail them all. */
  private lose(e: unknown, batches: PendingBatch[]): void {
    const all = [...batches, ...this.inflight.values()];
    this.inflight.clear();
    if (this.pending) all.push(this.pending);
    this.pending = null;
    this.lostGeneration++;
    // memory knew more than the disk: forget it (SQLite is read again)
    this.pinned.clear();
    this.docCache.clear();
    this.payCache.clear();
    for (const b of all) for (const w of b.waiters) {
      if (w.answer) w.reject(e);
      else setImmediate(w.reject, e);
    }
    if (this.writer && !this.writer.alive) {
      // the thread is gone: write on the main thread from now on
      this.writer = null;
      this.writerFailed = true;
    }
    this.writer?.reset();
    this.onLostWrites?.(e);
  }

  /** A batch's outcome from the writer thread. */
  private written(seq: number, error: string | null): void {
    const b = this.inflight.get(seq);
    if (!b) return; // already failed by lose()
    if (error !== null) {
      this.inflight.delete(seq);
      this.lose(new Error(`SQLite: ${error}`), [b]);
      return;
    }
    this.inflight.delete(seq);
    this.settle(b);
    // the commits queued while it was written (see waitsForWriter)
    if (this.pending && this.inflight.size === 0 && this.db.open) this.send();
  }

  /**
   * Everything committed so far is on disk when this returns (written here, or the writer thread waited for):
   * what reads SQLite itself (queries, counts) or writes it here calls this first.
   */
  flush(): void {
    if (this.pending) this.send();
    if (!this.writer || this.inflight.size === 0) return;
    const outcomes = this.writer.waitAll();
    for (const [seq, error] of outcomes) this.written(seq, error);
  }

  private writer: WriterThread | null = null;
  private writerFailed = false;
  private bigBatches = 0;
  /** LOCALCLOUD_WRITER: 'thread' (a writer thread from the start), 'main' (never), default: once busy (see WRITER_AFTER_BATCHES). */
  private readonly writerMode = process.env.LOCALCLOUD_WRITER === 'thread' ? 'thread' : process.env.LOCALCLOUD_WRITER === 'main' ? 'main' : 'auto';

  private startWriter(): void {
    try {
      this.writer = new WriterThread(path.join(this.dataDir, 'db.sqlite'), (seq, error) => this.written(seq, error));
    } catch (e) {
      this.writer = null;
      this.writerMode === 'thread' && console.warn(`[localcloud] no writer thread (${(e as Error)?.message ?? e}); writing on the main thread`);
    }
  }

  // ------------------------------------------------------------ query planning

  /** Translate the indexable part of a MongoDB query into SQL on the collection's indexed fields. */
  plan(coll: string, query: Mongo): SqlPlan {
    // the queued writes may mark an indexed field as holding arrays (see noteFields): write them first
    this.flush();
    const fields = this.indexedFields.get(coll);
    const conds: string[] = [];
    const params: unknown[] = [];
    let exact = true;
    const usable = (f: string) => {
      if (!fields?.has(f)) return false;
      const fl = this.flags.get(coll + '\u0000' + f);
      return !fl?.hasArray;
    };
    const sqlValue = (v: unknown): { type: 'text' | 'num' | 'bool'; v: string | number } | null => {
      if (typeof v === 'string') return { type: 'text', v };
      if (typeof v === 'number' && Number.isFinite(v)) return { type: 'num', v };
      if (typeof v === 'boolean') return { type: 'bool', v: v ? 1 : 0 };
      return null;
    };
    const guard = (f: string, t: 'text' | 'num' | 'bool', v?: number | string) => {
      if (t === 'text') return `json_type(data, '$.${f}') = 'text'`;
      if (t === 'num') return `json_type(data, '$.${f}') IN ('integer','real')`;
      return `json_type(data, '$.${f}') = '${v ? 'true' : 'false'}'`;
    };
    const fieldCond = (f: string, v: unknown) => {
      if (!usable(f)) { exact = false; return; }
      const e = jsonExpr(f);
      const sv = sqlValue(v);
      if (sv) {
        conds.push(`${e} = ?`, guard(f, sv.type, sv.v));
        params.push(sv.v);
        return;
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v) || isDate(v) || isRegExp(v)) { exact = false; return; }
      const ops = v as Record<string, unknown>;
      for (const op of Object.keys(ops)) {
        const x = ops[op];
        const cmp = { $eq: '=', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[op];
        if (cmp) {
          const s = sqlValue(x);
          if (!s || (s.type === 'bool' && op !== '$eq')) { exact = false; continue; }
          conds.push(`${e} ${cmp} ?`, guard(f, s.type, s.v));
          params.push(s.v);
        } else if (op === '$in' && Array.isArray(x) && x.length > 0 && x.length <= 500) {
          const svs = x.map(sqlValue);
          if (svs.some((s) => !s)) { exact = false; continue; }
          conds.push(`${e} IN (${svs.map(() => '?').join(',')})`);
          params.push(...svs.map((s) => s!.v));
          const types = new Set(svs.map((s) => s!.type));
          if (types.size === 1 && !types.has('bool')) conds.push(guard(f, svs[0]!.type));
          else exact = false;
        } else {
          exact = false;
        }
      }
    };
    const walk = (node: Mongo) => {
      for (const k of Object.keys(node)) {
        const v = node[k];
        if (k === '$and' && Array.isArray(v)) v.forEach((c) => walk(c as Mongo));
        else if (k.startsWith('$')) exact = false;
        else fieldCond(k, v);
      }
    };
    walk(query);
    return { where: conds.join(' AND '), params, exact };
  }

  /** An ORDER BY for the given sort, when every field is indexed and holds only strings/numbers. */
  orderSql(coll: string, sort: Array<[string, 1 | -1]>): string | null {
    const fields = this.indexedFields.get(coll);
    const parts: string[] = [];
    for (const [f, dir] of sort) {
      if (f === '_id') { parts.push(`id ${dir === 1 ? 'ASC' : 'DESC'}`); continue; }
      const fl = this.flags.get(coll + '\u0000' + f);
      if (!fields?.has(f) || fl?.hasArray || fl?.hasOther) return null;
      parts.push(`${jsonExpr(f)} ${dir === 1 ? 'ASC' : 'DESC'}`);
    }
    parts.push('rowid ASC');
    return parts.join(', ');
  }

  // ------------------------------------------------------------ internal tables

  metaGet(key: string): string | undefined {
    return this.cached('SELECT value FROM _meta WHERE key = ?', true).get(key) as string | undefined;
  }

  metaSet(key: string, value: string): void {
    this.flush();
    this.cached('INSERT INTO _meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  private payPutStmt(): Database.Statement {
    return this.cached('INSERT INTO _pay (outTradeNo, data) VALUES (?, ?) ON CONFLICT(outTradeNo) DO UPDATE SET data = excluded.data');
  }

  /** A pay simulator order (shared: never change it; copy it to hand it out), or undefined. */
  payPeek(outTradeNo: string): Record<string, unknown> | undefined {
    const hit = this.payCache.get(outTradeNo);
    if (hit !== undefined) return hit ?? undefined;
    // not in the cache, so not queued either: SQLite has it — unless the filter of known numbers says there is
    // none (every new order is first looked up: unifiedOrder)
    let v: Record<string, unknown> | null = null;
    if (!this.payFilter || this.payFilter.has(outTradeNo)) {
      this.payGetStmt ??= this.db.prepare('SELECT data FROM _pay WHERE outTradeNo = ?').pluck();
      const t = this.payGetStmt.get(outTradeNo) as string | undefined;
      if (t) v = JSON.parse(t) as Record<string, unknown>;
      else if (!this.payFilter && ++this.payMisses >= FILTER_AFTER_MISSES) this.buildPayFilter();
    }
    if (this.payCache.size >= this.cacheLimit) {
      if (this.cacheLimit === 0) return v ?? undefined;
      this.trimPayCache();
    }
    this.payCache.set(outTradeNo, v);
    return v ?? undefined;
  }

  private payGetStmt: Database.Statement | undefined;
  /** The pay simulator's order numbers (as the id filters of collections: built once often asked for a new one). */
  private payFilter: IdFilter | null = null;
  private payMisses = 0;

  private buildPayFilter(): void {
    this.flush();
    const nos = this.db.prepare('SELECT outTradeNo FROM _pay').pluck().all() as string[];
    const f = new IdFilter(Math.max(16_384, nos.length * 8));
    for (const no of nos) f.add(no);
    this.payFilter = f;
  }

  /** A pay order number now exists: keep the filter exact (rebuilt bigger on a later miss when full). */
  private notePayNo(outTradeNo: string): void {
    const f = this.payFilter;
    if (!f || f.has(outTradeNo)) return;
    f.add(outTradeNo);
    if (f.count > f.capacity) this.payFilter = null, this.payMisses = FILTER_AFTER_MISSES - 1;
  }

  /** A pay simulator order (a fresh copy), or undefined. */
  payGet(outTradeNo: string): Record<string, unknown> | undefined {
    const v = this.payPeek(outTradeNo);
    return v === undefined ? undefined : cloneStored(v);
  }

  /**
   * Save a pay simulator order: visible at once, written with the queued commits (in order with them); the
   * promise resolves once it is on disk. The caller gives `data` up (it is kept as the cached version when it
   * is already what JSON makes of it, so it must not change afterwards; its nested values may be shared with
   * the previous version, which nobody changes either).
   */
  payPut(outTradeNo: string, data: Record<string, unknown>): Promise<void> {
    const { doc, text } = normalizeOwnedDoc(data);
    this.payCache.set(outTradeNo, doc);
    this.notePayNo(outTradeNo);
    this.pin(PAY_PIN + outTradeNo);
    return this.commit([{ kind: 'pay', coll: PAY_OPS, id: outTradeNo, data: text }], [null]);
  }

  payAll(): Record<string, unknown>[] {
    this.flush();
    return (this.cached('SELECT data FROM _pay', true).all() as string[]).map((t) => JSON.parse(t));
  }

  messageAdd(data: Record<string, unknown>): void {
    this.flush();
    this.cached('INSERT INTO _messages (data) VALUES (?)').run(JSON.stringify(data));
  }

  messages(): Record<string, unknown>[] {
    return (this.cached('SELECT data FROM _messages ORDER BY seq', true).all() as string[]).map((t) => JSON.parse(t));
  }
}
