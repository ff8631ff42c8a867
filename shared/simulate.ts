/**
 * The economy simulator (issue 17): what the parameters do, day by day, over up to three years, before
 * anyone spends. It drives the SAME functions as the product and holds no rule of its own:
 *   the order split and rebate      shared/settlement.ts  splitPayment, orderRebate, maxPointsForAmount
 *   the deposit and top-ups         shared/settlement.ts  depositPointsNeeded, depositPriceFen
 *   the market fee                  shared/settlement.ts  marketFee
 *   the daily release and its cap   shared/release.ts     scheduledRelease, applyRelease, addSv, settleHolder
 *   the next guide price            shared/guidePrice.ts  nextGuidePrice, priceBandFen
 * What is not a rule is an assumption, stated as such in `SimAssumptions`: how much is spent, how much of it
 * with points, at which stores, how much of the released points holders sell and at what price.
 *
 * The model of one business day d (SPEC §4–§9), in the order the product sees it:
 *   1. stores below zero top up to the deposit value (day 1: every store buys its deposit) from the treasury,
 *      or, when the treasury is short, from the holders on the market at the guide price;
 *   2. the day's orders, one per store (its share of the day's spending), paid and settled in store at P_d:
 *      a store still below zero refuses its order (SPEC §4.2); the reference purchase is one more order;
 *   3. holders sell `sellShare` of the points the previous release gave them; the trades complete at the
 *      assumed price (held in the band, as the market holds orders) and the seller pays the fee;
 *   4. 22:00: the release of R at P_d over T; buyers are settled (credited, floored to 0.01) so they can
 *      spend and sell their points; stores are settled lazily, as in the product (SimOptions);
 *   5. the next guide price from the day's trades.
 * Buyers other than the reference buyer are one holder: the release is proportional, so splitting them
 * changes only who rounds the 0.01s. Each store's day of sales is one order, so rounding (SV floored,
 * deduction ceiled to 0.01) is per store-day, not per real order.
 */
import { D, Dec, DecInput, dec, floor2, formatPoints, minDec, toAmountString, ZERO } from './decimal';
import { DomainError } from './errors';
import { nextGuidePrice, priceBandFen, CompletedTrade } from './guidePrice';
import { Params, validateParamPatch, validateParams, DEFAULT_PARAMS } from './params';
import {
  addSv,
  applyRelease,
  HolderSnapshot,
  holderPosition,
  initialReleaseState,
  newHolderSnapshot,
  ReleaseState,
  scheduledRelease,
  segmentKey,
  settleHolder,
  Settlement,
  SumLookup,
  totalSv,
} from './release';
import { depositPointsNeeded, depositPriceFen, marketFee, maxPointsForAmount, orderRebate, splitPayment } from './settlement';
import { addDays, isDay } from './time';

/** The longest run the simulator accepts (the admin action allows SIM_ADMIN_MAX_DAYS). */
export const SIM_MAX_DAYS = 3650;
export const SIM_ADMIN_MAX_DAYS = 1095;
export const SIM_MAX_STORES = 50;
/** ¥10 billion a day: far beyond any plan, small enough that fen stay safe integers. */
const MAX_DAY_YUAN = new D('1e10');

/** Daily order value (cash + points), in yuan: an assumption. */
export type SpendingPlan =
  | { kind: 'constant'; yuanPerDay: string }
  /** Day 1 spends yuanPerDay; each next day (1 + growthPerDay) times the day before (0.01 = 1 %). */
  | { kind: 'growth'; yuanPerDay: string; growthPerDay: string }
  /** Day i spends yuan[i − 1]; after the list, its last value. */
  | { kind: 'list'; yuan: string[] };

/** The price of the day's market trades, in fen per point: an assumption. The band holds either. */
export type PricePath =
  /** Sellers ask the guide price moved by perDay (0.01 = +1 %, negative = falling). */
  | { kind: 'drift'; perDay: string }
  /** Day i's trades at fen[i − 1]; after the list, its last value. */
  | { kind: 'path'; fen: number[] };

export interface SimAssumptions {
  /** The schedule's first day (its 22:00 is the first release), YYYY-MM-DD. */
  startDay: string;
  /** Days to run; the run stops earlier when the supply is out. */
  days: number;
  spending: SpendingPlan;
  /** Share of the order value buyers pay with points (0–1), as far as the points they hold allow. */
  pointsShare: string;
  /** One weight per store: its share of the day's spending. The length is the number of stores. */
  storeMix: string[];
  /** Share of the points the last release gave buyers that they sell on the market the next day (0–1). */
  sellShare: string;
  price: PricePath;
  /** The reference purchase: cash, in store at the first store, on `day` (yuan '0': none). */
  reference: { yuan: string; day: number };
}

export interface SimInput {
  params: Params;
  assumptions: SimAssumptions;
}

export const DEFAULT_ASSUMPTIONS: Readonly<SimAssumptions> = Object.freeze({
  startDay: '2026-03-02',
  days: 1095,
  spending: { kind: 'constant', yuanPerDay: '500' },
  pointsShare: '0',
  storeMix: ['1'],
  sellShare: '0',
  price: { kind: 'drift', perDay: '0' },
  reference: { yuan: '1000', day: 1 },
}) as SimAssumptions;

export interface SimReferenceDay {
  /** The reference buyer's SV after the day's release. */
  sv: string;
  /** Points its purchase has received so far (floored to 0.01 for display). */
  pointsReceived: string;
  /** Those points at the day's guide price, yuan. */
  valueYuan: string;
}

export interface SimDay {
  /** 1-based. */
  day: number;
  date: string;
  /** The day's guide price (orders, deduction and release), fen per point. */
  guidePriceFen: number;
  /** Order value accepted (cash + points), fen. */
  orderFen: number;
  cashFen: number;
  pointsPaid: string;
  /** Order value refused because the store was below zero, fen. */
  refusedFen: number;
  /** Merchants' deductions taken today (to the treasury). */
  deductions: string;
  /** Points stores bought to top up: from the treasury, and from holders on the market. */
  topUpTreasury: string;
  topUpMarket: string;
  /** Points sold on the market today (top-ups apart), their price (null: none), and all the day's fees. */
  sold: string;
  tradePriceFen: number | null;
  fee: string;
  /** The release: total SV it read, the scheduled R, what was released, whether it was less than R. */
  svTotal: string;
  scheduled: string;
  released: string;
  capped: boolean;
  /** Total SV after the release. */
  svAfter: string;
  releasedTotal: string;
  unreleased: string;
  /**
   * Points credited to buyers (the reference buyer included) and to stores (may be negative). Released points
   * not yet credited are in `pool` (see SimOptions.settleStoresDaily).
   */
  buyersPoints: string;
  merchantsPoints: string;
  circulation: string;
  treasury: string;
  /** Released but not yet credited: rounding carries, and holders not settled since (the release pool). */
  pool: string;
  merchantBalances: string[];
  nextGuidePriceFen: number;
  reference: SimReferenceDay;
}

export interface SimSummary {
  days: number;
  lastDate: string;
  released: string;
  unreleased: string;
  svTotal: string;
  /** The guide price after the last day, yuan per point. */
  guidePrice: string;
  cappedDays: number;
  circulation: string;
  treasury: string;
  /** Fen the treasury received for the points it sold stores. */
  treasuryIncomeFen: number;
  orderFen: number;
  refusedFen: number;
  reference: {
    purchaseYuan: string;
    pointsReceived: string;
    valueReceivedYuan: string;
    /** purchase × rebateRate: what the platform gives back, for comparison. */
    rebateYuan: string;
    /** First day (1-based) the value reached half / 90 % of the rebate; null = never in the run. */
    halfDay: number | null;
    ninetyDay: number | null;
  };
}

export interface SimResult {
  input: SimInput;
  days: SimDay[];
  summary: SimSummary;
}

// ------------------------------------------------------------------ validation

function bad(why: string): never {
  throw new DomainError('INVALID_SIMULATION', `模拟参数不正确：${why}`);
}

const DEC_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;

function decField(v: unknown, field: string, min: DecInput, max: DecInput, maxDecimals = 6): string {
  const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof s !== 'string' || !DEC_RE.test(s.trim())) bad(`${field}必须是数字，收到 ${JSON.stringify(v)}`);
  const d = new D(s.trim());
  if (d.decimalPlaces() > maxDecimals) bad(`${field}最多 ${maxDecimals} 位小数`);
  if (d.lt(dec(min)) || d.gt(dec(max))) bad(`${field}必须在 ${dec(min).toString()} 到 ${dec(max).toString()} 之间，收到 ${d.toString()}`);
  return (d.isZero() ? ZERO : d).toString();
}

function intField(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(`${field}必须是 ${min} 到 ${max} 之间的整数，收到 ${JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${field}必须是对象`);
  return v as Record<string, unknown>;
}

function list(v: unknown, field: string, maxLen: number): unknown[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > maxLen) bad(`${field}必须是 1 到 ${maxLen} 项的列表`);
  return v;
}

/**
 * Assumptions from untrusted input (a CLI file, an admin request); absent fields take DEFAULT_ASSUMPTIONS.
 * Throws DomainError('INVALID_SIMULATION') with the first refused field.
 */
export function validateAssumptions(input: unknown, maxDays = SIM_MAX_DAYS): SimAssumptions {
  const a = { ...DEFAULT_ASSUMPTIONS, ...obj(input ?? {}, '假设') } as Record<string, unknown>;
  const startDay = a.startDay;
  if (!isDay(startDay)) bad(`开始日期必须是 YYYY-MM-DD，收到 ${JSON.stringify(startDay)}`);
  const days = intField(a.days, '模拟天数', 1, maxDays);
  const sp = obj(a.spending, '消费假设');
  let spending: SpendingPlan;
  if (sp.kind === 'constant') spending = { kind: 'constant', yuanPerDay: decField(sp.yuanPerDay, '每日消费（元）', 0, MAX_DAY_YUAN, 2) };
  else if (sp.kind === 'growth') {
    spending = { kind: 'growth', yuanPerDay: decField(sp.yuanPerDay, '首日消费（元）', 0, MAX_DAY_YUAN, 2), growthPerDay: decField(sp.growthPerDay, '每日增长率', '-0.5', '0.5') };
    if (spendingFen(spending, days) > MAX_DAY_YUAN.times(100).toNumber()) bad(`按此增长，第 ${days} 天消费超过 ${MAX_DAY_YUAN.toString()} 元`);
  } else if (sp.kind === 'list') spending = { kind: 'list', yuan: list(sp.yuan, '每日消费列表', maxDays).map((x, i) => decField(x, `第 ${i + 1} 天消费（元）`, 0, MAX_DAY_YUAN, 2)) };
  else return bad(`消费假设的类型必须是 constant、growth 或 list，收到 ${JSON.stringify(sp.kind)}`);
  const pointsShare = decField(a.pointsShare, '积分支付比例', 0, 1, 4);
  const storeMix = list(a.storeMix, '门店销售占比', SIM_MAX_STORES).map((x, i) => decField(x, `第 ${i + 1} 家门店的占比`, 0, 1e6, 4));
  if (storeMix.every((w) => new D(w).isZero())) bad('门店销售占比不能全为 0');
  const sellShare = decField(a.sellShare, '卖出比例', 0, 1, 4);
  const pr = obj(a.price, '价格假设');
  let price: PricePath;
  if (pr.kind === 'drift') price = { kind: 'drift', perDay: decField(pr.perDay, '每日价格变动', '-0.5', '0.5', 4) };
  else if (pr.kind === 'path') price = { kind: 'path', fen: list(pr.fen, '每日成交价（分）', maxDays).map((x, i) => intField(x, `第 ${i + 1} 天成交价（分）`, 1, 10_000_000)) };
  else return bad(`价格假设的类型必须是 drift 或 path，收到 ${JSON.stringify(pr.kind)}`);
  const ref = obj(a.reference, '参考消费');
  const reference = { yuan: decField(ref.yuan, '参考消费金额（元）', 0, MAX_DAY_YUAN, 2), day: intField(ref.day, '参考消费日', 1, days) };
  return { startDay, days, spending, pointsShare, storeMix, sellShare, price, reference };
}

/** A whole simulation input: parameters (absent = the defaults) and assumptions. */
export function validateSimInput(input: { params?: unknown; assumptions?: unknown }, maxDays = SIM_MAX_DAYS): SimInput {
  const patch = input.params === undefined ? {} : obj(input.params, '参数');
  // unknown names are refused (a typo must not pass silently), as an admin's change is
  const params = Object.keys(patch).length ? validateParamPatch(DEFAULT_PARAMS, patch) : validateParams(DEFAULT_PARAMS);
  return { params, assumptions: validateAssumptions(input.assumptions, maxDays) };
}

// ------------------------------------------------------------------ assumptions → figures

/** Order value of day d (1-based), in fen, rounded half-up from the yuan the plan gives. */
export function spendingFen(plan: SpendingPlan, d: number): number {
  let yuan: Dec;
  if (plan.kind === 'constant') yuan = new D(plan.yuanPerDay);
  else if (plan.kind === 'growth') yuan = new D(plan.yuanPerDay).times(new D(1).plus(plan.growthPerDay).pow(d - 1));
  else yuan = new D(plan.yuan[Math.min(d, plan.yuan.length) - 1]);
  return yuan.times(100).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}

/** The price of day d's trades, fen: the assumption, held in the band as the market holds orders (SPEC §8). */
export function tradePriceFen(path: PricePath, d: number, guideFen: number, band: DecInput): number {
  const want = path.kind === 'path'
    ? path.fen[Math.min(d, path.fen.length) - 1]
    : new D(guideFen).times(new D(1).plus(path.perDay)).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
  const { minFen, maxFen } = priceBandFen(guideFen, band);
  return Math.min(maxFen, Math.max(minFen, want));
}

/** Splits `totalFen` by weight, floored; what flooring leaves goes to the first store. */
export function splitByMix(totalFen: number, mix: readonly string[]): number[] {
  const sum = mix.reduce((s, w) => s.plus(w), ZERO);
  const parts = mix.map((w) => new D(totalFen).times(w).div(sum).floor().toNumber());
  parts[0] += totalFen - parts.reduce((s, x) => s + x, 0);
  return parts;
}

// ------------------------------------------------------------------ the release, driven as server/holders.ts drives it

/** The O(1) release kept in memory: one state, one snapshot per holder, the closed Σ segments by key. */
class ReleaseBook {
  state: Required<ReleaseState> = initialReleaseState();
  private readonly snaps = new Map<string, HolderSnapshot>();
  private readonly sums = new Map<string, string>();
  private readonly lookup: SumLookup = (at) => this.sums.get(segmentKey(at));

  private apply(id: string, r: Settlement): Dec {
    this.snaps.set(id, r.snapshot);
    this.state = { ...this.state, weight: new D(this.state.weight).plus(r.weightDelta).toString() };
    return r.credit;
  }

  private snap(id: string): HolderSnapshot {
    return this.snaps.get(id) ?? newHolderSnapshot(this.state);
  }

  /** Credits the SV (settling first, as an order's settlement does); returns the points credited. */
  addSv(id: string, sv: Dec): Dec {
    return this.apply(id, addSv(this.snap(id), this.state, this.lookup, sv));
  }

  settle(id: string): Dec {
    return this.apply(id, settleHolder(this.snap(id), this.state, this.lookup));
  }

  position(id: string) {
    return holderPosition(this.snap(id), this.state, this.lookup);
  }

  release(R: Dec, P: number) {
    const { state, day } = applyRelease(this.state, { R, P });
    for (const c of day.closedSums) this.sums.set(segmentKey(c), c.sum);
    this.state = state;
    return day;
  }
}

// ------------------------------------------------------------------ the run

const BUYERS = 'buyers';
const REF = 'reference';
const store = (i: number) => `store:${i}`;

function fixed2(x: Dec): string {
  return toAmountString(x);
}

/** Runs the simulation. The input must be validated (validateSimInput). Deterministic. */
export interface SimOptions {
  /**
   * Settle every store after each release, so that merchantBalances include the day's release (a store
   * that gets no order is otherwise settled only when its balance is needed, as in the product; until then
   * its released points are in the pool). Costs one settlement per store per day.
   */
  settleStoresDaily?: boolean;
}

export function simulate(input: SimInput, opts: SimOptions = {}): SimResult {
  const { params, assumptions: a } = input;
  const book = new ReleaseBook();
  const nStores = a.storeMix.length;
  const balances: Dec[] = Array.from({ length: nStores }, () => ZERO);
  let buyers = ZERO;
  let refPoints = ZERO;
  let treasury = new D(params.treasuryReserve);
  let credited = ZERO;
  let guideFen = params.initialGuidePriceFen;
  let lastBuyersCredit = ZERO;
  let treasuryIncomeFen = 0;
  let orderFenTotal = 0;
  let refusedFenTotal = 0;
  let cappedDays = 0;
  const refCash = new D(a.reference.yuan).times(100).toNumber();
  const rebateYuan = new D(a.reference.yuan).times(params.rebateRate);
  let halfDay: number | null = null;
  let ninetyDay: number | null = null;
  const days: SimDay[] = [];

  const creditTo = (id: string, i: number | null, pts: Dec) => {
    credited = credited.plus(pts);
    if (id === BUYERS) buyers = buyers.plus(pts);
    else if (id === REF) refPoints = refPoints.plus(pts);
    else balances[i as number] = balances[i as number].plus(pts);
  };
  /**
   * A store's balance as an action sees it (SPEC §5: released points are the holder's at once). A store is
   * settled lazily, as the product settles it: by its next order, or here when its balance looks negative.
   */
  const settledBalance = (i: number): Dec => {
    if (balances[i].isNegative()) creditTo(store(i), i, book.settle(store(i)));
    return balances[i];
  };

  for (let d = 1; d <= a.days; d++) {
    const P = guideFen;
    // 1. top-ups (SPEC §6.2–6.3): on day 1 every store buys its deposit; a store below zero buys back up to
    // the deposit value, from the treasury, or what the treasury lacks from holders on the market
    let topT = ZERO;
    let topM = ZERO;
    let fees = ZERO;
    const trades: CompletedTrade[] = [];
    /** What buyers can sell of `want`, their fee included: floored to 0.01, and at least 1 point (SPEC §8). */
    const sellable = (want: Dec): Dec => {
      const q = floor2(minDec(want, buyers.div(new D(1).plus(params.marketFeeRate))));
      return q.gte(1) ? q : ZERO;
    };
    const topUp = (i: number) => {
      let need = depositPointsNeeded({ depositValueFen: params.merchantDepositValueFen, guidePriceFen: P, heldPoints: balances[i].toFixed(2) });
      const fromTreasury = minDec(need, treasury.isNegative() ? ZERO : treasury);
      if (fromTreasury.gt(0)) {
        treasury = treasury.minus(fromTreasury);
        balances[i] = balances[i].plus(fromTreasury);
        treasuryIncomeFen += depositPriceFen(fromTreasury, P);
        topT = topT.plus(fromTreasury);
        need = need.minus(fromTreasury);
      }
      const fromMarket = need.isZero() ? ZERO : sellable(need);
      if (fromMarket.gt(0)) {
        // a trade at the guide price: the sellers pay the fee, the price counts in tomorrow's average
        const f = marketFee(fromMarket, params.marketFeeRate);
        buyers = buyers.minus(fromMarket).minus(f);
        treasury = treasury.plus(f);
        fees = fees.plus(f);
        balances[i] = balances[i].plus(fromMarket);
        topM = topM.plus(fromMarket);
        trades.push({ priceFen: P, quantity: fromMarket.toFixed(2) });
      }
    };
    for (let i = 0; i < nStores; i++) if (d === 1 || settledBalance(i).isNegative()) topUp(i);

    // 2. the day's orders, paid and settled in store at P (SPEC §4, §7)
    let orderFen = 0;
    let cashFen = 0;
    let pointsPaid = ZERO;
    let refusedFen = 0;
    let deductions = ZERO;
    let buyersSv = ZERO;
    const order = (i: number, holder: string, amountFen: number, withPoints: boolean): boolean => {
      if (amountFen <= 0) return true;
      if (settledBalance(i).isNegative()) {
        refusedFen += amountFen;
        return false;
      }
      let pts = ZERO;
      if (withPoints && !buyers.isZero()) {
        const part = new D(amountFen).times(a.pointsShare).floor().toNumber();
        pts = minDec(maxPointsForAmount(part, P), floor2(buyers));
      }
      const split = splitPayment({ amountFen, points: pts.toFixed(2), guidePriceFen: P });
      const rebate = orderRebate({ cashFen: split.cashFen, params, guidePriceFen: P });
      buyers = buyers.minus(split.points);
      balances[i] = balances[i].plus(split.points).minus(rebate.merchantDeduction);
      treasury = treasury.plus(rebate.merchantDeduction);
      deductions = deductions.plus(rebate.merchantDeduction);
      // the buyers' SV of the day is credited once (below): the same SV, one settlement instead of one per store
      if (holder === BUYERS) buyersSv = buyersSv.plus(rebate.userSv);
      else creditTo(holder, null, book.addSv(holder, rebate.userSv));
      creditTo(store(i), i, book.addSv(store(i), rebate.merchantSv));
      orderFen += amountFen;
      cashFen += split.cashFen;
      pointsPaid = pointsPaid.plus(split.points);
      return true;
    };
    if (d === a.reference.day) order(0, REF, refCash, false);
    splitByMix(spendingFen(a.spending, d), a.storeMix).forEach((amount, i) => order(i, BUYERS, amount, true));
    if (buyersSv.gt(0)) creditTo(BUYERS, null, book.addSv(BUYERS, buyersSv));
    // a store the day's orders took below zero tops up at once (a diligent merchant: the assumption)
    for (let i = 0; i < nStores; i++) if (settledBalance(i).isNegative()) topUp(i);

    // 3. buyers sell part of what the last release gave them (SPEC §8); the seller pays the fee in points
    const sold = sellable(lastBuyersCredit.times(a.sellShare));
    let tradeFen: number | null = null;
    if (sold.gt(0)) {
      tradeFen = tradePriceFen(a.price, d, P, params.priceBand);
      trades.push({ priceFen: tradeFen, quantity: sold.toFixed(2) });
      // the points go from sellers to other buyers (still in circulation); the fee to the treasury
      const f = marketFee(sold, params.marketFeeRate);
      buyers = buyers.minus(f);
      treasury = treasury.plus(f);
      fees = fees.plus(f);
    }

    // 4. the release at 22:00 (SPEC §5), then every holder settled
    const R = scheduledRelease({ params, releasedSoFar: book.state.released });
    const rel = book.release(R, P);
    // capped: the release was worth more than all SV (R·P ≥ T), so only T ÷ P was released
    const capped = rel.newEpoch;
    if (capped) cappedDays++;
    const before = buyers;
    creditTo(BUYERS, null, book.settle(BUYERS));
    lastBuyersCredit = buyers.minus(before);
    creditTo(REF, null, book.settle(REF));
    if (opts.settleStoresDaily) for (let i = 0; i < nStores; i++) creditTo(store(i), i, book.settle(store(i)));

    // 5. the next guide price (SPEC §9)
    guideFen = nextGuidePrice({ currentFen: P, trades, priceBand: params.priceBand });

    // the reference purchase: points received (credited + owed), their value at the day's guide price
    const refPos = book.position(REF);
    const refReceived = refPoints.plus(refPos.unclaimed);
    const refValue = refReceived.times(P).div(100);
    if (halfDay === null && rebateYuan.gt(0) && d >= a.reference.day && refValue.gte(rebateYuan.div(2))) halfDay = d;
    if (ninetyDay === null && rebateYuan.gt(0) && d >= a.reference.day && refValue.gte(rebateYuan.times('0.9'))) ninetyDay = d;

    const released = new D(book.state.released);
    const merchantsPoints = balances.reduce((s, b) => s.plus(b), ZERO);
    const buyersAll = buyers.plus(refPoints);
    orderFenTotal += orderFen;
    refusedFenTotal += refusedFen;
    days.push({
      day: d,
      date: addDays(a.startDay, d - 1),
      guidePriceFen: P,
      orderFen,
      cashFen,
      pointsPaid: fixed2(pointsPaid),
      refusedFen,
      deductions: fixed2(deductions),
      topUpTreasury: fixed2(topT),
      topUpMarket: fixed2(topM),
      sold: fixed2(sold),
      tradePriceFen: tradeFen,
      fee: fixed2(fees),
      svTotal: formatPoints(rel.T),
      scheduled: fixed2(R),
      released: fixed2(new D(rel.released)),
      capped,
      svAfter: formatPoints(totalSv(book.state)),
      releasedTotal: fixed2(released),
      unreleased: fixed2(new D(params.releaseTotal).minus(released)),
      buyersPoints: fixed2(buyersAll),
      merchantsPoints: fixed2(merchantsPoints),
      circulation: fixed2(buyersAll.plus(merchantsPoints)),
      treasury: fixed2(treasury),
      pool: fixed2(released.minus(credited)),
      merchantBalances: balances.map(fixed2),
      nextGuidePriceFen: guideFen,
      reference: { sv: formatPoints(refPos.sv), pointsReceived: formatPoints(refReceived), valueYuan: formatPoints(refValue) },
    });
    if (new D(params.releaseTotal).lte(released)) break; // the supply is out
  }

  const last = days[days.length - 1];
  const refPos = book.position(REF);
  const refReceived = refPoints.plus(refPos.unclaimed);
  return {
    input,
    days,
    summary: {
      days: days.length,
      lastDate: last.date,
      released: last.releasedTotal,
      unreleased: last.unreleased,
      svTotal: last.svAfter,
      guidePrice: toAmountString(new D(guideFen).div(100)),
      cappedDays,
      circulation: last.circulation,
      treasury: last.treasury,
      treasuryIncomeFen,
      orderFen: orderFenTotal,
      refusedFen: refusedFenTotal,
      reference: {
        purchaseYuan: toAmountString(a.reference.yuan),
        pointsReceived: formatPoints(refReceived),
        valueReceivedYuan: last.reference.valueYuan,
        rebateYuan: toAmountString(floor2(rebateYuan)),
        halfDay,
        ninetyDay,
      },
    },
  };
}

// ------------------------------------------------------------------ what a page draws

/** The series a page draws, one value per sampled day (column-wise, to keep the answer small). */
export interface SimSeries {
  /** Days between samples (the last day is always included). */
  step: number;
  day: number[];
  date: string[];
  guidePriceFen: number[];
  orderFen: number[];
  svTotal: string[];
  released: string[];
  capped: boolean[];
  releasedTotal: string[];
  unreleased: string[];
  circulation: string[];
  treasury: string[];
  merchantsPoints: string[];
  deductions: string[];
  refPointsReceived: string[];
  refValueYuan: string[];
}

/** Samples the days to at most `maxPoints` (every step-th day, the first and the last always). */
export function simSeries(days: readonly SimDay[], maxPoints = 366): SimSeries {
  const step = Math.max(1, Math.ceil(days.length / Math.max(2, maxPoints - 1)));
  const picked = days.filter((d, i) => i === 0 || i === days.length - 1 || d.day % step === 0);
  return {
    step,
    day: picked.map((d) => d.day),
    date: picked.map((d) => d.date),
    guidePriceFen: picked.map((d) => d.guidePriceFen),
    orderFen: picked.map((d) => d.orderFen),
    svTotal: picked.map((d) => d.svTotal),
    released: picked.map((d) => d.released),
    capped: picked.map((d) => d.capped),
    releasedTotal: picked.map((d) => d.releasedTotal),
    unreleased: picked.map((d) => d.unreleased),
    circulation: picked.map((d) => d.circulation),
    treasury: picked.map((d) => d.treasury),
    merchantsPoints: picked.map((d) => d.merchantsPoints),
    deductions: picked.map((d) => d.deductions),
    refPointsReceived: picked.map((d) => d.reference.pointsReceived),
    refValueYuan: picked.map((d) => d.reference.valueYuan),
  };
}
