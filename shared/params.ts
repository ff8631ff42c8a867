/**
 * The economy's parameters (SPEC §3). They live in a config document and change only by an admin,
 * so everything here is about refusing values that would break the rules, with a message an admin
 * understands. Decimals are strings so the stored JSON never holds a float.
 */
import { D, Dec, formatYuan, groupDigits } from './decimal';
import { DomainError } from './errors';

export interface Params {
  /** Share of the cash part the platform gives back (0.1 = 10%). */
  rebateRate: string;
  userSvMultiplier: string;
  merchantSvMultiplier: string;
  /** Value of points a merchant must hold to be active, in fen at the guide price. */
  merchantDepositValueFen: number;
  /** Points released each day. */
  releasePerDay: string;
  /** Points released over the whole schedule. */
  releaseTotal: string;
  /** Hour of the daily release, Asia/Shanghai. */
  releaseHour: number;
  initialGuidePriceFen: number;
  /** Seller's fee on the points sold in the C2C market (0.05 = 5%). */
  marketFeeRate: string;
  /** Points the platform treasury holds at launch, apart from releaseTotal. */
  treasuryReserve: string;
  /** Allowed distance from the guide price (0.1 = ±10%) for C2C prices and the daily price move. */
  priceBand: string;
  autoConfirmDays: number;
  unpaidOrderMinutes: number;
  tradePaymentMinutes: number;
  appealAfterHours: number;
  /** Lapsed (unpaid) trades within buyerBanHours that ban a buyer. */
  buyerLapseLimit: number;
  buyerBanHours: number;
}

export type ParamName = keyof Params;

export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze({
  rebateRate: '0.1',
  userSvMultiplier: '10',
  merchantSvMultiplier: '2',
  merchantDepositValueFen: 50000,
  releasePerDay: '888',
  releaseTotal: '972360',
  releaseHour: 22,
  initialGuidePriceFen: 200,
  marketFeeRate: '0.05',
  treasuryReserve: '50000',
  priceBand: '0.1',
  autoConfirmDays: 7,
  unpaidOrderMinutes: 30,
  tradePaymentMinutes: 30,
  appealAfterHours: 24,
  buyerLapseLimit: 3,
  buyerBanHours: 24,
});

export const PARAM_LABELS: Readonly<Record<ParamName, string>> = Object.freeze({
  rebateRate: '平台让利比例',
  userSvMultiplier: '用户共享值倍数',
  merchantSvMultiplier: '商家共享值倍数',
  merchantDepositValueFen: '商家保证金价值（分）',
  releasePerDay: '每日释放积分',
  releaseTotal: '积分总发行量',
  releaseHour: '每日释放时间（时，北京时间）',
  initialGuidePriceFen: '初始指导价（分/积分）',
  marketFeeRate: 'C2C交易手续费率',
  treasuryReserve: '平台初始储备积分',
  priceBand: '价格浮动范围',
  autoConfirmDays: '自动确认收货天数',
  unpaidOrderMinutes: '订单未支付取消（分钟）',
  tradePaymentMinutes: 'C2C买家付款时限（分钟）',
  appealAfterHours: '可申诉等待时间（小时）',
  buyerLapseLimit: '买家超时未付次数上限',
  buyerBanHours: '买家限制购买时长（小时）',
});

/** The names an admin reads on the parameters page and in the audit (values shown with formatParamValue). */
export const PARAM_DISPLAY_LABELS: Readonly<Record<ParamName, string>> = Object.freeze({
  ...PARAM_LABELS,
  merchantDepositValueFen: '商家保证金价值',
  releaseHour: '每日释放时间（北京时间）',
  initialGuidePriceFen: '初始指导价（每积分）',
  unpaidOrderMinutes: '订单未支付自动取消',
  tradePaymentMinutes: 'C2C买家付款时限',
  appealAfterHours: '付款后可申诉的等待时间',
  buyerBanHours: '买家限制购买时长',
});

/**
 * How each parameter is shown to an admin and typed back: rates as percentages, *Fen as yuan, the rest
 * with their unit. The stored value never changes form; only the words around it do.
 */
export type ParamUnit = 'percent' | 'yuan' | 'points' | 'times' | 'hourOfDay' | 'days' | 'minutes' | 'hours' | 'count';

export const PARAM_UNITS: Readonly<Record<ParamName, ParamUnit>> = Object.freeze({
  rebateRate: 'percent',
  userSvMultiplier: 'times',
  merchantSvMultiplier: 'times',
  merchantDepositValueFen: 'yuan',
  releasePerDay: 'points',
  releaseTotal: 'points',
  releaseHour: 'hourOfDay',
  initialGuidePriceFen: 'yuan',
  marketFeeRate: 'percent',
  treasuryReserve: 'points',
  priceBand: 'percent',
  autoConfirmDays: 'days',
  unpaidOrderMinutes: 'minutes',
  tradePaymentMinutes: 'minutes',
  appealAfterHours: 'hours',
  buyerLapseLimit: 'count',
  buyerBanHours: 'hours',
});

/** A parameter's value in words: "5%", "¥500.00", "972,360 积分", "22:00", "7 天". */
export function formatParamValue(name: ParamName, value: unknown): string {
  const v = String(value);
  if (!DECIMAL_RE.test(v)) return v;
  switch (PARAM_UNITS[name]) {
    case 'percent':
      return `${new D(v).times(100).toString()}%`;
    case 'yuan':
      return INTEGER_RE.test(v) ? formatYuan(Number(v)) : v;
    case 'points':
      return `${groupDigits(v)} 积分`;
    case 'times':
      return `${v} 倍`;
    case 'hourOfDay':
      return `${v.padStart(2, '0')}:00`;
    case 'days':
      return `${v} 天`;
    case 'minutes':
      return `${v} 分钟`;
    case 'hours':
      return `${v} 小时`;
    case 'count':
      return `${v} 次`;
  }
}

/** Display order for the admin UI. */
export const PARAM_NAMES: readonly ParamName[] = Object.freeze(Object.keys(DEFAULT_PARAMS) as ParamName[]);

type Rule =
  | { kind: 'decimal'; min: string; max?: string; minExclusive?: boolean; maxExclusive?: boolean; maxDecimals: number; percent?: boolean }
  | { kind: 'integer'; min: number; max: number };

// Bounds are what keeps each rule meaningful: a rate above 100% would charge more than the cash,
// a price band of 100% would allow a price of zero, a zero guide price would divide by zero.
const RULES: Record<ParamName, Rule> = {
  rebateRate: { kind: 'decimal', min: '0', max: '1', minExclusive: true, maxDecimals: 4, percent: true },
  userSvMultiplier: { kind: 'decimal', min: '0', max: '1000', maxDecimals: 2 },
  merchantSvMultiplier: { kind: 'decimal', min: '0', max: '1000', maxDecimals: 2 },
  merchantDepositValueFen: { kind: 'integer', min: 0, max: 1e12 },
  releasePerDay: { kind: 'decimal', min: '0', maxDecimals: 2 },
  releaseTotal: { kind: 'decimal', min: '0', maxDecimals: 2 },
  releaseHour: { kind: 'integer', min: 0, max: 23 },
  initialGuidePriceFen: { kind: 'integer', min: 1, max: 1e12 },
  marketFeeRate: { kind: 'decimal', min: '0', max: '1', maxExclusive: true, maxDecimals: 4, percent: true },
  treasuryReserve: { kind: 'decimal', min: '0', maxDecimals: 2 },
  priceBand: { kind: 'decimal', min: '0', max: '1', maxExclusive: true, maxDecimals: 4, percent: true },
  autoConfirmDays: { kind: 'integer', min: 1, max: 365 },
  unpaidOrderMinutes: { kind: 'integer', min: 1, max: 10080 },
  tradePaymentMinutes: { kind: 'integer', min: 1, max: 1440 },
  appealAfterHours: { kind: 'integer', min: 0, max: 720 },
  buyerLapseLimit: { kind: 'integer', min: 1, max: 100 },
  buyerBanHours: { kind: 'integer', min: 0, max: 8760 },
};

const DECIMAL_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const INTEGER_RE = /^-?(0|[1-9]\d*)$/;

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === undefined) return '空';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function label(name: ParamName): string {
  return `${PARAM_LABELS[name]}（${name}）`;
}

function pct(x: string): string {
  return `${new D(x).times(100).toString()}%`;
}

/** Returns the normalised value, or the reason (a Chinese sentence) it is refused. */
function checkField(name: ParamName, value: unknown): { ok: true; value: string | number } | { ok: false; why: string } {
  const rule = RULES[name];
  const head = `${label(name)}`;
  if (rule.kind === 'integer') {
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && INTEGER_RE.test(value.trim())) n = Number(value.trim());
    else return { ok: false, why: `${head}必须是整数，收到 ${show(value)}` };
    if (!Number.isSafeInteger(n)) return { ok: false, why: `${head}必须是整数，收到 ${show(value)}` };
    if (n < rule.min || n > rule.max) return { ok: false, why: `${head}必须在 ${rule.min} 到 ${rule.max} 之间，收到 ${n}` };
    return { ok: true, value: n };
  }
  let d: Dec;
  if (typeof value === 'number' && Number.isFinite(value)) d = new D(value);
  else if (typeof value === 'string' && DECIMAL_RE.test(value.trim())) d = new D(value.trim());
  else return { ok: false, why: `${head}必须是数字，收到 ${show(value)}` };
  if (d.decimalPlaces() > rule.maxDecimals) return { ok: false, why: `${head}最多 ${rule.maxDecimals} 位小数，收到 ${d.toString()}` };
  const min = new D(rule.min);
  const low = rule.minExclusive ? d.lte(min) : d.lt(min);
  const high = rule.max !== undefined && (rule.maxExclusive ? d.gte(new D(rule.max)) : d.gt(new D(rule.max)));
  if (low || high) {
    if (rule.percent) {
      const range = `${rule.minExclusive ? '大于' : '不小于'} ${pct(rule.min)} 且${rule.maxExclusive ? '小于' : '不大于'} ${pct(rule.max!)}`;
      return { ok: false, why: `${head}必须${range}，收到 ${d.toString()}（${pct(d.toString())}）` };
    }
    if (rule.max === undefined) return { ok: false, why: `${head}${rule.minExclusive ? '必须大于' : '不能小于'} ${rule.min}，收到 ${d.toString()}` };
    return { ok: false, why: `${head}必须在 ${rule.min} 到 ${rule.max} 之间，收到 ${d.toString()}` };
  }
  return { ok: true, value: (d.isZero() ? new D(0) : d).toString() };
}

function fail(reasons: string[]): never {
  throw new DomainError('INVALID_PARAMS', `参数不正确：${reasons.join('；')}`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * A complete parameter set from untrusted input (the stored config document, an import). Every
 * field is required; fields that are not parameters (`_id`, `version`…) are ignored and not returned.
 * Numbers are accepted for decimal fields and numeric strings for integer fields, and normalised.
 * Throws DomainError('INVALID_PARAMS') listing every refused field.
 */
export function validateParams(input: unknown): Params {
  if (!isPlainObject(input)) fail(['参数必须是一个对象']);
  const out: Record<string, string | number> = {};
  const reasons: string[] = [];
  for (const name of PARAM_NAMES) {
    if (!(name in input) || input[name] === undefined || input[name] === null) {
      reasons.push(`缺少${label(name)}`);
      continue;
    }
    const r = checkField(name, input[name]);
    if (r.ok) out[name] = r.value;
    else reasons.push(r.why);
  }
  if (reasons.length) fail(reasons);
  return out as unknown as Params;
}

export function isParamName(name: unknown): name is ParamName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(RULES, name);
}

/**
 * An admin's change of one or more fields: unknown names are refused (a typo must not pass
 * silently), the result is the complete new parameter set.
 */
export function validateParamPatch(current: Params, patch: unknown): Params {
  if (!isPlainObject(patch)) fail(['修改内容必须是一个对象']);
  const names = Object.keys(patch);
  if (names.length === 0) fail(['没有要修改的参数']);
  const unknown = names.filter((n) => !isParamName(n));
  if (unknown.length) fail(unknown.map((n) => `未知参数 ${n}`));
  return validateParams({ ...current, ...patch });
}

/** One admin change of one field, as the admin API sends it. */
export function validateParamChange(current: Params, name: unknown, value: unknown): Params {
  if (!isParamName(name)) fail([`未知参数 ${String(name)}`]);
  return validateParamPatch(current, { [name]: value });
}

/** The fields that differ, for the audit record. */
export function diffParams(before: Params, after: Params): { name: ParamName; from: string | number; to: string | number }[] {
  return PARAM_NAMES.filter((n) => String(before[n]) !== String(after[n])).map((n) => ({ name: n, from: before[n], to: after[n] }));
}
