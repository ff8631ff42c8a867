/**
 * Money and points arithmetic. Every amount in the project goes through `D` so that no float ever
 * decides a balance (SPEC §2). Rounding direction is a rule, not a detail: what is credited to a
 * holder rounds down (`floor2`), what is charged rounds up (`ceil2`), so rounding never creates value.
 */
import Decimal from 'decimal.js';
import { DomainError } from './errors';

/**
 * 60 significant digits: the release maths multiplies per-day factors for years (DESIGN "The daily
 * release in O(1) writes"); half-even keeps the residual error unbiased. The exponent thresholds keep
 * `toString()` in plain notation for every amount we can meet, so stored strings stay readable.
 */
export const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
export type Dec = Decimal;
/** Anything `D` accepts. Numbers are only for integers (fen, counts) and literal constants. */
export type DecInput = Decimal.Value;

export const ZERO: Dec = new D(0);
export const CENT: Dec = new D('0.01');

/** Into `D`. A Decimal made by another clone (another precision) is re-made, not trusted. */
export function dec(x: DecInput): Dec {
  return D.isDecimal(x) && (x as Dec).constructor === D ? (x as Dec) : new D(x);
}

/** Rounds towards −∞ at 0.01: the rule for anything credited to a holder. */
export function floor2(x: DecInput): Dec {
  return dec(x).toDecimalPlaces(2, Decimal.ROUND_FLOOR);
}

/** Rounds towards +∞ at 0.01: the rule for anything charged to a holder. */
export function ceil2(x: DecInput): Dec {
  return dec(x).toDecimalPlaces(2, Decimal.ROUND_CEIL);
}

export function isTwoDecimals(x: DecInput): boolean {
  const d = dec(x);
  return d.isFinite() && d.decimalPlaces() <= 2;
}

/** `"8.88"`: always two decimals, never `"-0.00"`. Use only on values already rounded to 0.01. */
export function toAmountString(x: DecInput): string {
  const d = dec(x);
  return (d.isZero() ? ZERO : d).toFixed(2);
}

export function sumDec(xs: Iterable<DecInput>): Dec {
  let s = ZERO;
  for (const x of xs) s = s.plus(dec(x));
  return s;
}

export function minDec(a: DecInput, b: DecInput): Dec {
  return Decimal.min(dec(a), dec(b)) as Dec;
}

export function maxDec(a: DecInput, b: DecInput): Dec {
  return Decimal.max(dec(a), dec(b)) as Dec;
}

export interface ParseAmountOptions {
  /** Shown in the error message, e.g. '数量'. */
  field?: string;
  allowNegative?: boolean;
  /** Default true. */
  allowZero?: boolean;
  /** Default 2 (points and yuan). 0 for whole numbers. */
  maxDecimals?: number;
  /** Inclusive upper bound. */
  max?: DecInput;
  /** Error code; default 'INVALID_AMOUNT'. */
  code?: string;
}

// Plain decimal notation only: '1e3', '0x10', ' 5', '+5' and '.5' are not amounts a person types.
const AMOUNT_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/**
 * Reads an amount from untrusted input (a request field, a stored value). Throws DomainError for
 * anything that is not a finite decimal with at most `maxDecimals` decimals inside the allowed range.
 */
export function parseAmount(input: unknown, opts: ParseAmountOptions = {}): Dec {
  const field = opts.field ?? '金额';
  const code = opts.code ?? 'INVALID_AMOUNT';
  const maxDecimals = opts.maxDecimals ?? 2;
  const fail = (why: string): never => {
    throw new DomainError(code, `${field}${why}`);
  };
  let d: Dec;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) fail('不是有效的数字');
    // A JS number prints as its shortest round-trip form (0.1 → "0.1"), which is what the sender meant.
    d = new D(Object.is(input, -0) ? 0 : input);
  } else if (typeof input === 'string') {
    const s = input.trim();
    if (!AMOUNT_RE.test(s)) fail('格式不正确，应为数字，例如 8.88');
    d = new D(s);
    if (d.isZero()) d = ZERO;
  } else {
    return fail('缺失或类型不正确');
  }
  if (d.decimalPlaces() > maxDecimals) fail(maxDecimals === 0 ? '必须是整数' : `最多只能有 ${maxDecimals} 位小数`);
  if (d.isNegative() && !opts.allowNegative) fail('不能为负数');
  if (d.isZero() && opts.allowZero === false) fail('必须大于 0');
  if (opts.max !== undefined && d.gt(dec(opts.max))) fail(`不能超过 ${groupDigits(dec(opts.max).toString())}`);
  return d;
}

/** A count of fen: a safe, non-negative integer. */
export function isFen(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Reads a fen amount from untrusted input; `allowZero` defaults to true. */
export function parseFen(input: unknown, opts: { field?: string; allowZero?: boolean; code?: string } = {}): number {
  const field = opts.field ?? '金额';
  if (!isFen(input)) throw new DomainError(opts.code ?? 'INVALID_AMOUNT', `${field}必须是以分为单位的非负整数`);
  if (input === 0 && opts.allowZero === false) throw new DomainError(opts.code ?? 'INVALID_AMOUNT', `${field}必须大于 0`);
  return input;
}

function assertSafeInteger(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new DomainError('INVALID_AMOUNT', `金额（分）必须是整数，收到 ${String(fen)}`);
}

/** Display of points or shared value: two decimals, floored (a holder is never shown more than they have). */
export function formatPoints(x: DecInput): string {
  return toAmountString(floor2(x));
}

/** 1776 → "17.76". Exact: fen are integers, the division by 100 is done in decimal. */
export function fenToYuanString(fen: number): string {
  assertSafeInteger(fen);
  return toAmountString(new D(fen).div(100));
}

/** "1234567.5" → "1,234,567.5": thousands separators in the integer part, for messages people read. */
export function groupDigits(text: string): string {
  const [i, f] = text.split('.');
  const g = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return f === undefined ? g : `${g}.${f}`;
}

/** Points for a message: floored to 0.01, grouped ("104,998.95"). */
export function formatPointsText(x: DecInput): string {
  return groupDigits(formatPoints(x));
}

/** 1776 → "¥17.76", -50 → "-¥0.50", 100000000 → "¥1,000,000.00" (grouped: it is read by people). */
export function formatYuan(fen: number): string {
  assertSafeInteger(fen);
  return fen < 0 ? `-¥${groupDigits(fenToYuanString(-fen))}` : `¥${groupDigits(fenToYuanString(fen))}`;
}

export function fenToYuan(fen: number): Dec {
  assertSafeInteger(fen);
  return new D(fen).div(100);
}

/** A decimal that must be a whole number of fen (or other count) back to a JS number. */
export function toSafeInteger(x: DecInput): number {
  const d = dec(x);
  if (!d.isInteger()) throw new Error(`not an integer: ${d.toString()}`);
  const n = d.toNumber();
  if (!Number.isSafeInteger(n)) throw new Error(`integer out of safe range: ${d.toString()}`);
  return n;
}
