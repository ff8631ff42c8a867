/**
 * Small validators for untrusted request payloads. Each throws a DomainError with a stable code and a
 * Chinese sentence; nothing is changed before validation passes.
 */
import { Dec, formatYuan, groupDigits, parseAmount, parseFen } from '../shared/decimal';
import { DomainError } from '../shared/errors';

export type Payload = Record<string, unknown>;

const bad = (message: string, code = 'INVALID_INPUT'): never => {
  throw new DomainError(code, message);
};

export interface StrOpts {
  min?: number;
  max?: number;
  pattern?: RegExp;
  label?: string;
  trim?: boolean;
  code?: string;
}

export function str(p: Payload, name: string, opts: StrOpts = {}): string {
  const v = p[name];
  const label = opts.label ?? name;
  if (typeof v !== 'string') return bad(`${label}缺失或类型不正确（应为文字）`, opts.code);
  const s = opts.trim === false ? v : v.trim();
  const min = opts.min ?? 1;
  const max = opts.max ?? 200;
  if (s.length < min) return bad(min <= 1 ? `${label}不能为空` : `${label}至少 ${min} 个字`, opts.code);
  if (s.length > max) return bad(`${label}不能超过 ${max} 个字`, opts.code);
  if (opts.pattern && !opts.pattern.test(s)) return bad(`${label}格式不正确`, opts.code);
  return s;
}

export function optStr(p: Payload, name: string, opts: StrOpts = {}): string | undefined {
  if (p[name] === undefined || p[name] === null) return undefined;
  return str(p, name, { min: 0, ...opts });
}

export interface IntOpts {
  min?: number;
  max?: number;
  label?: string;
  /** The integer is fen: bounds are said in yuan ("价格不能大于 ¥1,000,000.00"), as the person typed yuan. */
  fen?: boolean;
}

export function int(p: Payload, name: string, opts: IntOpts = {}): number {
  const v = p[name];
  const label = opts.label ?? name;
  const say = (n: number) => (opts.fen ? formatYuan(n) : groupDigits(String(n)));
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return bad(opts.fen ? `${label}必须以分为单位，不能有小数` : `${label}必须是整数`);
  if (opts.min !== undefined && v < opts.min) return bad(opts.fen && opts.min === 1 ? `${label}必须大于 0` : `${label}不能小于 ${say(opts.min)}`);
  if (opts.max !== undefined && v > opts.max) return bad(`${label}不能大于 ${say(opts.max)}`);
  return v;
}

export function optInt(p: Payload, name: string, opts: IntOpts = {}): number | undefined {
  if (p[name] === undefined || p[name] === null) return undefined;
  return int(p, name, opts);
}

export function bool(p: Payload, name: string, label = name): boolean {
  const v = p[name];
  if (typeof v !== 'boolean') return bad(`${label}必须是 true 或 false`);
  return v;
}

export function optBool(p: Payload, name: string, label = name): boolean | undefined {
  if (p[name] === undefined || p[name] === null) return undefined;
  return bool(p, name, label);
}

/** Cash in fen: a positive safe integer. */
export function fen(p: Payload, name: string, label = '金额', opts: { allowZero?: boolean; max?: number } = {}): number {
  const v = p[name];
  if (typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)) bad(`${label}必须以分为单位，不能有小数`, 'INVALID_AMOUNT');
  const n = parseFen(v, { field: label, allowZero: opts.allowZero ?? false });
  if (opts.max !== undefined && n > opts.max) bad(`${label}不能超过 ${formatYuan(opts.max)}`, 'INVALID_AMOUNT');
  return n;
}

/** Points: a decimal string (or number) with at most 2 decimals. */
export function points(p: Payload, name: string, opts: { allowZero?: boolean; label?: string; max?: string } = {}): Dec {
  return parseAmount(p[name], { field: opts.label ?? '积分', allowZero: opts.allowZero ?? false, maxDecimals: 2, code: 'INVALID_POINTS', max: opts.max });
}

export function optPoints(p: Payload, name: string, opts: { label?: string; max?: string } = {}): Dec | undefined {
  if (p[name] === undefined || p[name] === null || p[name] === '') return undefined;
  return points(p, name, { ...opts, allowZero: true });
}

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The client's idempotency key for a mutating action. */
export function requestId(p: Payload): string {
  const v = p.requestId;
  if (typeof v !== 'string' || !REQUEST_ID.test(v)) return bad('requestId 缺失或格式不正确（8–64 位字母、数字、_ 或 -）', 'INVALID_REQUEST_ID');
  return v;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A document id sent by the client (order, merchant, product). */
export function id(p: Payload, name: string, label = name): string {
  const v = p[name];
  if (typeof v !== 'string' || !ID.test(v)) return bad(`${label}缺失或格式不正确`);
  return v;
}

export function optId(p: Payload, name: string, label = name): string | undefined {
  if (p[name] === undefined || p[name] === null || p[name] === '') return undefined;
  return id(p, name, label);
}

/** Cursor shapes of the lists (a cursor is only ever one a list gave: anything else is BAD_CURSOR). */
export const CURSOR_SHAPES = {
  /** merchant.list, admin.pendingMerchants: the last store's id. */
  merchantId: /^m\d{4,12}$/,
  /** merchant.search, merchant.feed: the last product's id (`p<stamp><random>`). */
  productId: /^p\d{14,30}$/,
  /** user.invitees: `<createdAt>|<userNo>`. */
  inviteeAt: /^\d{1,15}\|\d{4,12}$/,
  /** order.list, merchant.orders: `<createdAt>|<order id>`. */
  orderAt: /^\d{1,15}\|O[0-9A-Za-z]{1,40}$/,
  /** admin.audit: `<at>|<audit id>`. */
  auditAt: /^\d{1,15}\|A[0-9A-Za-z]{1,40}$/,
  /** user.messages: `<at>|<event key>` (e.g. `order:O…:shipped`, `release:2026-03-02`). */
  messageAt: /^\d{1,15}\|[A-Za-z0-9:_-]{1,120}$/,
} as const;

/**
 * The paging cursor: absent (first page), or a string of the list's own shape; anything else is BAD_CURSOR,
 * so a forged cursor never reaches a query. `shape` is the list's (CURSOR_SHAPES); without one only the
 * type and length are checked (the list then parses it itself, e.g. user.ledger).
 */
export function cursor(p: Payload, shape?: RegExp): string | null {
  const v = p.cursor;
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > 200 || (shape && !shape.test(v))) return bad('翻页参数无效', 'BAD_CURSOR');
  return v;
}

export function limit(p: Payload, def = 20, max = 50): number {
  const v = p.limit;
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) return bad(`limit 必须是 1 到 ${max} 的整数`);
  return v;
}

export function oneOf<T extends string>(p: Payload, name: string, values: readonly T[], label = name): T {
  const v = p[name];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) return bad(`${label}必须是 ${values.join(' / ')} 之一`);
  return v as T;
}

export function optOneOf<T extends string>(p: Payload, name: string, values: readonly T[], label = name): T | undefined {
  if (p[name] === undefined || p[name] === null || p[name] === '') return undefined;
  return oneOf(p, name, values, label);
}

/** Refuses fields the action does not know (a typo or a forged field must not pass silently). */
export function only(p: Payload, allowed: string[]): void {
  const extra = Object.keys(p).filter((k) => !allowed.includes(k));
  if (extra.length) bad(`不支持的字段：${extra.join('、')}`);
}

/** An image reference: a cloud file id or an http(s) url. */
export function imageRef(p: Payload, name: string, label = '图片', required = true): string {
  if (!required && (p[name] === undefined || p[name] === null || p[name] === '')) return '';
  const s = str(p, name, { label, max: 500 });
  if (!/^(cloud:\/\/|https?:\/\/|\/)/.test(s)) bad(`${label}必须是云文件 ID 或 http(s) 地址`);
  return s;
}

/** The deepest nesting an event may have (the deepest real request, order.create's items, is 3). */
export const MAX_EVENT_DEPTH = 8;
/** At most this many values (objects, arrays, scalars) in an event. */
export const MAX_EVENT_NODES = 5_000;
/** At most this many characters of strings and keys in an event. */
export const MAX_EVENT_CHARS = 256 * 1024;

/**
 * Refuses an event nested deeper, or larger, than any real request, before any work is done with it (the
 * request fingerprint, validators and the database all walk it). The walk itself is iterative and stops at the
 * first limit crossed, so a hostile event costs at most MAX_EVENT_NODES steps. BAD_REQUEST.
 */
export function checkEventShape(event: unknown): void {
  const stack: Array<[unknown, number]> = [[event, 0]];
  let nodes = 0;
  let chars = 0;
  const tooBig = (): never => bad('请求内容过大或嵌套过深', 'BAD_REQUEST');
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (++nodes > MAX_EVENT_NODES) tooBig();
    if (typeof v === 'string') {
      chars += v.length;
      if (chars > MAX_EVENT_CHARS) tooBig();
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_EVENT_DEPTH) tooBig();
    if (Array.isArray(v)) {
      if (v.length > MAX_EVENT_NODES) tooBig();
      for (const x of v) stack.push([x, depth + 1]);
    } else {
      const keys = Object.keys(v);
      if (keys.length > MAX_EVENT_NODES) tooBig();
      for (const k of keys) {
        chars += k.length;
        if (chars > MAX_EVENT_CHARS) tooBig();
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    }
  }
}
