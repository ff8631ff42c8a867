/**
 * Realm-independent value helpers. Under jest, test code runs in a vm context whose Date/Object differ from
 * Node's own (e.g. structuredClone's), so `instanceof Date` is not enough and structuredClone must be avoided.
 */
const toStr = Object.prototype.toString;

export function isDate(v: unknown): v is Date {
  return v instanceof Date || (v !== null && typeof v === 'object' && toStr.call(v) === '[object Date]');
}

export function isRegExp(v: unknown): v is RegExp {
  return v instanceof RegExp || (v !== null && typeof v === 'object' && toStr.call(v) === '[object RegExp]');
}

/** Deep copy of JSON-like data that keeps Dates (as Dates of this realm). */
export function cloneValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (isDate(v)) return new Date(v.getTime()) as unknown as T;
  if (Array.isArray(v)) return v.map(cloneValue) as unknown as T;
  if (isRegExp(v) || Buffer.isBuffer(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) out[k] = cloneValue((v as Record<string, unknown>)[k]);
  return out as T;
}
