import fc from 'fast-check';
import { D, ceil2 } from '../../shared/decimal';
import {
  OrderDoc,
  amountFenOf,
  fillFee,
  fmt2,
  orderFee,
  orderIdFor,
  parsePoints,
  requireInBand,
  requireOrderQuantity,
  requirePriceFen,
  requireRequestId,
  tradeIdFor,
} from './model';

function sellOrder(quantity: string, rate = '0.05'): Pick<OrderDoc, 'quantity' | 'remaining' | 'feeTotal' | 'feeEscrowed' | 'feeRate'> {
  const fee = fmt2(orderFee(quantity, rate));
  return { quantity, remaining: quantity, feeTotal: fee, feeEscrowed: fee, feeRate: rate };
}

function applyFill(o: ReturnType<typeof sellOrder>, q: string): string {
  const fee = fillFee(o, q);
  o.remaining = fmt2(D(o.remaining).minus(q));
  o.feeEscrowed = fmt2(D(o.feeEscrowed).minus(fee));
  return fmt2(fee);
}

describe('market fees', () => {
  test('the order escrows ceil2(quantity × rate)', () => {
    expect(fmt2(orderFee('100', '0.05'))).toBe('5.00');
    expect(fmt2(orderFee('8.88', '0.05'))).toBe('0.45'); // 0.444 rounds up
    expect(fmt2(orderFee('1', '0.05'))).toBe('0.05');
  });

  test('a full fill takes the whole fee', () => {
    const o = sellOrder('8.88');
    expect(applyFill(o, '8.88')).toBe('0.45');
    expect(o.feeEscrowed).toBe('0.00');
  });

  test('partial fills telescope to the fee of what is sold', () => {
    const o = sellOrder('10');
    const fees = [applyFill(o, '3.33'), applyFill(o, '3.33')];
    // sold 6.66: fee ceil2(0.333) = 0.34
    expect(D(fees[0]).plus(fees[1]).toFixed(2)).toBe('0.34');
    expect(fees[0]).toBe('0.17'); // ceil2(0.1665)
    expect(fees[1]).toBe('0.17'); // ceil2(0.333) − 0.17
    // cancelling returns the rest of the escrowed fee: 0.50 − 0.34
    expect(o.feeEscrowed).toBe('0.16');
    expect(applyFill(o, '3.34')).toBe('0.16');
  });

  test('property: any sequence of fills charges exactly ceil2(sold × rate), never more than escrowed, never negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('0.05', '0.03', '0.1', '0.0125'),
        (qCents, fillCents, rate) => {
          const quantity = D(qCents).div(100).toFixed(2);
          const o = sellOrder(quantity, rate);
          let sold = D(0);
          let charged = D(0);
          for (const c of fillCents) {
            if (D(o.remaining).lte(0)) break;
            const q = Decimal2(Math.min(c, D(o.remaining).times(100).toNumber()));
            const fee = applyFill(o, q);
            expect(D(fee).gte(0)).toBe(true);
            sold = sold.plus(q);
            charged = charged.plus(fee);
            expect(charged.toFixed(2)).toBe(ceil2(sold.times(rate)).toFixed(2));
            expect(D(o.feeEscrowed).gte(0)).toBe(true);
            expect(charged.plus(o.feeEscrowed).toFixed(2)).toBe(o.feeTotal);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function Decimal2(cents: number): string {
  return D(cents).div(100).toFixed(2);
}

describe('market inputs', () => {
  test('quantity: at least 1, at most 2 decimals, a number', () => {
    expect(requireOrderQuantity('1').toFixed(2)).toBe('1.00');
    expect(requireOrderQuantity('12.34').toFixed(2)).toBe('12.34');
    expect(() => requireOrderQuantity('0.99')).toThrow(/至少 1/);
    expect(() => requireOrderQuantity('1.001')).toThrow(/两位小数|2 位小数/);
    expect(() => requireOrderQuantity('abc')).toThrow();
    expect(() => requireOrderQuantity('-5')).toThrow();
    expect(() => requireOrderQuantity(undefined)).toThrow();
    expect(() => parsePoints('0')).toThrow();
  });

  test('price: a positive whole number of fen inside the band', () => {
    expect(requirePriceFen(200)).toBe(200);
    expect(() => requirePriceFen(199.5)).toThrow();
    expect(() => requirePriceFen('200')).toThrow();
    expect(() => requirePriceFen(0)).toThrow();
    expect(() => requireInBand(221, { minFen: 180, maxFen: 220 }, 200)).toThrow(/¥1.80–¥2.20/);
    expect(() => requireInBand(220, { minFen: 180, maxFen: 220 }, 200)).not.toThrow();
  });

  test('ids: the same request gives the same order id; trade ids follow the taker', () => {
    expect(orderIdFor('o1', 'req-00001')).toBe(orderIdFor('o1', 'req-00001'));
    expect(orderIdFor('o1', 'req-00001')).not.toBe(orderIdFor('o2', 'req-00001'));
    expect(tradeIdFor('MOabc', 3)).toBe('MTabc-3');
    expect(() => requireRequestId('short')).toThrow();
    expect(requireRequestId('abcdefgh')).toBe('abcdefgh');
  });

  test('cash for a trade is rounded up to the fen', () => {
    expect(amountFenOf(199, '1.01')).toBe(201); // 200.99
    expect(amountFenOf(200, '8.88')).toBe(1776);
  });
});
