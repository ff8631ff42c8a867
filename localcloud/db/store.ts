/**
 * The durable store: one SQLite file (better-sqlite3, WAL) under the data folder.
 *
 * - One table per collection: `c:<name>` (id TEXT PRIMARY KEY, data TEXT) — documents as JSON.
 * - Indexes declared in localcloud/indexes.json become SQLite expression indexes on json_extract(data, '$.field');
 *   a where() uses them as a pre-filter (a superset of the answer) before mingo applies the full query semantics,
 *   and when the whole query translates exactly, sorting, skip, limit and count run in SQLite too.
 * - Every write batch is one SQLite transaction: all of it is on disk or none of it is.
 *   WAL with synchronous=NORMAL survives a killed process (the OS keeps what was written); set
 *   LOCALCLOUD_SYNC=FULL to survive power loss as well.
 */
import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as path from 'path';
import type { Mongo } from './translate';
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
  | { kind: 'delete'; coll: string; id: string };

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

export class Store {
  readonly db: Database.Database;
  private collections = new Set<string>();
  private stmts = new Map<string, CollStatements>();
  private indexes = new Map<string, IndexSpec[]>();
  private indexedFields = new Map<string, Set<string>>();
  private flags = new Map<string, FieldFlags>(); // key coll + '\u0000' + field
  private stmtCache = new Map<string, Database.Statement>();

  constructor(readonly dataDir: string, indexConfig: IndexConfig = {}) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'db.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${process.env.LOCALCLOUD_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
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
    if (this.db.open) this.db.close();
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
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${q('c:' + name)} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)`);
    this.db.prepare('INSERT OR IGNORE INTO _collections (name) VALUES (?)').run(name);
    this.collections.add(name);
    return true;
  }

  ensureIndexes(coll: string, specs: IndexSpec[]): void {
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
    }
    this.indexes.set(coll, list);
    this.indexedFields.set(coll, fields);
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

  /** Record, for indexed fields, whether a document puts an array or a non-scalar there (disables the pre-filter). */
  private noteFields(coll: string, doc: Record<string, unknown>) {
    const fields = this.indexedFields.get(coll);
    if (!fields) return;
    for (const f of fields) {
      const key = coll + '\u0000' + f;
      const cur = this.flags.get(key) ?? { hasArray: false, hasOther: false };
      if (cur.hasArray && cur.hasOther) continue;
      let v: unknown = doc;
      let arr = false;
      for (const p of f.split('.')) {
        if (Array.isArray(v)) { arr = true; break; }
        if (v === null || typeof v !== 'object') { v = undefined; break; }
        v = (v as Record<string, unknown>)[p];
      }
      if (Array.isArray(v)) arr = true;
      const other = !arr && v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number';
      if ((arr && !cur.hasArray) || (other && !cur.hasOther)) {
        this.setFlags(coll, f, { hasArray: cur.hasArray || arr, hasOther: cur.hasOther || other });
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

  getRaw(coll: string, id: string): string | undefined {
    return this.collStmts(coll).get.get(id) as string | undefined;
  }

  /** Rows matching the plan (id, data), in natural order or the given SQL order. */
  select(coll: string, plan: SqlPlan, order?: string, limit?: number, offset?: number): { id: string; data: string }[] {
    if (!plan.where && !order && limit === undefined) return this.collStmts(coll).all.all() as { id: string; data: string }[];
    let sql = `SELECT id, data FROM ${q('c:' + coll)}`;
    if (plan.where) sql += ` WHERE ${plan.where}`;
    if (order) sql += ` ORDER BY ${order}`;
    const params = [...plan.params];
    if (limit !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      params.push(limit, offset ?? 0);
    }
    return this.cached(sql).all(...params) as { id: string; data: string }[];
  }

  explain(coll: string, plan: SqlPlan, order: string): string[] {
    let sql = `EXPLAIN QUERY PLAN SELECT id, data FROM ${q('c:' + coll)}`;
    if (plan.where) sql += ` WHERE ${plan.where}`;
    sql += ` ORDER BY ${order}`;
    return (this.db.prepare(sql).all(...plan.params) as { detail: string }[]).map((r) => r.detail);
  }

  countWhere(coll: string, plan: SqlPlan): number {
    if (!plan.where) return this.collStmts(coll).countAll.get() as number;
    return this.cached(`SELECT count(*) FROM ${q('c:' + coll)} WHERE ${plan.where}`, true).get(...plan.params) as number;
  }

  // ------------------------------------------------------------ writes

  /** Apply a batch atomically (one SQLite transaction). Throws (and writes nothing) on a constraint error. */
  write(ops: WriteOp[], docs?: Array<Record<string, unknown> | null>): void {
    this.writeTx(ops, docs);
    // refresh the planner's statistics as collections grow (which index is the selective one)
    const n = ++this.writeCount;
    if (n === 200 || n === 2000 || n % 20_000 === 0) this.db.pragma('optimize');
  }

  private writeCount = 0;
  private writeTx = (ops: WriteOp[], docs?: Array<Record<string, unknown> | null>): void => {
    this.writeTxFn ??= this.db.transaction((ops: WriteOp[], docs?: Array<Record<string, unknown> | null>) => {
      ops.forEach((op, i) => {
        const s = this.collStmts(op.coll);
        if (op.kind === 'delete') s.del.run(op.id);
        else {
          if (op.kind === 'insert') s.insert.run(op.id, op.data);
          else s.upsert.run(op.id, op.data);
          const d = docs?.[i];
          if (d && this.indexedFields.has(op.coll)) this.noteFields(op.coll, d);
        }
      });
    });
    this.writeTxFn(ops, docs);
  };
  private writeTxFn: ((ops: WriteOp[], docs?: Array<Record<string, unknown> | null>) => void) | undefined;

  // ------------------------------------------------------------ query planning

  /** Translate the indexable part of a MongoDB query into SQL on the collection's indexed fields. */
  plan(coll: string, query: Mongo): SqlPlan {
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
    this.cached('INSERT INTO _meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  payGet(outTradeNo: string): Record<string, unknown> | undefined {
    const t = this.cached('SELECT data FROM _pay WHERE outTradeNo = ?', true).get(outTradeNo) as string | undefined;
    return t ? JSON.parse(t) : undefined;
  }

  payPut(outTradeNo: string, data: Record<string, unknown>): void {
    this.cached('INSERT INTO _pay (outTradeNo, data) VALUES (?, ?) ON CONFLICT(outTradeNo) DO UPDATE SET data = excluded.data').run(outTradeNo, JSON.stringify(data));
  }

  payAll(): Record<string, unknown>[] {
    return (this.cached('SELECT data FROM _pay', true).all() as string[]).map((t) => JSON.parse(t));
  }

  messageAdd(data: Record<string, unknown>): void {
    this.cached('INSERT INTO _messages (data) VALUES (?)').run(JSON.stringify(data));
  }

  messages(): Record<string, unknown>[] {
    return (this.cached('SELECT data FROM _messages ORDER BY seq', true).all() as string[]).map((t) => JSON.parse(t));
  }
}
