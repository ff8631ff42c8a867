import { farmingReport, linkedPairs, pairKey, tradesForGuidePrice, UserLinkInfo } from './farming';
import { nextGuidePrice } from './guidePrice';

const users = new Map<string, UserLinkInfo>(
  [
    { openid: 'alice', userNo: '100001', referrerOpenid: null, merchantId: null },
    { openid: 'bob', userNo: '100002', referrerOpenid: null, merchantId: 'm100002' },
    { openid: 'carl', userNo: '100003', referrerOpenid: 'bob', merchantId: null }, // bob recruited carl
    { openid: 'dora', userNo: '100004', referrerOpenid: null, merchantId: 'm100004' },
    { openid: 'eve', userNo: '100005', referrerOpenid: null, merchantId: null },
    { openid: 'finn', userNo: '100006', referrerOpenid: null, merchantId: null },
  ].map((u) => [u.openid, u]),
);

test('linked: by referral either way, or by trading with each other 3 times in the window', () => {
  const trades = [
    { buyer: 'carl', seller: 'bob', priceFen: 220, quantity: '10.00' }, // referral
    { buyer: 'eve', seller: 'finn', priceFen: 220, quantity: '1.00' },
    { buyer: 'finn', seller: 'eve', priceFen: 220, quantity: '1.00' },
    { buyer: 'eve', seller: 'finn', priceFen: 220, quantity: '1.00' }, // third between eve and finn: repeat
    { buyer: 'alice', seller: 'dora', priceFen: 200, quantity: '5.00' },
    { buyer: 'dora', seller: 'alice', priceFen: 200, quantity: '5.00' }, // only twice: not linked
  ];
  const l = linkedPairs(trades, users);
  expect([...l.entries()].sort()).toEqual([[pairKey('bob', 'carl'), 'referral'], [pairKey('eve', 'finn'), 'repeat']]);
  expect(tradesForGuidePrice(trades, users).map((t) => `${t.buyer}>${t.seller}`)).toEqual(['alice>dora', 'dora>alice']);
});

test('wash trades no longer walk the guide price: 10% a day from two linked accounts → unchanged', () => {
  // the pattern: two accounts trade at the top of the band all day; one honest trade at ¥2.00
  const wash = Array.from({ length: 20 }, (_x, i) => ({ buyer: i % 2 ? 'eve' : 'finn', seller: i % 2 ? 'finn' : 'eve', priceFen: 220, quantity: '50.00' }));
  const honest = [{ buyer: 'alice', seller: 'dora', priceFen: 200, quantity: '1.00' }];
  const all = [...wash, ...honest];
  expect(nextGuidePrice({ currentFen: 200, trades: all, priceBand: '0.1' })).toBe(220); // before: +10%
  expect(nextGuidePrice({ currentFen: 200, trades: tradesForGuidePrice(all, users), priceBand: '0.1' })).toBe(200);
});

test('the admin view flags repeated payer↔store, owner↔customer self-dealing, and linked pairs', () => {
  // shared value as the order records it (cash × 10% × 10 = cash in yuan)
  const order = (buyer: string, merchantId: string, merchantOwner: string, cashFen: number) => ({ buyer, merchantId, merchantOwner, cashFen, userSv: `${String(cashFen).slice(0, -2)}.00` });
  const orders = [
    ...Array.from({ length: 5 }, () => order('alice', 'm100002', 'bob', 100000)), // alice pays bob's store 5 times
    order('carl', 'm100002', 'bob', 50000), // bob's recruit pays at bob's store
    order('bob', 'm100004', 'dora', 30000), // bob and dora pay at each other's store
    order('dora', 'm100002', 'bob', 30000),
    order('eve', 'm100004', 'dora', 1000), // an ordinary customer
  ];
  const trades = [
    { buyer: 'carl', seller: 'bob', priceFen: 220, quantity: '10.00' },
    ...Array.from({ length: 3 }, () => ({ buyer: 'eve', seller: 'finn', priceFen: 210, quantity: '2.50' })),
  ];
  const r = farmingReport({ orders, trades, users });
  expect(r.repeatedPayers).toEqual([{ buyer: 'alice', merchantId: 'm100002', orders: 5, cashFen: 500000, userSv: '5000.00' }]);
  expect(r.selfDealing).toEqual([
    { kind: 'referral', buyer: 'carl', merchantId: 'm100002', owner: 'bob', orders: 1, cashFen: 50000, userSv: '500.00' },
    { kind: 'reciprocal', buyer: 'bob', merchantId: 'm100004', owner: 'dora', orders: 1, cashFen: 30000, userSv: '300.00' },
    { kind: 'reciprocal', buyer: 'dora', merchantId: 'm100002', owner: 'bob', orders: 1, cashFen: 30000, userSv: '300.00' },
  ]);
  expect(r.pairTrades).toEqual([
    { a: 'eve', b: 'finn', link: 'repeat', trades: 3, volume: '7.50', avgPriceFen: 210 },
    { a: 'bob', b: 'carl', link: 'referral', trades: 1, volume: '10.00', avgPriceFen: 220 },
  ]);
});
