import fc from 'fast-check';
import { D } from './decimal';
import { DomainError } from './errors';
import { BookOrderInput, BookSide, centsToQuantity, comparePriority, matchIncoming, OrderBook, quantityToCents, RestingInput } from './orderbook';

const buy = (id: string, priceFen: number, quantity: string, owner?: string): BookOrderInput => ({ id, side: 'buy', priceFen, quantity, owner });
const sell = (id: string, priceFen: number, quantity: string, owner?: string): BookOrderInput => ({ id, side: 'sell', priceFen, quantity, owner });

describe('quantities in hundredths', () => {
  test.each([
    ['1', 100],
    ['12.5', 1250],
    ['0.01', 1],
    ['972360.99', 97236099],
  ])('%s ↔ %i', (q, c) => {
    expect(quantityToCents(q)).toBe(c);
    expect(new D(centsToQuantity(c)).eq(q)).toBe(true);
  });
  test('centsToQuantity always has two decimals', () => {
    expect(centsToQuantity(0)).toBe('0.00');
    expect(centsToQuantity(5)).toBe('0.05');
    expect(centsToQuantity(1250)).toBe('12.50');
  });
  test.each(['0', '0.00', '-1', '1.001', '1e2', 'abc', ''])('refuses %p', (q) => {
    expect(() => quantityToCents(q)).toThrow(DomainError);
  });
  test('accepts a Decimal', () => {
    expect(quantityToCents(new D('8.8'))).toBe(880);
  });
});

describe('OrderBook', () => {
  test('resting orders do not trade when prices do not cross', () => {
    const b = new OrderBook();
    expect(b.place(sell('s1', 210, '10'))).toEqual({ trades: [], remaining: '10.00', rested: true, selfTradeStopped: false });
    expect(b.place(buy('b1', 200, '5')).trades).toEqual([]);
    expect(b.size).toBe(2);
    expect(b.bestAsk()).toBe(210);
    expect(b.bestBid()).toBe(200);
  });

  test('trades at the resting price; partial fill of the maker', () => {
    const b = new OrderBook();
    b.place(sell('s1', 200, '10', 'alice'));
    const r = b.place(buy('b1', 210, '4', 'bob'));
    expect(r).toEqual({
      trades: [{ makerId: 's1', takerId: 'b1', buyOrderId: 'b1', sellOrderId: 's1', priceFen: 200, quantity: '4.00', takerSide: 'buy', makerOwner: 'alice', takerOwner: 'bob' }],
      remaining: '0.00',
      rested: false,
      selfTradeStopped: false,
    });
    expect(b.get('s1')).toEqual({ id: 's1', side: 'sell', priceFen: 200, remaining: '6.00', seq: 1, owner: 'alice' });
    expect(b.get('b1')).toBeUndefined();
  });

  test('price then time priority across levels; the taker remainder rests', () => {
    const b = new OrderBook();
    b.place(sell('s1', 202, '1'));
    b.place(sell('s2', 201, '1'));
    b.place(sell('s3', 201, '2'));
    b.place(sell('s4', 205, '1'));
    const r = b.place(buy('b1', 202, '5.5'));
    expect(r.trades.map((t) => [t.makerId, t.priceFen, t.quantity])).toEqual([
      ['s2', 201, '1.00'],
      ['s3', 201, '2.00'],
      ['s1', 202, '1.00'],
    ]);
    expect(r.remaining).toBe('1.50');
    expect(r.rested).toBe(true);
    expect(b.depth()).toEqual({ bids: [{ priceFen: 202, quantity: '1.50', orders: 1 }], asks: [{ priceFen: 205, quantity: '1.00', orders: 1 }] });
  });

  test('a sell taker takes the highest bids first', () => {
    const b = new OrderBook();
    b.place(buy('b1', 190, '1'));
    b.place(buy('b2', 199, '1'));
    b.place(buy('b3', 195, '1'));
    const r = b.place(sell('s1', 190, '2.5'));
    expect(r.trades.map((t) => [t.makerId, t.priceFen, t.quantity, t.buyOrderId, t.sellOrderId])).toEqual([
      ['b2', 199, '1.00', 'b2', 's1'],
      ['b3', 195, '1.00', 'b3', 's1'],
      ['b1', 190, '0.50', 'b1', 's1'],
    ]);
    expect(b.get('b1')!.remaining).toBe('0.50');
    expect(r.rested).toBe(false);
  });

  test('cancel returns what was left and removes empty levels', () => {
    const b = new OrderBook();
    b.place(sell('s1', 200, '10'));
    b.place(sell('s2', 200, '3'));
    b.place(buy('b1', 200, '4'));
    expect(b.cancel('s1')).toBe('6.00');
    expect(b.cancel('s1')).toBeNull();
    expect(b.depth().asks).toEqual([{ priceFen: 200, quantity: '3.00', orders: 1 }]);
    expect(b.cancel('s2')).toBe('3.00');
    expect(b.depth()).toEqual({ bids: [], asks: [] });
    expect(b.bestAsk()).toBeNull();
    expect(b.size).toBe(0);
  });

  test('cancel in the middle of a queue keeps the others in order', () => {
    const b = new OrderBook();
    b.place(sell('a', 200, '1'));
    b.place(sell('b', 200, '1'));
    b.place(sell('c', 200, '1'));
    b.cancel('b');
    expect(b.place(buy('x', 200, '2')).trades.map((t) => t.makerId)).toEqual(['a', 'c']);
  });

  test('given seqs keep time priority even when orders are loaded out of order', () => {
    const b = new OrderBook();
    b.place({ ...sell('late', 200, '1'), seq: 30 });
    b.place({ ...sell('early', 200, '1'), seq: 10 });
    b.place({ ...sell('mid', 200, '1'), seq: 20 });
    expect(b.resting('sell').map((o) => o.id)).toEqual(['early', 'mid', 'late']);
    expect(b.place(buy('x', 200, '1')).trades[0].makerId).toBe('early');
    expect(b.place(buy('y', 200, '1')).trades[0].makerId).toBe('mid');
  });

  test('self-trade: matching stops at the owner’s own order and the remainder is not placed', () => {
    const b = new OrderBook();
    b.place(sell('s1', 200, '1', 'bob'));
    b.place(sell('s2', 200, '1', 'alice'));
    b.place(sell('s3', 201, '1', 'carol'));
    const r = b.place(buy('b1', 201, '3', 'alice'));
    expect(r.trades.map((t) => t.makerId)).toEqual(['s1']);
    expect(r).toMatchObject({ remaining: '2.00', rested: false, selfTradeStopped: true });
    expect(b.get('b1')).toBeUndefined();
    expect(b.get('s2')!.remaining).toBe('1.00');
  });

  test('depth aggregates and limits levels', () => {
    const b = new OrderBook();
    for (let p = 201; p <= 210; p++) b.place(sell(`s${p}`, p, '1'));
    b.place(sell('s201b', 201, '2.25'));
    const d = b.depth(3);
    expect(d.asks).toEqual([
      { priceFen: 201, quantity: '3.25', orders: 2 },
      { priceFen: 202, quantity: '1.00', orders: 1 },
      { priceFen: 203, quantity: '1.00', orders: 1 },
    ]);
  });

  test('refuses duplicates and bad orders', () => {
    const b = new OrderBook();
    b.place(sell('s1', 200, '1'));
    expect(() => b.place(sell('s1', 200, '1'))).toThrow(DomainError);
    expect(() => b.place(sell('s2', 0, '1'))).toThrow(DomainError);
    expect(() => b.place(sell('s3', 200.5, '1'))).toThrow(DomainError);
    expect(() => b.place(sell('s4', 200, '0'))).toThrow(DomainError);
    expect(() => b.place({ id: 's5', side: 'hold' as BookSide, priceFen: 200, quantity: '1' })).toThrow(DomainError);
    expect(b.size).toBe(1);
  });
});

describe('matchIncoming: the pure form', () => {
  const resting: RestingInput[] = [
    { id: 's2', side: 'sell', priceFen: 201, quantity: '1', seq: 2 },
    { id: 's3', side: 'sell', priceFen: 201, quantity: '2', seq: 3 },
    { id: 's1', side: 'sell', priceFen: 202, quantity: '1', seq: 1 },
  ];
  test('fills in order, reports what is left of each maker', () => {
    const r = matchIncoming(resting, buy('b1', 201, '2.5'));
    expect(r.trades.map((t) => [t.makerId, t.priceFen, t.quantity])).toEqual([
      ['s2', 201, '1.00'],
      ['s3', 201, '1.50'],
    ]);
    expect(r.fills).toEqual([
      { id: 's2', filled: '1.00', remaining: '0.00' },
      { id: 's3', filled: '1.50', remaining: '0.50' },
    ]);
    expect(r.remaining).toBe('0.00');
    expect(resting[1].quantity).toBe('2'); // not mutated
  });
  test('stops at the limit price', () => {
    expect(matchIncoming(resting, buy('b1', 200, '1')).trades).toEqual([]);
    expect(matchIncoming(resting, buy('b1', 201, '10')).remaining).toBe('7.00');
  });
  test('refuses an unsorted list and same-side orders', () => {
    expect(() => matchIncoming([resting[2], resting[0]], buy('b', 205, '10'))).toThrow(/priority order/);
    expect(() => matchIncoming(resting, sell('s9', 200, '1'))).toThrow(/side/);
  });
  test('comparePriority sorts a database page into priority order', () => {
    const shuffled = [resting[2], resting[1], resting[0]];
    expect([...shuffled].sort(comparePriority).map((o) => o.id)).toEqual(['s2', 's3', 's1']);
    const bids = [
      { id: 'a', side: 'buy' as const, priceFen: 190, seq: 1 },
      { id: 'b', side: 'buy' as const, priceFen: 199, seq: 5 },
      { id: 'c', side: 'buy' as const, priceFen: 199, seq: 2 },
    ];
    expect(bids.sort(comparePriority).map((o) => o.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('property: OrderBook and matchIncoming agree with a brute-force book', () => {
  const cents = (q: string) => (q === '0.00' ? 0 : quantityToCents(q));
  type Cmd = { kind: 'place'; side: BookSide; priceFen: number; cents: number; owner: number } | { kind: 'cancel'; pick: number };
  const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('place' as const), side: fc.constantFrom<BookSide>('buy', 'sell'), priceFen: fc.integer({ min: 195, max: 205 }), cents: fc.integer({ min: 1, max: 1000 }), owner: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  );

  test('same trades, same book, quantity conserved', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 120 }), (cmds) => {
        const book = new OrderBook();
        // brute force: a flat list, scanned in full each time
        let naive: { id: string; side: BookSide; priceFen: number; cents: number; seq: number; owner: string }[] = [];
        let n = 0;
        for (const c of cmds) {
          if (c.kind === 'cancel') {
            if (naive.length === 0) continue;
            const victim = naive[c.pick % naive.length];
            expect(book.cancel(victim.id)).toBe(centsToQuantity(victim.cents));
            naive = naive.filter((o) => o !== victim);
            continue;
          }
          const id = `o${++n}`;
          const owner = `u${c.owner}`;
          const incoming = { id, side: c.side, priceFen: c.priceFen, quantity: centsToQuantity(c.cents), owner };
          const opposite = naive
            .filter((o) => o.side !== c.side)
            .map((o) => ({ ...o, quantity: centsToQuantity(o.cents) }))
            .sort(comparePriority);
          const pure = matchIncoming(opposite, incoming);
          const got = book.place(incoming);
          expect(got.trades).toEqual(pure.trades);
          expect(got.remaining).toBe(pure.remaining);
          expect(got.selfTradeStopped).toBe(pure.selfTradeStopped);
          // apply to the brute-force book
          for (const f of pure.fills) {
            const o = naive.find((x) => x.id === f.id)!;
            o.cents = cents(f.remaining);
          }
          naive = naive.filter((o) => o.cents > 0);
          const left = cents(pure.remaining);
          const traded = pure.trades.reduce((t, x) => t + quantityToCents(x.quantity), 0);
          expect(traded + left).toBe(c.cents);
          if (left > 0 && !pure.selfTradeStopped) naive.push({ id, side: c.side, priceFen: c.priceFen, cents: left, seq: n, owner });
          // the book is never crossed
          const bb = book.bestBid();
          const ba = book.bestAsk();
          if (bb !== null && ba !== null) expect(bb).toBeLessThan(ba);
        }
        const sorted = (side: BookSide) =>
          naive
            .filter((o) => o.side === side)
            .sort(comparePriority)
            .map((o) => [o.id, centsToQuantity(o.cents)]);
        expect(book.resting('buy').map((o) => [o.id, o.remaining])).toEqual(sorted('buy'));
        expect(book.resting('sell').map((o) => [o.id, o.remaining])).toEqual(sorted('sell'));
        expect(book.size).toBe(naive.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('speed', () => {
  test('100,000 orders over 41 price levels in well under a second or two', () => {
    const b = new OrderBook();
    let x = 12345;
    const rnd = () => (x = (x * 48271) % 2147483647) / 2147483647;
    const t0 = Date.now();
    let trades = 0;
    for (let i = 0; i < 100_000; i++) {
      const side: BookSide = rnd() < 0.5 ? 'buy' : 'sell';
      const priceFen = 180 + Math.floor(rnd() * 41);
      const r = b.place({ id: `o${i}`, side, priceFen, quantity: String(1 + Math.floor(rnd() * 100)) });
      trades += r.trades.length;
      if (i % 7 === 0) b.cancel(`o${i - 3}`);
    }
    const ms = Date.now() - t0;
    expect(trades).toBeGreaterThan(10_000);
    expect(ms).toBeLessThan(3000);
  });
});
