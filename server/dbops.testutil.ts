/**
 * Test-only: records every database operation the local cloud serves (each one a network round trip in
 * CloudBase), with the document it names and whether it ran inside a transaction. Used to count the round
 * trips of an action (so a change that adds some is seen) and to list the documents an action writes (the
 * census of shared documents, docs/architecture.md "Documents many requests write").
 *
 * It wraps the local cloud's SDK classes (localcloud/db/api.ts) once per process; `recordOps` turns it on
 * for the duration of a callback. Transactions count as two round trips more (begin and commit).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as api from '../localcloud/db/api';

export type OpKind = 'get' | 'set' | 'update' | 'remove' | 'add' | 'query' | 'count' | 'queryUpdate' | 'queryRemove' | 'begin' | 'commit';

export interface DbOp {
  op: OpKind;
  coll: string;
  id: string | null; // null for a query
  tx: boolean;
  /**
   * The sequential round trip it went out in: a new one when no other operation was in flight as it started,
   * else the one in flight (operations sent together — Promise.all — share one). Approximate: of two chains run
   * in parallel, the longer one is counted. Exact only with a round trip's latency (a profile's dbRoundTripMs):
   * without one, an operation may be answered before a sibling sent in the same wave has gone out.
   */
  wave?: number;
}

export const WRITE_OPS: ReadonlySet<OpKind> = new Set<OpKind>(['set', 'update', 'remove', 'add', 'queryUpdate', 'queryRemove']);

let sink: DbOp[] | null = null;
let installed = false;
let inFlight = 0;
let wave = 0;

function wrap(proto: any, method: string, describe: (self: any, args: any[]) => DbOp): void {
  const orig = proto[method];
  if (typeof orig !== 'function') throw new Error(`dbops: ${method} not found`);
  proto[method] = function (this: any, ...args: any[]) {
    if (!sink) return orig.apply(this, args);
    if (inFlight === 0) wave++;
    sink.push({ ...describe(this, args), wave });
    inFlight++;
    const done = () => {
      inFlight--;
    };
    const r = orig.apply(this, args);
    if (r && typeof r.then === 'function') r.then(done, done);
    else done();
    return r;
  };
}

function install(): void {
  if (installed) return;
  installed = true;
  const A = api as any;
  for (const m of ['get', 'set', 'update', 'remove'] as const) {
    wrap(A.TransactionDocument.prototype, m, (s) => ({ op: m, coll: s.tx ? s.coll : s.coll, id: s.id, tx: true }));
    wrap(A.DocumentReference.prototype, m, (s) => ({ op: m, coll: s.collectionName, id: s.id, tx: false }));
  }
  wrap(A.TransactionCollection.prototype, 'add', (s, a) => ({ op: 'add', coll: s.name, id: a[0]?.data?._id ?? null, tx: true }));
  wrap(A.CollectionReference.prototype, 'add', (s, a) => ({ op: 'add', coll: s.collectionName, id: a[0]?.data?._id ?? null, tx: false }));
  wrap(A.Query.prototype, 'get', (s) => ({ op: 'query', coll: s.collectionName, id: null, tx: false }));
  wrap(A.Query.prototype, 'count', (s) => ({ op: 'count', coll: s.collectionName, id: null, tx: false }));
  wrap(A.Query.prototype, 'update', (s) => ({ op: 'queryUpdate', coll: s.collectionName, id: null, tx: false }));
  wrap(A.Query.prototype, 'remove', (s) => ({ op: 'queryRemove', coll: s.collectionName, id: null, tx: false }));
  const origRun = A.Database.prototype.runTransaction;
  A.Database.prototype.runTransaction = function (this: any, cb: any, times?: number) {
    return origRun.call(this, async (tx: any) => {
      if (sink) sink.push({ op: 'begin', coll: '', id: null, tx: true });
      const r = await cb(tx);
      if (sink) sink.push({ op: 'commit', coll: '', id: null, tx: true });
      return r;
    }, times);
  };
}

/** Run `fn` and return what it did to the database, operation by operation, in order. */
export async function recordOps<T>(fn: () => Promise<T>): Promise<{ result: T; ops: DbOp[] }> {
  install();
  const ops: DbOp[] = [];
  const prev = sink;
  sink = ops;
  try {
    const result = await fn();
    return { result, ops };
  } finally {
    sink = prev;
  }
}

/** The operations of the transactions only (begin … commit), as counted per transaction attempt. */
export function txOps(ops: DbOp[]): DbOp[] {
  return ops.filter((o) => o.tx);
}

/** `coll/id` of every document written. */
export function writtenDocs(ops: DbOp[]): string[] {
  return [...new Set(ops.filter((o) => WRITE_OPS.has(o.op)).map((o) => `${o.coll}/${o.id ?? '*'}`))];
}

/** Sequential round trips of these operations (begin and commit count one each; see DbOp.wave). */
export function roundTrips(ops: DbOp[]): number {
  const data = ops.filter((o) => o.op !== 'begin' && o.op !== 'commit');
  return new Set(data.map((o) => o.wave)).size + (ops.length - data.length);
}

export function summary(ops: DbOp[]): { total: number; writes: number; reads: number } {
  const data = ops.filter((o) => o.op !== 'begin' && o.op !== 'commit');
  const writes = data.filter((o) => WRITE_OPS.has(o.op)).length;
  return { total: data.length, writes, reads: data.length - writes };
}
