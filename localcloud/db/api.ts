/**
 * The database API of wx-server-sdk (`cloud.database()`), on the local engine.
 *
 * Result shapes follow the SDK: get → { data }, add → { _id }, update → { stats: { updated } },
 * set → { _id, stats: { updated, created } }, remove → { stats: { removed } }, count → { total },
 * aggregate().end() → { list }. A get() returns at most 100 documents (a cloud function's page).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { createCommand, Command, DbRegExp, ServerDate, AggExpr, isPlainObject } from './commands';
import { translateWhere, translateUpdate, resolveValue, resolvePlainData, resolveStoredDoc, Mongo } from './translate';
import { Engine, EngineTx, Doc, runInTx, pageLimit, docNotFound, untilDurable } from './engine';
import { invalidParam, txFailError, CloudError } from '../errors';
import { roundTrip } from '../profile';
import { checkAlive } from '../context';

/**
 * One database call as a network round trip (the profile's latency, none in the local profile); `op` is what the
 * server does. A killed function's calls fail (checkAlive).
 */
function trip<T>(acc: EngineAccess, op: () => T | Promise<T>): Promise<T> {
  let ms: number;
  try {
    ms = acc.engine().profile.dbRoundTripMs; // throws when no local cloud runs: the call's rejection
  } catch (e) {
    return Promise.reject(e);
  }
  return roundTrip(ms, op, checkAlive);
}

/**
 * A database call whose arguments are checked here, before its round trip: `prepare` returns the server's work,
 * and a throw in it becomes the call's rejection, as in an async method. The methods below are plain functions
 * returning the round trip's promise, not async ones: a database call is the commonest step of every function,
 * and each promise an async method adds (its own, and the one its `await` makes while the async context's hooks
 * are on: context.ts) costs the hooks again.
 */
function call<T>(acc: EngineAccess, prepare: () => () => T | Promise<T>): Promise<T> {
  let op: () => T | Promise<T>;
  try {
    op = prepare();
  } catch (e) {
    return Promise.reject(e);
  }
  return trip(acc, op);
}

export type AnyDoc = Record<string, any>;

export interface GetResult { data: AnyDoc[]; errMsg: string }
export interface DocGetResult { data: AnyDoc | null; errMsg: string }
export interface AddResult { _id: string; errMsg: string }
export interface UpdateResult { stats: { updated: number }; errMsg: string }
export interface SetResult { _id: string; stats: { updated: number; created: number }; errMsg: string }
export interface RemoveResult { stats: { removed: number }; errMsg: string }
export interface CountResult { total: number; errMsg: string }
export interface AggregateResult { list: AnyDoc[]; errMsg: string }

export interface DatabaseOptions {
  env?: string | symbol;
  /** false: doc(id).get() of a missing document resolves { data: null } instead of throwing. */
  throwOnNotFound?: boolean;
}

export interface EngineAccess {
  engine(): Engine;
  now(): number;
}

function dataOf(opts: unknown, api: string): any {
  if (!isPlainObject(opts) || !('data' in opts)) throw invalidParam(api, 'parameter { data } is required');
  return opts.data;
}

function checkId(id: unknown, api: string): string {
  if (typeof id !== 'string' && typeof id !== 'number') throw invalidParam(api, 'doc(id): id must be a string or number');
  if (id === '') throw invalidParam(api, 'doc(id): id must not be empty');
  return String(id);
}

function toProjection(p: Record<string, unknown>): Record<string, 0 | 1> {
  const out: Record<string, 0 | 1> = {};
  for (const k of Object.keys(p)) out[k] = p[k] ? 1 : 0;
  return out;
}

// ------------------------------------------------------------------ queries

interface QueryState {
  where?: unknown;
  hasWhere: boolean;
  sort: Array<[string, 1 | -1]>;
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1>;
}

export class Query {
  constructor(protected acc: EngineAccess, readonly collectionName: string, protected st: QueryState) {}

  protected next(patch: Partial<QueryState>): Query {
    return new Query(this.acc, this.collectionName, { ...this.st, ...patch, sort: patch.sort ?? this.st.sort });
  }

  where(condition: AnyDoc | object): Query {
    if (condition === undefined || condition === null) throw invalidParam('collection.where', 'where() needs a condition');
    if (isPlainObject(condition)) {
      const keys = Object.keys(condition);
      // wx-server-sdk: "查询参数对象值不能均为undefined" (undefined fields are dropped; all undefined is refused)
      if (keys.length > 0 && keys.every((k) => (condition as Record<string, unknown>)[k] === undefined)) {
        throw invalidParam('collection.where', '查询参数对象值不能均为undefined (every value in the where() condition is undefined)');
      }
    }
    return this.next({ where: condition, hasWhere: true });
  }

  orderBy(fieldPath: string, directionStr: 'asc' | 'desc'): Query {
    if (typeof fieldPath !== 'string' || !fieldPath) throw invalidParam('collection.orderBy', 'fieldPath must be a string');
    if (directionStr !== 'asc' && directionStr !== 'desc') throw invalidParam('collection.orderBy', 'direction must be "asc" or "desc"');
    return this.next({ sort: [...this.st.sort, [fieldPath, directionStr === 'asc' ? 1 : -1]] });
  }

  skip(offset: number): Query {
    if (!Number.isInteger(offset) || offset < 0) throw invalidParam('collection.skip', 'offset must be a non-negative integer');
    return this.next({ skip: offset });
  }

  limit(max: number): Query {
    if (!Number.isInteger(max) || max < 0) throw invalidParam('collection.limit', 'limit must be a non-negative integer');
    return this.next({ limit: max });
  }

  field(projection: Record<string, boolean | 0 | 1>): Query {
    if (!isPlainObject(projection)) throw invalidParam('collection.field', 'field() takes an object');
    return this.next({ projection: toProjection(projection) });
  }

  protected mongo(): Mongo {
    if (!this.st.hasWhere) return {};
    return translateWhere(resolveValue(this.st.where, this.acc.now()));
  }

  get(): Promise<GetResult> {
    return trip(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('collection.get', this.collectionName);
      const data = e.find(this.collectionName, this.mongo(), {
        sort: this.st.sort,
        skip: this.st.skip,
        limit: pageLimit(this.st.limit),
        projection: this.st.projection,
      });
      return { data, errMsg: 'collection.get:ok' };
    });
  }

  count(): Promise<CountResult> {
    return trip(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('collection.count', this.collectionName);
      return { total: e.count(this.collectionName, this.mongo()), errMsg: 'collection.count:ok' };
    });
  }

  /** Update every matching document (not transactional; each document atomically). */
  update(opts: { data: AnyDoc }): Promise<UpdateResult> {
    return call(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('collection.update', this.collectionName);
      if (!this.st.hasWhere) throw invalidParam('collection.update', 'update() on a collection needs a where() condition');
      const mod = translateUpdate(resolveValue(dataOf(opts, 'collection.update'), this.acc.now()), 'collection.update');
      return async () => ({ stats: { updated: await e.updateWhere(this.collectionName, this.mongo(), mod) }, errMsg: 'collection.update:ok' });
    });
  }

  /** Remove every matching document. */
  remove(): Promise<RemoveResult> {
    return call(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('collection.remove', this.collectionName);
      if (!this.st.hasWhere) throw invalidParam('collection.remove', 'remove() on a collection needs a where() condition');
      return async () => ({ stats: { removed: await e.removeWhere(this.collectionName, this.mongo()) }, errMsg: 'collection.remove:ok' });
    });
  }
}

export class CollectionReference extends Query {
  constructor(acc: EngineAccess, name: string, private dbOpts: DatabaseOptions) {
    super(acc, name, { hasWhere: false, sort: [] });
  }

  get name(): string {
    return this.collectionName;
  }

  doc(id: string | number): DocumentReference {
    return new DocumentReference(this.acc, this.collectionName, checkId(id, 'collection.doc'), this.dbOpts);
  }

  add(opts: { data: AnyDoc }): Promise<AddResult> {
    return call(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('collection.add', this.collectionName);
      const raw = dataOf(opts, 'collection.add');
      if (Array.isArray(raw)) throw invalidParam('collection.add', 'adding an array of documents is not supported in a cloud function');
      const data = resolvePlainData(raw, this.acc.now(), 'collection.add') as Doc;
      return async () => ({ _id: await e.add(this.collectionName, data), errMsg: 'collection.add:ok' });
    });
  }

  aggregate(): Aggregate {
    return new Aggregate(this.acc, this.collectionName, []);
  }
}

export class DocumentReference {
  private projection?: Record<string, 0 | 1>;
  constructor(private acc: EngineAccess, readonly collectionName: string, readonly id: string, private dbOpts: DatabaseOptions) {}

  field(projection: Record<string, boolean | 0 | 1>): DocumentReference {
    const d = new DocumentReference(this.acc, this.collectionName, this.id, this.dbOpts);
    d.projection = toProjection(projection);
    return d;
  }

  get(): Promise<DocGetResult> {
    return trip(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('document.get', this.collectionName);
      let doc = e.getDoc(this.collectionName, this.id);
      if (!doc) {
        if (this.dbOpts.throwOnNotFound === false) return { data: null, errMsg: 'document.get:ok' };
        throw docNotFound('document.get', this.id);
      }
      if (this.projection) doc = e.find(this.collectionName, { _id: this.id }, { projection: this.projection })[0] ?? doc;
      return { data: doc, errMsg: 'document.get:ok' };
    });
  }

  set(opts: { data: AnyDoc }): Promise<SetResult> {
    return call(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('document.set', this.collectionName);
      const data = resolvePlainData(dataOf(opts, 'document.set'), this.acc.now(), 'document.set') as Doc;
      if ('_id' in data && String(data._id) !== this.id) throw invalidParam('document.set', '_id in data differs from doc(id)');
      return async () => ({ _id: this.id, stats: await e.setDoc(this.collectionName, this.id, data), errMsg: 'document.set:ok' });
    });
  }

  update(opts: { data: AnyDoc }): Promise<UpdateResult> {
    return call(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('document.update', this.collectionName);
      const mod = translateUpdate(resolveValue(dataOf(opts, 'document.update'), this.acc.now()), 'document.update');
      return async () => ({ stats: { updated: await e.updateDoc(this.collectionName, this.id, mod) }, errMsg: 'document.update:ok' });
    });
  }

  remove(): Promise<RemoveResult> {
    return call(this.acc, () => {
      const e = this.acc.engine();
      e.checkCollection('document.remove', this.collectionName);
      return async () => ({ stats: { removed: await e.removeDoc(this.collectionName, this.id) }, errMsg: 'document.remove:ok' });
    });
  }
}

// ------------------------------------------------------------------ aggregate

function aggValue(v: unknown): unknown {
  // db.command.aggregate expressions and plain values
  if (v instanceof AggExpr) return aggValue(v.expr);
  if (Array.isArray(v)) return v.map(aggValue);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = aggValue(v[k]);
    return out;
  }
  return v;
}

export class Aggregate {
  constructor(private acc: EngineAccess, private coll: string, private stages: Mongo[]) {}

  private add(stage: string, arg: unknown): Aggregate {
    let v: unknown;
    if (stage === 'match') v = translateWhere(resolveValue(arg, this.acc.now()));
    else if (stage === 'lookup' && isPlainObject(arg) && arg.pipeline) throw invalidParam('aggregate.lookup', 'lookup with a pipeline is not supported locally');
    else v = aggValue(resolveValue(arg, this.acc.now()));
    return new Aggregate(this.acc, this.coll, [...this.stages, { ['$' + stage]: v }]);
  }

  addFields(o: AnyDoc) { return this.add('addFields', o); }
  bucket(o: AnyDoc) { return this.add('bucket', o); }
  bucketAuto(o: AnyDoc) { return this.add('bucketAuto', o); }
  count(name: string) { return this.add('count', name); }
  group(o: AnyDoc) { return this.add('group', o); }
  limit(n: number) { return this.add('limit', n); }
  lookup(o: AnyDoc) { return this.add('lookup', o); }
  match(o: AnyDoc) { return this.add('match', o); }
  project(o: AnyDoc) { return this.add('project', o); }
  replaceRoot(o: AnyDoc) { return this.add('replaceRoot', o); }
  sample(o: AnyDoc) { return this.add('sample', o); }
  skip(n: number) { return this.add('skip', n); }
  sort(o: AnyDoc) { return this.add('sort', o); }
  sortByCount(o: unknown) { return this.add('sortByCount', o); }
  unwind(o: unknown) { return this.add('unwind', o); }

  async end(): Promise<AggregateResult> {
    return trip(this.acc, () => this.run());
  }

  private run(): AggregateResult {
    const e = this.acc.engine();
    e.checkCollection('collection.aggregate', this.coll);
    // $lookup needs the foreign collection's documents: resolve it here.
    const stages = this.stages.map((s) => {
      if (!('$lookup' in s)) return s;
      const l = s.$lookup as { from: string; localField: string; foreignField: string; as: string };
      e.checkCollection('collection.aggregate', l.from);
      return { $lookup: { ...l, from: e.find(l.from, {}, {}) } };
    });
    return { list: e.aggregate(this.coll, stages), errMsg: 'collection.aggregate:ok' };
  }
}

// ------------------------------------------------------------------ transactions

export class TransactionDocument {
  constructor(private tx: Transaction, private coll: string, readonly id: string) {}

  get(): Promise<DocGetResult> {
    return trip(this.tx._acc, () => {
      const doc = this.tx._etx.get(this.coll, this.id);
      if (!doc) {
        if (this.tx._dbOpts.throwOnNotFound === false) return { data: null, errMsg: 'document.get:ok' };
        throw docNotFound('document.get', this.id);
      }
      return { data: doc, errMsg: 'document.get:ok' };
    });
  }

  set(opts: { data: AnyDoc }): Promise<SetResult> {
    return call(this.tx._acc, () => {
      const raw = dataOf(opts, 'document.set');
      const now = this.tx._acc.now();
      const made = resolveStoredDoc(raw, now, this.id);
      if (made) return () => ({ _id: this.id, stats: this.tx._etx.set(this.coll, this.id, made.doc, made), errMsg: 'document.set:ok' });
      const data = resolvePlainData(raw, now, 'document.set') as Doc;
      if ('_id' in data && String(data._id) !== this.id) throw invalidParam('document.set', '_id in data differs from doc(id)');
      return () => ({ _id: this.id, stats: this.tx._etx.set(this.coll, this.id, data), errMsg: 'document.set:ok' });
    });
  }

  update(opts: { data: AnyDoc }): Promise<UpdateResult> {
    return call(this.tx._acc, () => {
      const mod = translateUpdate(resolveValue(dataOf(opts, 'document.update'), this.tx._acc.now()), 'document.update');
      return () => ({ stats: { updated: this.tx._etx.update(this.coll, this.id, mod) }, errMsg: 'document.update:ok' });
    });
  }

  remove(): Promise<RemoveResult> {
    return trip(this.tx._acc, () => ({ stats: { removed: this.tx._etx.remove(this.coll, this.id) }, errMsg: 'document.remove:ok' }));
  }
}

function refusedInTransaction(what: string): never {
  throw new CloudError(
    'DATABASE_TRANSACTION_FAIL',
    'DATABASE_TRANSACTION_FAIL',
    `${what} is not allowed in a transaction: a transaction may only use collection(name).doc(id).get/set/update/remove and collection(name).add (WeChat cloud database transactions)`,
  );
}

export class TransactionCollection {
  constructor(private tx: Transaction, readonly name: string) {}

  doc(id: string | number): TransactionDocument {
    return new TransactionDocument(this.tx, this.name, checkId(id, 'transaction.collection.doc'));
  }

  add(opts: { data: AnyDoc }): Promise<AddResult> {
    return call(this.tx._acc, () => {
      const raw = dataOf(opts, 'collection.add');
      const now = this.tx._acc.now();
      const made = resolveStoredDoc(raw, now, null);
      if (made) return () => ({ _id: this.tx._etx.add(this.name, made.doc, made), errMsg: 'collection.add:ok' });
      const data = resolvePlainData(raw, now, 'collection.add') as Doc;
      return () => ({ _id: this.tx._etx.add(this.name, data), errMsg: 'collection.add:ok' });
    });
  }

  // Present only to refuse clearly at run time; the TypeScript type of a transaction collection lacks them.
  /** @deprecated not allowed in a transaction */
  where(..._a: unknown[]): never { return refusedInTransaction('where()'); }
  /** @deprecated not allowed in a transaction */
  get(): never { return refusedInTransaction('collection.get()'); }
  /** @deprecated not allowed in a transaction */
  count(): never { return refusedInTransaction('count()'); }
  /** @deprecated not allowed in a transaction */
  aggregate(): never { return refusedInTransaction('aggregate()'); }
  /** @deprecated not allowed in a transaction */
  update(..._a: unknown[]): never { return refusedInTransaction('collection.update()'); }
  /** @deprecated not allowed in a transaction */
  remove(): never { return refusedInTransaction('collection.remove()'); }
  /** @deprecated not allowed in a transaction */
  orderBy(..._a: unknown[]): never { return refusedInTransaction('orderBy()'); }
  /** @deprecated not allowed in a transaction */
  limit(..._a: unknown[]): never { return refusedInTransaction('limit()'); }
  /** @deprecated not allowed in a transaction */
  skip(..._a: unknown[]): never { return refusedInTransaction('skip()'); }
  /** @deprecated not allowed in a transaction */
  field(..._a: unknown[]): never { return refusedInTransaction('field()'); }
}

export class Transaction {
  /** @internal */ _userRollback: { reason: unknown } | null = null;
  constructor(/** @internal */ readonly _etx: EngineTx, /** @internal */ readonly _acc: EngineAccess, /** @internal */ readonly _dbOpts: DatabaseOptions) {}

  collection(name: string): TransactionCollection {
    this._acc.engine().checkCollection('transaction.collection', name);
    return new TransactionCollection(this, name);
  }

  async commit(): Promise<{ errMsg: string }> {
    if (this._userRollback) throw txFailError('transaction.commit: the transaction was rolled back');
    await trip(this._acc, () => untilDurable(this._etx.commit()));
    return { errMsg: 'transaction.commit:ok' };
  }

  async rollback(reason?: unknown): Promise<{ errMsg: string }> {
    this._userRollback = { reason };
    await trip(this._acc, () => this._etx.rollback(reason));
    return { errMsg: 'transaction.rollback:ok' };
  }
}

function isConflict(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: string }).code === 'DATABASE_TRANSACTION_CONFLICT';
}

// ------------------------------------------------------------------ database

export class Database {
  readonly command: Command;
  readonly config: DatabaseOptions;

  constructor(private acc: EngineAccess, opts: DatabaseOptions = {}) {
    this.config = { throwOnNotFound: true, ...opts };
    this.command = createCommand();
  }

  collection(name: string): CollectionReference {
    if (typeof name !== 'string' || !name) throw invalidParam('db.collection', 'collection name must be a non-empty string');
    return new CollectionReference(this.acc, name, this.config);
  }

  serverDate(opts?: { offset?: number }): ServerDate {
    return new ServerDate(opts?.offset ?? 0);
  }

  RegExp(opts: { regexp: string; options?: string }): DbRegExp {
    if (!opts || typeof opts.regexp !== 'string') throw invalidParam('db.RegExp', 'regexp must be a string');
    return new DbRegExp(opts.regexp, opts.options ?? '');
  }

  async createCollection(name: string): Promise<{ errMsg: string }> {
    this.acc.engine().createCollection(name);
    return { errMsg: 'createCollection:ok' };
  }

  /** A transaction finished with commit() or rollback() (30 s limit). */
  async startTransaction(): Promise<Transaction> {
    const etx = await trip(this.acc, () => this.acc.engine().begin());
    return new Transaction(etx, this.acc, this.config);
  }

  /**
   * Run `callback` in a transaction and commit when it returns, as @cloudbase/database's runTransaction does
   * (begin, callback, commit: begin and commit are round trips). On DATABASE_TRANSACTION_CONFLICT (the server has
   * aborted the transaction) the whole callback runs again at once, up to `times` more times (no backoff, no
   * rollback call); on any other error, or the last conflict, it rolls back (a round trip) and rejects.
   * `transaction.rollback(reason)` makes runTransaction reject with `reason`. A killed function sends nothing
   * more: its transaction stays open until the time limit rolls it back.
   */
  async runTransaction<T>(callback: (transaction: Transaction) => Promise<T> | T, times = 3): Promise<T> {
    const engine = this.acc.engine();
    for (let attempt = 0; ; attempt++) {
      const etx = await trip(this.acc, () => engine.begin());
      const tx = new Transaction(etx, this.acc, this.config);
      try {
        const result = await runInTx(etx, () => callback(tx));
        if (tx._userRollback) throw tx._userRollback;
        await trip(this.acc, () => untilDurable(etx.commit()));
        return result;
      } catch (e) {
        if (tx._userRollback) {
          if (etx.state === 'open') etx.abort(tx._userRollback.reason);
          throw tx._userRollback.reason;
        }
        if (isConflict(e) && attempt < times && etx.state !== 'open') continue;
        if (etx.state === 'open') await trip(this.acc, () => etx.abort(e)).catch(() => undefined);
        if (isConflict(e) && attempt < times) continue;
        throw e;
      }
    }
  }
}
