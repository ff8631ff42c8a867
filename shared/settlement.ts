/**
 * What an order is worth in shared value and points (SPEC §4, §6, §7). Prices are fen per point;
 * points and shared value are decimals. Credits round down, charges round up (SPEC §2).
 */
import { ceil2, D, Dec, DecInput, floor2, formatPointsText, parseAmount, toSafeInteger, ZERO } from './decimal';
import { DomainError } from './errors';
import type { Params } from './params';

function assertFen(x: number, what: string): void {
  if (!Number.isSafeInteger(x) || x < 0) throw new DomainError('INVALID_AMOUNT', `${what}必须是以分为单位的非负整数`);
}

function assertPrice(priceFen: number): void {
  if (!Number.isSafeInteger(priceFen) || priceFen <= 0) throw new DomainError('INVALID_PRICE', '指导价必须是大于 0 的整数（分）');
}

function points(x: DecInput, field = '积分'): Dec {
  return parseAmount(typeof x === 'object' ? x.toString() : x, { field });
}

export interface OrderRebate {
  /** Credited to the buyer at settlement (floored to 0.01). */
  userSv: Dec;
  /** Credited to the merchant at settlement (floored to 0.01). */
  merchantSv: Dec;
  /** Points taken from the merchant when the order is paid (ceiled to 0.01). */
  merchantDeduction: Dec;
  /** cash × rebateRate, in yuan, unrounded: the value the platform gives back. */
  rebateYuan: Dec;
}

/**
 * SPEC §4 on the cash part of an order. With the defaults the shared value is exact (¥1000 → 1000
 * and 200); with other rates it may have more decimals, and being a credit it is floored.
 */
export function orderRebate(input: { cashFen: number; params: Pick<Params, 'rebateRate' | 'userSvMultiplier' | 'merchantSvMultiplier'>; guidePriceFen: number }): OrderRebate {
  const { cashFen, params, guidePriceFen } = input;
  assertFen(cashFen, '现金金额');
  assertPrice(guidePriceFen);
  const rebateFen = new D(cashFen).times(params.rebateRate);
  const rebateYuan = rebateFen.div(100);
  return {
    userSv: floor2(rebateYuan.times(params.userSvMultiplier)),
    merchantSv: floor2(rebateYuan.times(params.merchantSvMultiplier)),
    merchantDeduction: ceil2(rebateFen.div(guidePriceFen)),
    rebateYuan,
  };
}

/** n points pay n × P off an order, floored to the fen (the holder is credited, SPEC §7). */
export function pointsOffsetFen(pointsIn: DecInput, guidePriceFen: number): number {
  assertPrice(guidePriceFen);
  const n = points(pointsIn);
  return toSafeInteger(n.times(guidePriceFen).floor());
}

/**
 * The points to use to pay as much of `amountFen` as points can: the fewest points reaching the
 * largest offset that does not exceed the amount. More points would either pay more than the
 * amount or, when 0.01 point is worth less than a fen, be taken for nothing.
 */
export function maxPointsForAmount(amountFen: number, guidePriceFen: number): Dec {
  assertFen(amountFen, '订单金额');
  assertPrice(guidePriceFen);
  const exact = new D(amountFen).div(guidePriceFen);
  const up = ceil2(exact);
  // ceil2 reaches the whole amount unless 0.01 point is worth more than a fen and overshoots.
  if (up.times(guidePriceFen).floor().lte(amountFen)) return up;
  return floor2(exact);
}

export interface PaymentSplit {
  points: Dec;
  pointsFen: number;
  cashFen: number;
}

/** How an order of `amountFen` is paid when the buyer offers `points`. */
export function splitPayment(input: { amountFen: number; points: DecInput; guidePriceFen: number }): PaymentSplit {
  const { amountFen, guidePriceFen } = input;
  assertFen(amountFen, '订单金额');
  const n = points(input.points, '抵扣积分');
  const max = maxPointsForAmount(amountFen, guidePriceFen);
  if (n.gt(max)) {
    throw new DomainError('POINTS_EXCEED_AMOUNT', `本单最多可用 ${formatPointsText(max)} 积分抵扣，你填写了 ${formatPointsText(n)}`);
  }
  const pointsFen = pointsOffsetFen(n, guidePriceFen);
  return { points: n, pointsFen, cashFen: toSafeInteger(new D(amountFen).minus(pointsFen)) };
}

/**
 * Points a merchant must buy so that its holding is worth at least the deposit at the guide price
 * (SPEC §6). Rounded up: buying less would leave it short. A negative holding needs more.
 */
export function depositPointsNeeded(input: { depositValueFen: number; guidePriceFen: number; heldPoints: DecInput }): Dec {
  assertFen(input.depositValueFen, '保证金');
  assertPrice(input.guidePriceFen);
  const held = parseAmount(typeof input.heldPoints === 'object' ? input.heldPoints.toString() : input.heldPoints, { field: '持有积分', allowNegative: true });
  const needed = ceil2(new D(input.depositValueFen).div(input.guidePriceFen).minus(held));
  return needed.isNegative() || needed.isZero() ? ZERO : needed;
}

/** Price in fen of buying `points` from the treasury at the guide price: a charge, so rounded up. */
export function depositPriceFen(pointsIn: DecInput, guidePriceFen: number): number {
  assertPrice(guidePriceFen);
  const n = points(pointsIn);
  return toSafeInteger(n.times(guidePriceFen).ceil());
}

/** Whether a merchant's holding meets the deposit at the guide price. */
export function meetsDeposit(input: { depositValueFen: number; guidePriceFen: number; heldPoints: DecInput }): boolean {
  return depositPointsNeeded(input).isZero();
}

/** Seller's fee in points on a C2C sale of `quantity` points: charged, so rounded up. */
export function marketFee(quantity: DecInput, feeRate: DecInput): Dec {
  return ceil2(points(quantity, '数量').times(new D(feeRate)));
}
