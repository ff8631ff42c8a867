import { randomInt } from 'crypto';
import cloud from 'wx-server-sdk';
import { DomainError, isDomainError } from '../shared/errors';

/**
 * The database handle and the few helpers every server module uses. Written against the wx-server-sdk
 * surface (the same code runs in the cloud and on the local runtime):
 * - `doc(id).get()` may throw "does not exist" in the cloud even with throwOnNotFound:false inside a
 *   transaction, so reads go through `readDoc`, which returns null for a missing document;
 * - `set`/`update` data never carries `_id`;
 * - `runTx` retries conflicts with jittered backoff beyond the SDK's own 3 tries, so a burst of
 *   concurrent requests on one hot document (a merchant's balance) all get through or get a real answer.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
export type AnyDoc = Record<string, any>;

export interface DocRef {
  get(): Promise<{ data: any }>;
  set(opts: { data: AnyDoc }): Promise<unknown>;
  update(opts: { data: AnyDoc }): Promise<unknown>;
  remove(): Promise<unknown>;
}

export interface TxCollection {
  doc(id: string): DocRef;
  add(opts: { data: AnyDoc }): Promise<{ _id: string | number }>;
}

/** What a transaction offers: single documents by id and add — no where, no aggregate. */
export interface Tx {
  collection(name: string): TxCollection;
  rollback?(reason?: unknown): unknown;
}

let initialised = false;

export function getCloud(): any {
  if (!initialised) {
    (cloud as any).init({ env: (cloud as any).DYNAMIC_CURRENT_ENV });
    initialised = true;
  }
  return cloud;
}

/**
 * The database (throwOnNotFound: false). Not cached: the local runtime may run several clouds in one
 * process (tests), and the handle is cheap.
 */
export function getDb(): any {
  return getCloud().database({ throwOnNotFound: false });
}

export function cmd(): any {
  return getDb().command;
}

function isNotFound(e: unknown): boolean {
  const msg = String((e as { message?: string; errMsg?: string })?.message ?? (e as { errMsg?: string })?.errMsg ?? e);
  return /not exist|not found|does not exist|DOCUMENT_NOT_EXIST|-502004/i.test(msg);
}

function docOf(res: any): AnyDoc | null {
  const data = res?.data;
  if (data === null || data === undefined) return null;
  if (Array.isArray(data)) return data[0] ?? null;
  return data;
}

function nullIfNotFound(e: unknown): null {
  if (isNotFound(e)) return null;
  throw e;
}

/**
 * Read one document by id, inside a transaction or not; null when it does not exist. (A promise chain, not an
 * async function: the commonest step of every function, and each promise costs the async context's hooks.)
 */
export function readDoc<T = AnyDoc>(src: Tx | any, coll: string, id: string): Promise<(T & { _id: string }) | null> {
  let asked: Promise<unknown>;
  try {
    asked = src.collection(coll).doc(id).get();
  } catch (e) {
    return new Promise((resolve) => resolve(nullIfNotFound(e)));
  }
  return asked.then(docOf, nullIfNotFound) as Promise<(T & { _id: string }) | null>;
}

/**
 * Inside a transaction: lock a document, then read it (DESIGN "Rules for running at the platform's scale", 2).
 * CloudBase does not check at commit that what a transaction read is unchanged, so two transitions of one order
 * (a payment and a cancellation) that each read it and then write it could both commit. Writing first (a
 * counter, `lockSeq`) takes the document's lock: a concurrent write fails at once and one of the transactions
 * runs again, and what is read afterwards is current until the commit. Null if the document does not exist.
 */
export async function lockAndRead<T = AnyDoc>(tx: Tx, coll: string, id: string): Promise<(T & { _id: string }) | null> {
  const res = (await tx.collection(coll).doc(id).update({ data: { lockSeq: getDb().command.inc(1) } })) as { stats?: { updated?: number } } | undefined;
  if ((res?.stats?.updated ?? 0) === 0) return null;
  return readDoc<T>(tx, coll, id);
}

/** A copy of `data` without _id (a plain loop: faster than object rest, which takes a slow path in V8). */
function copyWithoutId(data: AnyDoc): AnyDoc {
  const rest: AnyDoc = {};
  for (const k of Object.keys(data)) if (k !== '_id') rest[k] = data[k];
  return rest;
}

function stripId(data: AnyDoc): AnyDoc {
  return '_id' in data ? copyWithoutId(data) : data;
}

/** A copy of `data` with `id` as its _id (last), in one pass. */
function withId(data: AnyDoc, id: string): AnyDoc {
  const out = copyWithoutId(data);
  out._id = id;
  return out;
}

export function isDuplicateKey(e: unknown): boolean {
  const o = e as { message?: string; errMsg?: string };
  return /E11000|duplicate key/i.test(`${o?.message ?? ''} ${o?.errMsg ?? ''}`);
}

/** A conflict as the SDK raises it: runTx runs the transaction again. */
export function conflictError(detail: string): Error {
  return Object.assign(new Error(`[ResourceUnavailable.TransactionConflict] ${detail}`), { code: 'DATABASE_TRANSACTION_CONFLICT', errCode: 'DATABASE_TRANSACTION_CONFLICT' });
}

/**
 * Inside a transaction: create a document that must not exist yet (`add` with its id). If another transaction
 * created it since this one looked, the add fails and the whole transaction runs again (and then finds it),
 * where a `set` would have silently replaced it: CloudBase does not re-check at commit what was read.
 */
export function createDoc(tx: Tx, coll: string, id: string, data: AnyDoc): Promise<unknown> {
  const refused = (e: unknown): never => {
    if (isDuplicateKey(e)) throw conflictError(`${coll}/${id} was created by another transaction`);
    throw e;
  };
  try {
    return tx.collection(coll).add({ data: withId(data, id) }).then(undefined, refused);
  } catch (e) {
    return Promise.reject(e).then(undefined, refused);
  }
}

/** Create or replace a document by id (the SDK's answer: callers only wait for it). */
export function writeDoc(src: Tx | any, coll: string, id: string, data: AnyDoc): Promise<unknown> {
  try {
    return src.collection(coll).doc(id).set({ data: stripId(data) });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Update fields of a document by id. */
export async function patchDoc(src: Tx | any, coll: string, id: string, data: AnyDoc): Promise<void> {
  await src.collection(coll).doc(id).update({ data: stripId(data) });
}

export function isTxConflict(e: unknown): boolean {
  const o = e as { code?: string; errCode?: number | string; message?: string; errMsg?: string };
  const text = `${o?.code ?? ''} ${o?.errCode ?? ''} ${o?.message ?? ''} ${o?.errMsg ?? ''}`;
  return /TRANSACTION_CONFLICT|TransactionConflict|conflict/i.test(text);
}

/**
 * A transaction that failed as a whole (DATABASE_TRANSACTION_FAIL: the commit failed, or the database aborted
 * the transaction): it wrote nothing, so running it again is safe.
 */
export function isTxFailure(e: unknown): boolean {
  const o = e as { code?: string; errCode?: number | string; message?: string; errMsg?: string };
  const text = `${o?.code ?? ''} ${o?.errCode ?? ''} ${o?.message ?? ''} ${o?.errMsg ?? ''}`;
  return /DATABASE_TRANSACTION_FAIL|TransactionNotExist|TransactionFail/i.test(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many failed transactions (DATABASE_TRANSACTION_FAIL) one runTx retries before answering BUSY. */
export const TX_FAILURE_RETRIES = 8;
/** Past this time a runTx stops retrying (a cloud function has 60 s; the user is better told BUSY). */
export const TX_RETRY_BUDGET_MS = 20_000;

export function busyError(): DomainError {
  return new DomainError('BUSY', '系统繁忙，请稍后再试');
}

/**
 * One state change = one transaction. Retries a transaction conflict (the SDK retries 3 times itself; a hot
 * document under a burst needs more) and a failed transaction (DATABASE_TRANSACTION_FAIL: nothing was
 * written), with jittered backoff; when the retries run out the answer is BUSY (系统繁忙), a refusal the
 * client may retry with the same requestId — never INTERNAL, since nothing broke and nothing was done.
 * A DomainError thrown inside aborts it and reaches the caller unchanged.
 */
export async function runTx<T>(fn: (tx: Tx) => Promise<T>, attempts = 40): Promise<T> {
  const db = getDb();
  const started = Date.now();
  let failures = 0;
  for (let i = 0; ; i++) {
    let result: T | undefined;
    let domainError: unknown = null;
    let committedTx: Tx | null = null;
    try {
      await db.runTransaction(async (tx: Tx) => {
        domainError = null;
        committedTx = tx;
        try {
          result = await fn(tx);
          return result;
        } catch (e) {
          if (isDomainError(e)) domainError = e;
          throw e;
        }
      }, 1);
      if (committedTx) await runAfterCommit(committedTx);
      return result as T;
    } catch (e) {
      if (domainError) throw domainError;
      if (isDomainError(e)) throw e;
      const conflict = isTxConflict(e);
      const failed = !conflict && isTxFailure(e);
      if (!conflict && !failed) throw e;
      if (failed) failures++;
      const outOfTime = Date.now() - started > TX_RETRY_BUDGET_MS;
      if (i + 1 >= attempts || failures > TX_FAILURE_RETRIES || outOfTime) {
        if (failed) console.warn(`[db] transaction failed ${failures} times, answering BUSY: ${(e as Error)?.message ?? String(e)}`);
        throw busyError();
      }
      await sleep(Math.min(250, 5 + Math.random() * (10 + i * 15)));
    }
  }
}

const afterCommit = new WeakMap<object, Array<() => Promise<unknown>>>();

/**
 * Run `fn` once the transaction `tx` has committed (and never if it does not): derived data — statistics, views,
 * notifications — is written after the commit, so the transaction neither waits for it nor holds its locks
 * longer (DESIGN "Rules for running at the platform's scale", 3). Only for `runTx` transactions. A failure is
 * logged, not raised: the state change has happened; what follows is best effort.
 */
export function onCommit(tx: Tx, fn: () => Promise<unknown>): void {
  const list = afterCommit.get(tx) ?? [];
  list.push(fn);
  afterCommit.set(tx, list);
}

async function runAfterCommit(tx: Tx): Promise<void> {
  const list = afterCommit.get(tx);
  if (!list) return;
  afterCommit.delete(tx);
  await Promise.all(
    list.map(async (fn) => {
      try {
        await fn();
      } catch (e) {
        console.warn('[db] after-commit step failed', e);
      }
    }),
  );
}

/** Read every document matching a query, 100 at a time (the cloud's page size). */
export async function readAll<T = AnyDoc>(query: any, pageSize = 100): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += pageSize) {
    const res = await query.skip(skip).limit(pageSize).get();
    const list = (res?.data ?? []) as T[];
    out.push(...list);
    if (list.length < pageSize) return out;
  }
}

/**
 * A readable id: prefix + yyyyMMddHHmmss (Asia/Shanghai) + 8 random digits, e.g. `O2025031522001234567890`.
 * At most 32 characters of [0-9A-Za-z], so it can be a WeChat Pay outTradeNo. Two ids made in the same second
 * collide with a chance of 1 in 10^8 — at hundreds of orders a second that happens within days — so a document
 * is created under one only through `newDocId`, which makes sure the id is free.
 */
export function newId(prefix: string, at: number): string {
  const d = new Date(at + 8 * 3600_000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`;
  const rnd = randomInt(0, 100_000_000).toString().padStart(8, '0');
  return `${prefix}${stamp}${rnd}`;
}

/**
 * Inside a transaction: a `newId` under which `coll` has no document (as of the transaction's snapshot; a
 * document created there since then makes the transaction's write of it conflict, and the retry draws again).
 * `first`: the id to try first (one drawn before the transaction).
 */
export async function newDocId(tx: Tx, coll: string, prefix: string, at: number, first?: string): Promise<string> {
  for (let i = 0; ; i++) {
    const id = i === 0 && first ? first : newId(prefix, at);
    if (i >= 20 || !(await readDoc(tx, coll, id))) return id;
  }
}
