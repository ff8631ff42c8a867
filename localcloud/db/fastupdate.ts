/**
 * A fast path for the common update operators ($set, $unset, $inc, $mul, $min, $max on plain dotted paths),
 * applied in place. Anything else — array operators, numeric path segments, overlapping paths, paths through
 * non-objects, comparisons across types — returns null untouched, and mingo applies the modifier instead.
 */
import type { Modifier } from './translate';
import { isDate, isRegExp, cloneValue } from './values';

const FAST = new Set(['$set', '$unset', '$inc', '$mul', '$min', '$max']);
const SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

type Obj = Record<string, unknown>;

/** A dotted path's parts when every one is a plain name, else null; cached (the same few paths recur). Shared: never change. */
const plainPaths = new Map<string, readonly string[] | null>();
function plainPath(p: string): readonly string[] | null {
  let v = plainPaths.get(p);
  if (v === undefined) {
    const parts = p.split('.');
    v = parts.every((s) => SEGMENT.test(s)) ? parts : null;
    if (plainPaths.size >= 10_000) plainPaths.clear();
    plainPaths.set(p, v);
  }
  return v;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !isDate(v) && !isRegExp(v);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isDate(a) && isDate(b)) return a.getTime() === b.getTime();
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (isDate(a) || isDate(b)) return false;
  return JSON.stringify(a) === JSON.stringify(b) && Array.isArray(a) === Array.isArray(b);
}

/**
 * Apply in place: true = changed, false = no change, null = not handled here (doc untouched).
 * `copyOnWrite`: doc's nested objects are shared (never change them): each object on the path to a changed
 * field is replaced in doc by a shallow copy before it is changed (doc itself is changed: the caller's own).
 */
export function fastApply(doc: Obj, mod: Modifier, copyOnWrite = false): boolean | null {
  const ops: Array<[string, string, unknown]> = [];
  for (const op of Object.keys(mod)) {
    if (!FAST.has(op)) return null;
    const m = (mod as Record<string, Obj>)[op];
    for (const p of Object.keys(m)) ops.push([op, p, m[p]]);
  }
  // paths must be plain and must not overlap (Mongo refuses conflicting paths; let mingo handle it)
  if (ops.length > 1) {
    const paths = ops.map((o) => o[1]).sort();
    for (let i = 1; i < paths.length; i++) {
      if (paths[i] === paths[i - 1] || paths[i].startsWith(paths[i - 1] + '.')) return null;
    }
  }
  // resolve parents without mutating; bail out when a path crosses a non-object
  const plan: Array<{ op: string; parent: Obj | null; parentPath: readonly string[]; depth: number; key: string; value: unknown; cur: unknown }> = [];
  for (const [op, p, value] of ops) {
    const parts = plainPath(p);
    if (!parts) return null;
    const depth = parts.length - 1;
    const key = parts[depth];
    let node: unknown = doc;
    let missingAt = -1;
    for (let i = 0; i < depth; i++) {
      const next = (node as Obj)[parts[i]];
      if (next === undefined) { missingAt = i; break; }
      if (!isObj(next)) return null;
      node = next;
    }
    const parent = missingAt === -1 ? (node as Obj) : null;
    const cur = parent ? parent[key] : undefined;
    if ((op === '$inc' || op === '$mul') && (typeof value !== 'number' || (cur !== undefined && typeof cur !== 'number'))) return null;
    if (op === '$min' || op === '$max') {
      if (cur !== undefined && (typeof cur !== typeof value || (typeof cur !== 'number' && typeof cur !== 'string'))) return null;
    }
    plan.push({ op, parent, parentPath: parts, depth, key, value, cur });
  }
  let changed = false;
  // with copyOnWrite: the objects copied so far (two paths may share a parent: copied once)
  let own: Set<Obj> | null = null;
  for (const s of plan) {
    let parent = s.parent;
    if (!parent && s.op === '$unset') continue; // nothing to remove
    if (!parent || (copyOnWrite && s.depth > 0)) {
      if (copyOnWrite) own ??= new Set<Obj>();
      parent = doc;
      for (let i = 0; i < s.depth; i++) {
        const part = s.parentPath[i];
        const next = parent[part] as Obj | undefined;
        if (next === undefined) {
          const fresh: Obj = {};
          parent[part] = fresh;
          own?.add(fresh);
          parent = fresh;
        } else if (own && !own.has(next)) {
          const copy: Obj = { ...next };
          own.add(copy);
          parent[part] = copy;
          parent = copy;
        } else parent = next;
      }
    }
    const cur = parent[s.key];
    switch (s.op) {
      case '$set': {
        if (cur !== undefined && sameValue(cur, s.value)) break;
        parent[s.key] = s.value !== null && typeof s.value === 'object' ? cloneValue(s.value) : s.value;
        changed = true;
        break;
      }
      case '$unset':
        if (s.key in parent) {
          delete parent[s.key];
          changed = true;
        }
        break;
      case '$inc': {
        const n = s.value as number;
        if (cur === undefined) { parent[s.key] = n; changed = true; }
        else if (n !== 0) { parent[s.key] = (cur as number) + n; changed = true; }
        break;
      }
      case '$mul': {
        const n = s.value as number;
        const next = cur === undefined ? 0 : (cur as number) * n;
        if (cur === undefined || next !== cur) { parent[s.key] = next; changed = true; }
        break;
      }
      case '$min':
      case '$max': {
        const v = s.value as number | string;
        if (cur === undefined || (s.op === '$min' ? v < (cur as typeof v) : v > (cur as typeof v))) {
          parent[s.key] = v;
          changed = true;
        }
        break;
      }
    }
  }
  return changed;
}
