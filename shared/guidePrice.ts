/**
 * The guide price (SPEC §9): after each release it moves to the volume-weighted average price of
 * the C2C trades completed since the previous release, held within the price band, in whole fen.
 */
import { D, DecInput, parseAmount, toSafeInteger } from './decimal';
import { DomainError } from './errors';

function assertPriceFen(x: number, what: string): void {
  if (!Number.isSafeInteger(x) || x <= 0) throw new DomainError('INVALID_PRICE', `${what}必须是大于 0 的整数（分）`);
}

function bandOf(band: DecInput) {
  const b = new D(band);
  if (!b.isFinite() || b.isNegative() || b.gte(1)) throw new DomainError('INVALID_PARAMS', `价格浮动范围必须不小于 0% 且小于 100%，收到 ${b.toString()}`);
  return b;
}

/**
 * The prices allowed around a guide price. The bounds round inwards (min up, max down) so every
 * allowed price in whole fen is within the band.
 */
export function priceBandFen(guideFen: number, band: DecInput): { minFen: number; maxFen: number } {
  assertPriceFen(guideFen, '指导价');
  const b = bandOf(band);
  const g = new D(guideFen);
  const minFen = Math.max(1, toSafeInteger(g.times(new D(1).minus(b)).ceil()));
  const maxFen = toSafeInteger(g.times(new D(1).plus(b)).floor());
  return { minFen, maxFen };
}

export function isWithinBand(priceFen: number, guideFen: number, band: DecInput): boolean {
  const { minFen, maxFen } = priceBandFen(guideFen, band);
  return Number.isSafeInteger(priceFen) && priceFen >= minFen && priceFen <= maxFen;
}

export interface CompletedTrade {
  priceFen: number;
  /** Points, ≤ 2 decimals. */
  quantity: string;
}

/**
 * Tomorrow's guide price. The average is rounded to the fen half-up (a price is neither a credit
 * nor a charge, so the nearest fen, ties upward as people expect), then clamped to the band's
 * whole-fen bounds, so the result is always a price the band allows. No trade: unchanged.
 */
export function nextGuidePrice(input: { currentFen: number; trades: readonly CompletedTrade[]; priceBand: DecInput }): number {
  const { currentFen, trades } = input;
  assertPriceFen(currentFen, '当前指导价');
  const { minFen, maxFen } = priceBandFen(currentFen, input.priceBand);
  let value = new D(0);
  let volume = new D(0);
  for (const t of trades) {
    assertPriceFen(t.priceFen, '成交价');
    const q = parseAmount(t.quantity, { field: '成交数量' });
    value = value.plus(q.times(t.priceFen));
    volume = volume.plus(q);
  }
  if (volume.isZero()) return currentFen;
  const vwap = toSafeInteger(value.div(volume).toDecimalPlaces(0, D.ROUND_HALF_UP));
  return Math.min(maxFen, Math.max(minFen, vwap));
}
