/**
 * From wx-server-sdk's query and update language to MongoDB's (evaluated by mingo), and from documents
 * to their stored JSON.
 *
 * Semantics followed (WeChat docs, 云开发 数据库 查询/更新指引):
 * - `where({ a: { b: 1 } })` matches the nested field `a.b` (an object value is a set of conditions on
 *   sub-fields, not a whole-object equality; use `_.eq({...})` for that).
 * - `update({ data: { a: { b: 1 } } })` updates only `a.b`; `_.set({...})` replaces a field's value.
 * - `db.serverDate({ offset })` becomes the (local) server time when the write happens.
 */
import { AggExpr, DbRegExp, LogicCommand, QueryCommand, ServerDate, UpdateCommand, isPlainObject } from './commands';
import { invalidParam } from '../errors';
import { isDate, isRegExp, cloneValue } from './values';

export type Mongo = Record<string, unknown>;

// ---------------------------------------------------------------- values

/** Replace serverDate placeholders (anywhere) by Dates of the given time. Returns a fresh deep copy. */
export function resolveValue(v: unknown, nowMs: number): unknown {
  return resolve(v, nowMs, null);
}

/**
 * resolveValue, noting in `seen.command` whether a query, update or logic command was met (what checkPlainData
 * refuses).
 */
function resolve(v: unknown, nowMs: number, seen: { command: boolean } | null): unknown {
  if (typeof v !== 'object' || v === null) return v;
  // the usual case first: a plain object of this realm (no class below to test it against)
  if (Object.getPrototypeOf(v) !== Object.prototype) {
    if (v instanceof ServerDate) return new Date(nowMs + (v.offset || 0));
    if (isDate(v)) return new Date(v.getTime());
    if (isRegExp(v) || v instanceof DbRegExp) return v;
    if (v instanceof QueryCommand) return seen && (seen.command = true), new QueryCommand(v.op, v.operands.map((o) => resolve(o, nowMs, seen)));
    if (v instanceof UpdateCommand) return seen && (seen.command = true), new UpdateCommand(v.op, v.operands.map((o) => resolve(o, nowMs, seen)));
    if (v instanceof LogicCommand) return seen && (seen.command = true), new LogicCommand(v.op, v.operands.map((o) => resolve(o, nowMs, seen)));
    if (v instanceof AggExpr) return new AggExpr(resolve(v.expr, nowMs, seen) as Record<string, unknown>);
    if (Array.isArray(v)) return v.map((x) => resolve(x, nowMs, seen));
    if (Buffer.isBuffer(v)) return v;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    out[k] = resolve(x, nowMs, seen);
  }
  return out;
}

/**
 * Data for add()/set(): checkPlainData(resolveValue(data, nowMs), api) in one pass over the data (the check's
 * own pass runs only when there is something for it to refuse, to refuse it with its message).
 */
export function resolvePlainData(data: unknown, nowMs: number, api: string): Record<string, unknown> {
  const seen = { command: false };
  const v = resolve(data, nowMs, seen);
  if (seen.command || !isPlainObject(v)) return checkPlainData(v, api);
  return v as Record<string, unknown>;
}

/**
 * The data of a set() or add() as the document it stores, when it is plain data already in stored form
 * (isStoredForm once resolved): a fresh copy starting with `_id: id` (`id` null: add()'s own `_id`, a string or
 * number), made in one pass where the general path makes three (resolvePlainData, the engine's `_id` copy,
 * normalizeOwnedDoc's check). `dates`: whether it holds Dates (a ServerDate resolved to `nowMs`). null for
 * anything else: a command, a class instance, a number JSON would change, undefined in an array, a `__proto__`
 * key, an `_id` other than `id`, an object that decodes as a Date. The general path resolves, checks or
 * refuses those as it always has.
 */
export function resolveStoredDoc(data: unknown, nowMs: number, id: string | null): { doc: Record<string, unknown>; dates: boolean } | null {
  if (typeof data !== 'object' || data === null || Object.getPrototypeOf(data) !== Object.prototype) return null;
  const given = (data as Record<string, unknown>)._id;
  let docId: string;
  if (given === undefined) {
    if (id === null) return null;
    docId = id;
  } else {
    if (typeof given !== 'string' && typeof given !== 'number') return null;
    docId = String(given);
    if (docId === '' || (id !== null && docId !== id)) return null;
  }
  const st = { dates: false, ok: true };
  const doc: Record<string, unknown> = { _id: docId };
  for (const k in data as object) {
    if (k === '_id') continue;
    if (k === '__proto__') return null;
    const x = (data as Record<string, unknown>)[k];
    if (x === undefined) continue;
    doc[k] = storedValue(x, nowMs, st);
    if (!st.ok) return null;
  }
  return { doc, dates: st.dates };
}

/** resolveStoredDoc's copy of one value; `st.ok` false when the value is not stored as it is. */
function storedValue(v: unknown, nowMs: number, st: { dates: boolean; ok: boolean }): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v) || (v === 0 && 1 / v < 0)) st.ok = false;
      return v;
    case 'object':
      break;
    default:
      st.ok = false;
      return v;
  }
  if (v === null) return null;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype) {
    const out: Record<string, unknown> = {};
    let count = 0;
    let only = '';
    for (const k in v as object) {
      if (k === '__proto__') {
        st.ok = false;
        return v;
      }
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      out[k] = storedValue(x, nowMs, st);
      if (!st.ok) return v;
      count++;
      only = k;
    }
    if (count === 1 && only === '$date' && typeof out.$date === 'number') st.ok = false;
    return out;
  }
  if (proto === Array.prototype) {
    const a = v as unknown[];
    const n = a.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      if (a[i] === undefined) {
        st.ok = false; // a hole too: resolve keeps it undefined, which storage makes null
        return v;
      }
      out[i] = storedValue(a[i], nowMs, st);
      if (!st.ok) return v;
    }
    return out;
  }
  if (v instanceof ServerDate) {
    st.dates = true;
    return new Date(nowMs + (v.offset || 0));
  }
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) st.ok = false;
    st.dates = true;
    return new Date(t);
  }
  st.ok = false;
  return v;
}

function aggToMongo(v: unknown): unknown {
  if (v instanceof AggExpr) return aggToMongo(v.expr);
  if (Array.isArray(v)) return v.map(aggToMongo);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = aggToMongo(v[k]);
    return out;
  }
  return v;
}

function regexToMongo(v: RegExp | DbRegExp): Mongo {
  if (isRegExp(v)) return { $regex: v.source, $options: v.flags.replace(/[gyu]/g, '') };
  return { $regex: v.regexp, $options: v.options || '' };
}

// ---------------------------------------------------------------- queries

const COMPARE: Record<string, string> = {
  eq: '$eq', neq: '$ne', lt: '$lt', lte: '$lte', gt: '$gt', gte: '$gte', in: '$in', nin: '$nin',
  exists: '$exists', size: '$size', all: '$all',
};

/** A query command as an operator expression: `_.gt(1)` → `{ $gt: 1 }`. */
function opExpr(c: QueryCommand): Mongo {
  if (c.op in COMPARE) {
    const v = c.operands[0];
    if ((c.op === 'in' || c.op === 'nin' || c.op === 'all') && !Array.isArray(v)) {
      throw invalidParam('collection.where', `_.${c.op} needs an array`);
    }
    return { [COMPARE[c.op]]: isRegExp(v) || v instanceof DbRegExp ? regexToMongo(v) : v };
  }
  if (c.op === 'mod') return { $mod: [c.operands[0], c.operands[1]] };
  if (c.op === 'elemMatch') return { $elemMatch: elemMatchCond(c.operands[0]) };
  throw invalidParam('collection.where', `unsupported query command ${c.op}`);
}

function elemMatchCond(cond: unknown): Mongo {
  if (cond instanceof QueryCommand) return opExpr(cond);
  if (cond instanceof LogicCommand && cond.op === 'and' && cond.operands.every((o) => o instanceof QueryCommand)) {
    return Object.assign({}, ...cond.operands.map((o) => opExpr(o as QueryCommand)));
  }
  return translateWhere(cond);
}

/** The condition on field `path` given value `v` (a command, a regexp, nested conditions or a value). */
function fieldCond(path: string, v: unknown): Mongo {
  if (v instanceof QueryCommand) {
    if (v.op === 'expr') throw invalidParam('collection.where', '_.expr must be used at the top level of where()');
    return { [path]: opExpr(v) };
  }
  if (v instanceof LogicCommand) {
    if (v.op === 'not') {
      const inner = v.operands[0];
      if (inner instanceof QueryCommand) return { [path]: { $not: opExpr(inner) } };
      if (isRegExp(inner) || inner instanceof DbRegExp) return { [path]: { $not: regexToMongo(inner) } };
      return { $nor: [fieldCond(path, inner)] };
    }
    return { ['$' + v.op]: v.operands.map((o) => fieldCond(path, o)) };
  }
  if (isRegExp(v) || v instanceof DbRegExp) return { [path]: regexToMongo(v) };
  if (v instanceof UpdateCommand) throw invalidParam('collection.where', `update command _.${v.op} used in a query`);
  if (isPlainObject(v) && Object.keys(v).length > 0) {
    const parts = Object.keys(v).map((k) => fieldCond(`${path}.${k}`, v[k]));
    return parts.length === 1 ? parts[0] : { $and: parts };
  }
  return { [path]: v };
}

/** A where() argument as a MongoDB query. */
export function translateWhere(cond: unknown): Mongo {
  if (cond instanceof LogicCommand) {
    if (cond.op === 'not') throw invalidParam('collection.where', '_.not must be applied to a field');
    return { ['$' + cond.op]: cond.operands.map((o) => translateWhere(o)) };
  }
  if (cond instanceof QueryCommand) {
    if (cond.op === 'expr') return { $expr: aggToMongo(cond.operands[0]) };
    throw invalidParam('collection.where', 'a query command must be applied to a field');
  }
  if (!isPlainObject(cond)) throw invalidParam('collection.where', 'where() takes an object');
  const parts: Mongo[] = [];
  for (const k of Object.keys(cond)) {
    const v = cond[k];
    if (v === undefined) {
      // The SDK refuses undefined in a query (it would silently match everything).
      throw invalidParam('collection.where', `query field "${k}" is undefined`);
    }
    parts.push(fieldCond(k, v));
  }
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0];
  return { $and: parts };
}

// ---------------------------------------------------------------- updates

export interface Modifier {
  $set?: Mongo; $unset?: Mongo; $inc?: Mongo; $mul?: Mongo; $min?: Mongo; $max?: Mongo; $rename?: Mongo;
  $push?: Mongo; $pop?: Mongo; $pull?: Mongo; $pullAll?: Mongo; $addToSet?: Mongo;
}

function put(mod: Modifier, op: keyof Modifier, path: string, v: unknown) {
  const m = (mod[op] ??= {});
  m[path] = v;
}

function updateCommand(mod: Modifier, path: string, c: UpdateCommand, api: string) {
  const a = c.operands;
  switch (c.op) {
    case 'set': put(mod, '$set', path, a[0]); break;
    case 'remove': put(mod, '$unset', path, ''); break;
    case 'inc':
    case 'mul':
      if (typeof a[0] !== 'number' || !Number.isFinite(a[0])) throw invalidParam(api, `_.${c.op} needs a number`);
      put(mod, c.op === 'inc' ? '$inc' : '$mul', path, a[0]);
      break;
    case 'min': put(mod, '$min', path, a[0]); break;
    case 'max': put(mod, '$max', path, a[0]); break;
    case 'rename': put(mod, '$rename', path, a[0]); break;
    case 'push': {
      const v = a[0];
      if (Array.isArray(v)) put(mod, '$push', path, { $each: v });
      else if (isPlainObject(v) && 'each' in v) {
        const spec: Mongo = { $each: v.each };
        if (v.position !== undefined) spec.$position = v.position;
        if (v.sort !== undefined) spec.$sort = v.sort;
        if (v.slice !== undefined) spec.$slice = v.slice;
        put(mod, '$push', path, spec);
      } else put(mod, '$push', path, { $each: [v] });
      break;
    }
    case 'unshift': {
      const v = a[0];
      put(mod, '$push', path, { $each: Array.isArray(v) ? v : [v], $position: 0 });
      break;
    }
    case 'pop': put(mod, '$pop', path, 1); break;
    case 'shift': put(mod, '$pop', path, -1); break;
    case 'pull': {
      const v = a[0];
      if (v instanceof QueryCommand) put(mod, '$pull', path, opExpr(v));
      else if (v instanceof LogicCommand || (isPlainObject(v) && containsCommand(v))) put(mod, '$pull', path, translateWhere(v));
      else put(mod, '$pull', path, v);
      break;
    }
    case 'pullAll':
      if (!Array.isArray(a[0])) throw invalidParam(api, '_.pullAll needs an array');
      put(mod, '$pullAll', path, a[0]);
      break;
    case 'addToSet': {
      const v = a[0];
      if (isPlainObject(v) && 'each' in v) put(mod, '$addToSet', path, { $each: v.each });
      else put(mod, '$addToSet', path, v);
      break;
    }
    default:
      throw invalidParam(api, `unsupported update command ${c.op}`);
  }
}

function containsCommand(v: unknown): boolean {
  if (v instanceof QueryCommand || v instanceof LogicCommand || v instanceof UpdateCommand) return true;
  if (isPlainObject(v)) return Object.keys(v).some((k) => containsCommand(v[k]));
  return false;
}

/** `update({ data })`'s data as a MongoDB modifier (nested plain objects update sub-fields). */
export function translateUpdate(data: unknown, api: string): Modifier {
  if (!isPlainObject(data)) throw invalidParam(api, 'data must be an object');
  const mod: Modifier = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v === undefined) continue;
      const path = prefix ? `${prefix}.${k}` : k;
      if (path === '_id') throw invalidParam(api, '_id cannot be updated');
      if (v instanceof UpdateCommand) updateCommand(mod, path, v, api);
      else if (v instanceof QueryCommand || v instanceof LogicCommand) throw invalidParam(api, `query command used in update data at ${path}`);
      else if (isPlainObject(v) && Object.keys(v).length > 0) walk(v, path);
      else put(mod, '$set', path, v);
    }
  };
  walk(data, '');
  return mod;
}

/** Data for add()/set(): plain values only (update commands are refused as the SDK refuses them). */
export function checkPlainData(data: unknown, api: string): Record<string, unknown> {
  if (!isPlainObject(data)) throw invalidParam(api, 'data must be an object');
  const visit = (v: unknown, path: string) => {
    if (v instanceof UpdateCommand || v instanceof QueryCommand || v instanceof LogicCommand) {
      throw invalidParam(api, `a command cannot be used in ${api} data (at ${path})`);
    }
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}.${i}`));
    else if (isPlainObject(v)) for (const k of Object.keys(v)) visit(v[k], path ? `${path}.${k}` : k);
  };
  visit(data, '');
  return data;
}

// ---------------------------------------------------------------- storage encoding

/** Deep copy for storage: Dates become { $date: ms }; undefined is dropped; other values must be JSON. */
function encodeValue(v: unknown): unknown {
  if (isDate(v)) return { $date: v.getTime() };
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : encodeValue(x)));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function') continue;
      out[k] = encodeValue(x);
    }
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (typeof v === 'bigint') return Number(v);
  return v;
}

export function encodeDoc(doc: Record<string, unknown>): string {
  return JSON.stringify(encodeValue(doc));
}

function reviveDates(_k: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$date === 'number') {
      const keys = Object.keys(o);
      if (keys.length === 1) return new Date(o.$date);
    }
  }
  return v;
}

export function decodeDoc(text: string): Record<string, unknown> {
  return text.includes('"$date"') ? JSON.parse(text, reviveDates) : JSON.parse(text);
}

/** Deep copy of a decoded document (keeps Dates). */
export function cloneDoc<T>(doc: T): T {
  return cloneValue(doc);
}

const SKIP = Symbol('skip');

function normNumber(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  return n === 0 ? 0 : n; // -0 is written as 0
}

/**
 * What JSON storage makes of a value: `decodeDoc(encodeDoc(v))`, computed without the text. Dates stay Dates
 * (of this realm); undefined, functions and symbols are dropped (null inside arrays); non-finite numbers become
 * null, -0 becomes 0, a bigint its Number; any other object becomes a plain object of its own enumerable keys
 * (a `__proto__` key is lost, as JSON.stringify of the encoded copy loses it); an object whose only key is a
 * numeric `$date` becomes a Date, as decodeDoc revives it.
 */
function normValue(v: unknown, st: { dates: boolean }, inArray: boolean): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return normNumber(v);
    case 'bigint':
      return normNumber(Number(v));
    case 'undefined':
    case 'function':
    case 'symbol':
      return inArray ? null : SKIP;
  }
  if (v === null) return null;
  if (isDate(v)) {
    const t = v.getTime();
    if (Number.isNaN(t)) return { $date: null };
    st.dates = true;
    return new Date(t);
  }
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = normValue(v[i], st, true);
    return out;
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const k of Object.keys(v as object)) {
    if (k === '__proto__') continue;
    const x = normValue((v as Record<string, unknown>)[k], st, false);
    if (x === SKIP) continue;
    out[k] = x;
    count++;
  }
  if (count === 1 && typeof out.$date === 'number') {
    st.dates = true;
    return new Date(out.$date);
  }
  return out;
}

/** A document as stored: its decoded form (a fresh plain copy, as decodeDoc(text) would give) and its JSON text. */
export interface StoredDoc {
  doc: Record<string, unknown>;
  text: string;
}

/** Normalize a document for storage: the copy the database keeps (equal to decodeDoc(encodeDoc(doc))) and its text. */
export function normalizeDoc(doc: Record<string, unknown>): StoredDoc {
  const st = { dates: false };
  const n = normValue(doc, st, false) as Record<string, unknown>;
  // without Dates (the usual case) the decoded form is its own encoding; with them, the encoding of the
  // document as given (a { $date } written as such keeps its number exactly)
  return { doc: n, text: st.dates ? encodeDoc(doc) : JSON.stringify(n) };
}

/**
 * Whether storing `v` would change nothing (normalizeDoc would give an equal copy): plain objects and arrays of
 * this realm, strings, booleans, null, finite numbers other than -0, valid Dates of this realm; no undefined,
 * holes, functions, symbols or bigints, no `__proto__` key, no object that decodes as a Date.
 */
function isStoredForm(v: unknown, st: { dates: boolean }): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !(v === 0 && 1 / v < 0);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) if (!isStoredForm(v[i], st)) return false; // a hole reads undefined
    return true;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return false;
    st.dates = true;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let count = 0;
  let only = '';
  // for-in, not Object.keys: no array made (a plain object's prototype has no enumerable keys; were one added,
  // it would only send the document to normalizeDoc)
  for (const k in v as object) {
    if (k === '__proto__' || !isStoredForm((v as Record<string, unknown>)[k], st)) return false;
    count++;
    only = k;
  }
  return !(count === 1 && only === '$date' && typeof (v as Record<string, unknown>).$date === 'number');
}

/**
 * normalizeDoc for a document the caller owns outright (built by the database from copies, shared with nobody:
 * not even its nested objects): when it is already in stored form it is kept as it is, without a copy. `known`:
 * it is, as resolveStoredDoc found (then it is not checked again).
 */
export function normalizeOwnedDoc(doc: Record<string, unknown>, known?: { dates: boolean }): StoredDoc {
  // `known`: the document is in stored form already (resolveStoredDoc made it), with or without Dates
  const st = known ?? { dates: false };
  if (!known && !isStoredForm(doc, st)) return normalizeDoc(doc);
  return { doc, text: st.dates ? encodeDoc(doc) : JSON.stringify(doc) };
}

/** Whether two values in stored form (isStoredForm), the first without Dates, are equal: the same JSON text. */
function equalStored(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalStored(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof Date) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k !== kb[i] || !equalStored((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Whether storing `doc` gives exactly `stored`'s text (normalizeDoc(doc).text === stored.text), `stored` being
 * a normalizeDoc/normalizeOwnedDoc result: compared value by value when doc is already in stored form without
 * Dates (no text made), else by the text.
 */
export function storesAs(doc: Record<string, unknown>, stored: StoredDoc): boolean {
  const st = { dates: false };
  if (!isStoredForm(doc, st) || st.dates) return normalizeDoc(doc).text === stored.text;
  return equalStored(doc, stored.doc);
}

/**
 * Deep copy of a stored (normalized) document: plain objects, arrays, primitives and Dates of this realm only,
 * as normalizeDoc and decodeDoc make them. Faster than cloneDoc, which accepts any value.
 */
export function cloneStored<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = cloneStored(v[i]);
    return out as unknown as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as unknown as T;
  const out: Record<string, unknown> = {};
  // a stored object is a plain object: own enumerable keys only
  for (const k in v as Record<string, unknown>) out[k] = cloneStored((v as Record<string, unknown>)[k]);
  return out as T;
}
