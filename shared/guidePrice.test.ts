import { DomainError } from './errors';
import { isWithinBand, nextGuidePrice, priceBandFen } from './guidePrice';

describe('priceBandFen: bounds round inwards', () => {
  test.each([
    [200, '0.1', 180, 220],
    [205, '0.1', 185, 225], // 184.5 → 185, 225.5 → 225
    [1, '0.1', 1, 1],
    [199, '0.05', 190, 208], // 189.05 → 190, 208.95 → 208
    [200, '0', 200, 200],
    [3, '0.9', 1, 5], // 0.3 → 1 (never below a fen), 5.7 → 5
  ])('guide %i band %s → [%i, %i]', (guide, band, min, max) => {
    expect(priceBandFen(guide, band)).toEqual({ minFen: min, maxFen: max });
  });
  test('isWithinBand', () => {
    expect(isWithinBand(180, 200, '0.1')).toBe(true);
    expect(isWithinBand(179, 200, '0.1')).toBe(false);
    expect(isWithinBand(220, 200, '0.1')).toBe(true);
    expect(isWithinBand(221, 200, '0.1')).toBe(false);
    expect(isWithinBand(200.5, 200, '0.1')).toBe(false);
  });
  test('refuses a band of 100% or more and a zero guide', () => {
    expect(() => priceBandFen(200, '1')).toThrow(DomainError);
    expect(() => priceBandFen(0, '0.1')).toThrow(DomainError);
  });
});

describe('nextGuidePrice (SPEC §9)', () => {
  const band = '0.1';
  test('no trade: unchanged', () => {
    expect(nextGuidePrice({ currentFen: 200, trades: [], priceBand: band })).toBe(200);
  });
  test('volume-weighted: 10 at 210 and 30 at 202 → 204', () => {
    expect(nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 210, quantity: '10' }, { priceFen: 202, quantity: '30' }], priceBand: band })).toBe(204);
  });
  test('rounded half-up to the fen: 205.5 → 206, 205.49 → 205', () => {
    expect(nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 205, quantity: '1' }, { priceFen: 206, quantity: '1' }], priceBand: band })).toBe(206);
    expect(nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 205, quantity: '51' }, { priceFen: 206, quantity: '49' }], priceBand: band })).toBe(205);
  });
  test('held within the band: up to 220, down to 180', () => {
    expect(nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 300, quantity: '5' }], priceBand: band })).toBe(220);
    expect(nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 100, quantity: '5' }], priceBand: band })).toBe(180);
  });
  test('clamped to whole-fen bounds: guide 205, average 230 → 225 (not 225.5 rounded up to 226)', () => {
    expect(nextGuidePrice({ currentFen: 205, trades: [{ priceFen: 230, quantity: '1' }], priceBand: band })).toBe(225);
    expect(nextGuidePrice({ currentFen: 205, trades: [{ priceFen: 184, quantity: '1' }], priceBand: band })).toBe(185);
  });
  test('fractional quantities weigh exactly', () => {
    // (201 × 0.01 + 219 × 0.02) / 0.03 = 213
    expect(nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 201, quantity: '0.01' }, { priceFen: 219, quantity: '0.02' }], priceBand: band })).toBe(213);
  });
  test('refuses bad trades', () => {
    expect(() => nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 0, quantity: '1' }], priceBand: band })).toThrow(DomainError);
    expect(() => nextGuidePrice({ currentFen: 200, trades: [{ priceFen: 200, quantity: '1.001' }], priceBand: band })).toThrow(DomainError);
  });
});
