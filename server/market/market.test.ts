/**
 * The C2C market and transfers through the gateway (startTestCloud): every action is a cloud-function call as
 * the mini-program makes it, identity from the context. After every scenario the ledger is verified (SPEC §10.1)
 * and the escrow of each user is checked against their open orders and live trades.
 */
import type { TestCloud } from '../../localcloud/testing';
import { D } from '../../shared/decimal';
import type { MarketOrder, Trade } from '../../shared/api';
import { getDb, readAll } from '../db';
import {
  ADMIN, T0, availableOf, balanceOf, call, treasuryOf, escrowOf, expectLedgerOk, grantPoints, login, ok, refused, rid, worldForFile,
} from '../testkit.testutil';
import { ORDERS, TRADES, OrderDoc, TradeDoc } from './model';
import { MAX_FILLS_PER_TX } from './orders';
import { recordOps } from '../dbops.testutil';

let tc: TestCloud;
worldForFile((c) => (tc = c), { frozenClock: true, setup: (c) => login(c, ADMIN) });

// The day starts at T0 = 2026-03-02 10:00 Asia/Shanghai (02:00Z); guide price ¥2.00, band ¥1.80–¥2.20.
const MIN = 60_000;
const HOUR = 3600_000;
const PROOF = 'https://img.example.com/pay-record.png';

const m = (openid: string, action: string, payload: Record<string, unknown> = {}) => ok(tc, 'market', openid, { action, ...payload });

async function setPayment(openid: string, accountText = `支付宝 ${openid}`): Promise<void> {
  await m(openid, 'setPaymentDetails', { accountText });
}

async function place(openid: string, side: 'buy' | 'sell', priceFen: number, quantity: string, requestId = rid(side)): Promise<{ order: MarketOrder; trades: Trade[] }> {
  return m(openid, 'place', { side, priceFen, quantity, requestId });
}

/** Everything that must hold after any scenario. */
async function checkInvariants(): Promise<void> {
  await expectLedgerOk(tc);
  // each user's escrow = Σ open sell orders (remaining + fee) + Σ live trades as seller (quantity + fee)
  const orders = await readAll<OrderDoc>(getDb().collection(ORDERS).where({ side: 'sell', status: 'open' }));
  const trades = await readAll<TradeDoc>(getDb().collection(TRADES).where({ status: getDb().command.in(['awaiting_payment', 'paid', 'appealed']) }));
  const expected = new Map<string, ReturnType<typeof D>>();
  const add = (o: string, v: ReturnType<typeof D>) => expected.set(o, (expected.get(o) ?? D(0)).plus(v));
  for (const o of orders) add(o.openid, D(o.remaining).plus(o.feeEscrowed));
  for (const t of trades) add(t.seller, D(t.quantity).plus(t.fee));
  const accounts = await readAll<{ _id: string; owner: string; balance: string }>(getDb().collection('accounts').orderBy('_id', 'asc'));
  for (const a of accounts) {
    if (!a._id.endsWith(':escrow')) continue;
    const owner = a._id.slice('user:'.length, -':escrow'.length);
    expect(`${owner} ${D(a.balance).toFixed(2)}`).toBe(`${owner} ${(expected.get(owner) ?? D(0)).toFixed(2)}`);
    expected.delete(owner);
  }
  for (const [owner, v] of expected) expect(`${owner} ${v.toFixed(2)}`).toBe(`${owner} 0.00`);
  // no book is crossed
  const depth = await m(ADMIN, 'depth', { levels: 1 });
  if (depth.bids.length && depth.asks.length) expect(depth.bids[0].priceFen).toBeLessThan(depth.asks[0].priceFen);
}

/** Cancel everything open so that scenarios do not meet each other's orders. */
async function clearBook(): Promise<void> {
  const open = await readAll<OrderDoc>(getDb().collection(ORDERS).where({ status: 'open' }));
  for (const o of open) await m(o.openid, 'cancel', { orderId: o._id });
}

let n = 0;
async function newUsers(k: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < k; i++) {
    const o = `o_mkt_${++n}`;
    await login(tc, o);
    out.push(o);
  }
  return out;
}

async function lapseTimer(): Promise<void> {
  await tc.fireTimer('timeouts');
}

afterEach(async () => {
  await checkInvariants();
  await clearBook();
  await checkInvariants();
});

describe('orders, matching and a trade through to completion', () => {
  test('a sell order escrows quantity + fee; a buy matches at the resting price; paid; confirmed', async () => {
    const [seller, buyer, other] = await newUsers(3);
    await grantPoints(tc, seller, '200');
    await setPayment(seller, '支付宝 138****0000 卖家');

    const sell = await place(seller, 'sell', 200, '100');
    expect(sell.order).toMatchObject({ side: 'sell', priceFen: 200, quantity: '100.00', remaining: '100.00', feeEscrowed: '5.00', status: 'open' });
    expect(sell.trades).toEqual([]);
    expect(await availableOf(tc, seller)).toBe('95.00');
    expect(await escrowOf(tc, seller)).toBe('105.00');

    const depth0 = await m(other, 'depth', {});
    expect(depth0).toMatchObject({ guidePriceFen: 200, minPriceFen: 180, maxPriceFen: 220, feeRate: '0.05' });
    expect(depth0.asks).toEqual([{ priceFen: 200, quantity: '100.00' }]);

    const buy = await place(buyer, 'buy', 210, '40');
    expect(buy.order).toMatchObject({ side: 'buy', remaining: '0.00', status: 'filled' });
    expect(buy.trades).toHaveLength(1);
    const t = buy.trades[0];
    expect(t).toMatchObject({ role: 'buyer', priceFen: 200, quantity: '40.00', amountFen: 8000, fee: '2.00', status: 'awaiting_payment', payDeadline: T0 + 30 * MIN });
    expect(t.sellerPayment).toEqual({ qrImageUrl: null, accountText: '支付宝 138****0000 卖家' });

    // the seller sees it without payment details (those are for the buyer), a third party not at all
    const asSeller = await m(seller, 'trade', { tradeId: t.id });
    expect(asSeller).toMatchObject({ role: 'seller', sellerPayment: null });
    await refused(tc, 'market', other, { action: 'trade', tradeId: t.id }, 'NOT_YOUR_TRADE');
    const sellerTrades = await m(seller, 'myTrades', {});
    expect(sellerTrades.items.map((x: Trade) => [x.id, x.sellerPayment])).toEqual([[t.id, null]]);

    // the order book: 60 left at 200
    expect((await m(other, 'depth', {})).asks).toEqual([{ priceFen: 200, quantity: '60.00' }]);
    const sellAfter = (await m(seller, 'myOrders', { status: 'open' })).items[0];
    expect(sellAfter).toMatchObject({ remaining: '60.00', feeEscrowed: '3.00' });

    // the buyer marks paid: the seller is told
    const before = tc.messages().length;
    const paid = await m(buyer, 'markPaid', { tradeId: t.id });
    expect(paid).toMatchObject({ status: 'paid', paidAt: T0, appealableAt: T0 + 24 * HOUR });
    const msgs = tc.messages().slice(before);
    expect(msgs.map((x: any) => x.touser)).toEqual([seller]); // eslint-disable-line @typescript-eslint/no-explicit-any

    // the seller confirms: 40 to the buyer, 2 to the treasury; the buyer is told
    const treasuryBefore = await treasuryOf(tc);
    const done = await m(seller, 'confirm', { tradeId: t.id });
    expect(done).toMatchObject({ status: 'completed', completedAt: T0, role: 'seller' });
    expect(await availableOf(tc, buyer)).toBe('40.00');
    expect(await escrowOf(tc, seller)).toBe('63.00');
    expect(D(await treasuryOf(tc)).minus(treasuryBefore).toFixed(2)).toBe('2.00');
    expect(tc.messages().slice(before + 1).map((x: any) => x.touser)).toEqual([buyer]); // eslint-disable-line @typescript-eslint/no-explicit-any
    // confirming twice changes nothing
    expect(await m(seller, 'confirm', { tradeId: t.id })).toMatchObject({ status: 'completed' });
    expect(await availableOf(tc, buyer)).toBe('40.00');

    // the day's statistics and the tape
    const stats = await m(other, 'stats', {});
    expect(stats).toMatchObject({ day: '2026-03-02', volume: '40.00', vwapFen: 200, trades: 1 });
    expect(stats.history).toHaveLength(7);
    expect(stats.history[6]).toMatchObject({ day: '2026-03-02', guidePriceFen: 200, vwapFen: 200, volume: '40.00' });
    expect((await m(other, 'recentTrades', {})).items[0]).toEqual({ priceFen: 200, quantity: '40.00', at: T0 });

    // cancelling returns the unmatched 60 and its fee 3
    const sellId = sell.order.id;
    const cancelled = await m(seller, 'cancel', { orderId: sellId });
    expect(cancelled).toMatchObject({ status: 'cancelled', remaining: '60.00' });
    expect(await availableOf(tc, seller)).toBe('158.00'); // 200 − 40 sold − 2 fee
    expect(await escrowOf(tc, seller)).toBe('0.00');
    // a second cancel is a no-op
    expect(await m(seller, 'cancel', { orderId: sellId })).toMatchObject({ status: 'cancelled' });
    expect(await availableOf(tc, seller)).toBe('158.00');
  });

  test('price-time priority, partial fills, several trades at the resting prices; a replayed placement changes nothing', async () => {
    const [s1, s2, s3, buyer] = await newUsers(4);
    for (const s of [s1, s2, s3]) {
      await grantPoints(tc, s, '50');
      await setPayment(s);
    }
    await place(s1, 'sell', 205, '10');
    await tc.clock.advance(1000);
    await place(s2, 'sell', 201, '10');
    await tc.clock.advance(1000);
    await place(s3, 'sell', 201, '10'); // same price, later
    await tc.clock.advance(1000);
    const req = rid('buy');
    const r = await place(buyer, 'buy', 205, '25', req);
    expect(r.trades.map((t) => [t.priceFen, t.quantity, t.counterpartUserNo])).toEqual([
      [201, '10.00', expect.any(String)],
      [201, '10.00', expect.any(String)],
      [205, '5.00', expect.any(String)],
    ]);
    const sellers = await Promise.all(r.trades.map(async (t) => (await getDb().collection(TRADES).doc(t.id).get()).data.seller));
    expect(sellers).toEqual([s2, s3, s1]);
    expect(r.trades.map((t) => t.fee)).toEqual(['0.50', '0.50', '0.25']);
    expect(r.order.status).toBe('filled');

    const again = await place(buyer, 'buy', 205, '25', req);
    expect(again.order.id).toBe(r.order.id);
    await refused(tc, 'market', buyer, { action: 'place', side: 'buy', priceFen: 205, quantity: '26', requestId: req }, 'REQUEST_ID_REUSED');
    expect(again.trades.map((t) => t.id)).toEqual(r.trades.map((t) => t.id));
    expect((await readAll(getDb().collection(TRADES).where({ buyer }))).length).toBe(3);

    // a sell order placed twice with one requestId escrows once
    const sreq = rid('sell');
    await place(s1, 'sell', 210, '4', sreq);
    await place(s1, 'sell', 210, '4', sreq);
    expect(await escrowOf(tc, s1)).toBe(D('10').plus('0.50').plus('4').plus('0.20').toFixed(2)); // order 1 (5 left + 0.25 fee, 5 + 0.25 in trade) + order 2

    // an incoming sell matches the best bid first
    const [b2, b3] = await newUsers(2);
    await place(b2, 'buy', 190, '3');
    await tc.clock.advance(1000);
    await place(b3, 'buy', 195, '3');
    const s = await place(s2, 'sell', 190, '4');
    expect(s.trades.map((t) => [t.priceFen, t.quantity, t.role])).toEqual([
      [195, '3.00', 'seller'],
      [190, '1.00', 'seller'],
    ]);
    expect(s.order).toMatchObject({ status: 'filled', feeEscrowed: '0.00' });

    // depth aggregates a level's orders, best first, at most `levels`
    const [d1, d2] = await newUsers(2);
    for (const d of [d1, d2]) await grantPoints(tc, d, '20');
    for (const d of [d1, d2]) await setPayment(d);
    await place(d1, 'sell', 212, '1.5');
    await place(d2, 'sell', 212, '2.25');
    await place(d2, 'sell', 218, '1');
    await place(d1, 'buy', 185, '2');
    await place(d2, 'buy', 185, '3');
    await place(d1, 'buy', 181, '1');
    const depth = await m(d1, 'depth', { levels: 2 });
    expect(depth.asks).toEqual([{ priceFen: 205, quantity: '5.00' }, { priceFen: 210, quantity: '4.00' }]);
    expect(depth.bids).toEqual([{ priceFen: 190, quantity: '2.00' }, { priceFen: 185, quantity: '5.00' }]);
  });

  test('a large order against a deep book: at most MAX_FILLS_PER_TX fills a transaction, continued until filled', async () => {
    await clearBook();
    const n = MAX_FILLS_PER_TX * 2 + 3;
    const sellers = await newUsers(n);
    for (const s of sellers) {
      await grantPoints(tc, s, '5');
      await setPayment(s);
      await place(s, 'sell', 200, '1');
      await tc.clock.advance(10);
    }
    const [buyer] = await newUsers(1);
    const { result: r, ops } = await recordOps(() => place(buyer, 'buy', 200, String(n)));
    expect(r.order.status).toBe('filled');
    expect(r.trades).toHaveLength(n);
    expect(new Set(r.trades.map((t) => t.id)).size).toBe(n);
    // the transactions: each created at most MAX_FILLS_PER_TX trades
    const perTx: number[] = [];
    for (const o of ops) {
      if (o.op === 'begin') perTx.push(0);
      if (o.op === 'add' && o.coll === TRADES) perTx[perTx.length - 1]++;
    }
    expect(perTx.filter((x) => x > 0)).toEqual([MAX_FILLS_PER_TX, MAX_FILLS_PER_TX, 3]);
    await checkInvariants();
  });

  test("the day's volume and volume-weighted price count completed trades only, rounded half up to the fen", async () => {
    const [seller, buyer, seller2, buyer2] = await newUsers(4);
    await grantPoints(tc, seller, '100');
    await grantPoints(tc, seller2, '100');
    await setPayment(seller);
    await setPayment(seller2);
    await tc.clock.advance(24 * HOUR); // a day with no trades yet
    const base = await m(buyer, 'stats', {});
    expect(base).toMatchObject({ volume: '0.00', vwapFen: null, trades: 0 });
    await place(seller, 'sell', 200, '10');
    await place(seller, 'sell', 210, '30');
    const { trades } = await place(buyer, 'buy', 210, '40');
    await place(seller2, 'sell', 219, '5');
    await place(buyer2, 'buy', 219, '5'); // matched but never completed: not counted
    for (const t of trades) {
      await m(buyer, 'markPaid', { tradeId: t.id });
      await m(seller, 'confirm', { tradeId: t.id });
    }
    const st = await m(buyer, 'stats', { day: base.day });
    expect(D(st.volume).minus(base.volume).toFixed(2)).toBe('40.00');
    expect(st.trades - base.trades).toBe(2);
    expect(st.vwapFen).toBe(208); // (10×200 + 30×210) / 40 = 207.5 → 208
    expect(st.history[5]).toMatchObject({ volume: '40.00', vwapFen: 200 }); // yesterday: the first scenario's trade
    await refused(tc, 'market', buyer, { action: 'stats', day: '2026-02-30' }, 'BAD_DAY');
  });

  test('two buyers racing for one sell order: one fill, no double spend', async () => {
    for (let round = 0; round < 3; round++) {
      const [seller, b1, b2, b3] = await newUsers(4);
      await grantPoints(tc, seller, '20');
      await setPayment(seller);
      const sell = await place(seller, 'sell', 200, '10');
      const results = await Promise.all([b1, b2, b3].map((b) => place(b, 'buy', 200, '10')));
      const filled = results.filter((x) => x.trades.length > 0);
      expect(filled).toHaveLength(1);
      expect(filled[0].trades[0].quantity).toBe('10.00');
      const rest = results.filter((x) => x.trades.length === 0);
      for (const x of rest) expect(x.order).toMatchObject({ status: 'open', remaining: '10.00' });
      const trades = await readAll<TradeDoc>(getDb().collection(TRADES).where({ sellOrderId: sell.order.id }));
      expect(trades).toHaveLength(1);
      expect(await escrowOf(tc, seller)).toBe('10.50');
      expect(await availableOf(tc, seller)).toBe('9.50');
      await checkInvariants();
      await clearBook();
    }
    // partial: 10 for sale, two buyers of 7 at once → 7 + 3, the second rests with 4
    const [seller, b1, b2] = await newUsers(3);
    await grantPoints(tc, seller, '20');
    await setPayment(seller);
    const sell = await place(seller, 'sell', 200, '10');
    const results = await Promise.all([b1, b2].map((b) => place(b, 'buy', 200, '7')));
    const qty = results.flatMap((x) => x.trades.map((t) => t.quantity)).sort();
    expect(qty).toEqual(['3.00', '7.00']);
    const order = (await getDb().collection(ORDERS).doc(sell.order.id).get()).data as OrderDoc;
    expect(order).toMatchObject({ status: 'filled', remaining: '0.00', feeEscrowed: '0.00' });
    expect(results.map((x) => x.order.remaining).sort()).toEqual(['0.00', '4.00']);
  });
});

describe('the guide price band', () => {
  test('new orders follow the band of the day; a resting order keeps its price when the guide price moves', async () => {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '20');
    await setPayment(seller);
    await place(seller, 'sell', 181, '5');
    try {
      await ok(tc, 'admin', ADMIN, { action: 'setGuidePrice', priceFen: 220, reason: '测试：指导价上调' });
      const d = await m(buyer, 'depth', {});
      expect(d).toMatchObject({ guidePriceFen: 220, minPriceFen: 198, maxPriceFen: 242 });
      await refused(tc, 'market', seller, { action: 'place', side: 'sell', priceFen: 181, quantity: '1', requestId: rid() }, 'PRICE_OUT_OF_BAND');
      await refused(tc, 'market', buyer, { action: 'place', side: 'buy', priceFen: 197, quantity: '1', requestId: rid() }, 'PRICE_OUT_OF_BAND');
      const r = await place(buyer, 'buy', 198, '2');
      expect(r.trades.map((t) => [t.priceFen, t.quantity])).toEqual([[181, '2.00']]);
    } finally {
      await ok(tc, 'admin', ADMIN, { action: 'setGuidePrice', priceFen: 200, reason: '测试：恢复' });
    }
  });
});

describe('concurrency', () => {
  test('one request placed three times at once escrows once; sells racing for one balance never overdraw it', async () => {
    const [seller] = await newUsers(1);
    await grantPoints(tc, seller, '21');
    await setPayment(seller);
    const req = rid('dup');
    const same = await Promise.all([1, 2, 3].map(() => call(tc, 'market', seller, { action: 'place', side: 'sell', priceFen: 215, quantity: '10', requestId: req })));
    expect(same.every((x) => x.ok)).toBe(true);
    expect(new Set(same.map((x) => (x.ok ? (x.data as { order: MarketOrder }).order.id : '')))).toHaveProperty('size', 1);
    expect(await escrowOf(tc, seller)).toBe('10.50');
    // 10.50 left: three sells of 5 (5.25 each) at once — exactly two fit
    const three = await Promise.all([1, 2, 3].map(() => call(tc, 'market', seller, { action: 'place', side: 'sell', priceFen: 215, quantity: '5', requestId: rid('s') })));
    expect(three.filter((x) => x.ok)).toHaveLength(2);
    expect(three.filter((x) => !x.ok).map((x) => (x.ok ? '' : x.error.code))).toEqual(['INSUFFICIENT_POINTS']);
    expect(await availableOf(tc, seller)).toBe('0.00');
    expect(await escrowOf(tc, seller)).toBe('21.00');
  });

  test('under random transaction conflicts every action still lands once', async () => {
    const sellers = await newUsers(3);
    const buyers = await newUsers(4);
    for (const s of sellers) {
      await grantPoints(tc, s, '100');
      await setPayment(s);
    }
    tc.setFaults({ conflictRate: 0.3 });
    try {
      await Promise.all(sellers.map((s, i) => place(s, 'sell', 200 + i, '20')));
      const placed = await Promise.all(buyers.map((b, i) => place(b, 'buy', 202, `${7 + i}`)));
      const trades = placed.flatMap((p) => p.trades);
      // 7 + 8 + 9 + 10 = 34 bought of 60 offered
      expect(trades.reduce((a, t) => a.plus(t.quantity), D(0)).toFixed(2)).toBe('34.00');
      await Promise.all(trades.map((t) => m(buyers[placed.findIndex((p) => p.trades.includes(t))], 'markPaid', { tradeId: t.id })));
      const sellerOf = async (t: Trade) => ((await getDb().collection(TRADES).doc(t.id).get()).data as TradeDoc).seller;
      await Promise.all(trades.map(async (t) => m(await sellerOf(t), 'confirm', { tradeId: t.id })));
      await Promise.all(sellers.map(async (s) => {
        for (const o of (await m(s, 'myOrders', { status: 'open' })).items) await m(s, 'cancel', { orderId: o.id });
      }));
    } finally {
      tc.setFaults({ conflictRate: 0 });
    }
    const bought = await Promise.all(buyers.map((o) => availableOf(tc, o)));
    expect(bought).toEqual(['7.00', '8.00', '9.00', '10.00']);
    const left = (await Promise.all(sellers.map((o) => availableOf(tc, o)))).reduce((a, x) => a.plus(x), D(0));
    expect(left.toFixed(2)).toBe(D(300).minus(34).minus(D('1.70')).toFixed(2)); // fee 5% of 34 (per order: ceil2 of each)
  });
});

describe('cancellations and timeouts', () => {
  test('a seller cancelling while a trade awaits payment keeps that trade whole', async () => {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '20');
    await setPayment(seller);
    const sell = await place(seller, 'sell', 200, '10');
    const { trades } = await place(buyer, 'buy', 200, '4');
    await m(seller, 'cancel', { orderId: sell.order.id });
    expect(await availableOf(tc, seller)).toBe('15.80'); // 20 − 10.5 + 6 + 0.3
    expect(await escrowOf(tc, seller)).toBe('4.20');
    await m(buyer, 'markPaid', { tradeId: trades[0].id });
    await m(seller, 'confirm', { tradeId: trades[0].id });
    expect(await availableOf(tc, buyer)).toBe('4.00');
    expect(await escrowOf(tc, seller)).toBe('0.00');

    // cancelled order + an unpaid trade that lapses: the points go to the seller's available points
    const sell2 = await place(seller, 'sell', 200, '5');
    const t2 = (await place(buyer, 'buy', 200, '2')).trades[0];
    await m(seller, 'cancel', { orderId: sell2.order.id });
    await tc.clock.advance(31 * MIN);
    await lapseTimer();
    expect(await m(buyer, 'trade', { tradeId: t2.id })).toMatchObject({ status: 'cancelled' });
    expect(await escrowOf(tc, seller)).toBe('0.00');
    expect(await availableOf(tc, seller)).toBe('15.80');
    await refused(tc, 'market', buyer, { action: 'markPaid', tradeId: t2.id }, 'TRADE_NOT_AWAITING_PAYMENT');
  });

  test('unpaid after 30 minutes: cancelled by the timer, the points back into the order, the buyer told', async () => {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '20');
    await setPayment(seller);
    const sell = await place(seller, 'sell', 200, '10');
    const t = (await place(buyer, 'buy', 200, '6')).trades[0];
    await tc.clock.advance(29 * MIN);
    await lapseTimer();
    expect((await m(buyer, 'trade', { tradeId: t.id })).status).toBe('awaiting_payment');
    await tc.clock.advance(2 * MIN);
    const before = tc.messages().length;
    await lapseTimer();
    expect(await m(buyer, 'trade', { tradeId: t.id })).toMatchObject({ status: 'cancelled' });
    expect(tc.messages().slice(before).map((x: any) => x.touser)).toContain(buyer); // eslint-disable-line @typescript-eslint/no-explicit-any
    const order = (await m(seller, 'myOrders', {})).items.find((o: MarketOrder) => o.id === sell.order.id);
    expect(order).toMatchObject({ status: 'open', remaining: '10.00', feeEscrowed: '0.50' });
    expect(await escrowOf(tc, seller)).toBe('10.50');
    // a late "paid" is refused
    await refused(tc, 'market', buyer, { action: 'markPaid', tradeId: t.id }, 'TRADE_NOT_AWAITING_PAYMENT');

    // a trade that filled its order: lapsing opens the order again, and it meets a bid that came meanwhile
    const [s2, lazy, keen] = await newUsers(3);
    await grantPoints(tc, s2, '20');
    await setPayment(s2);
    await clearBook();
    const o2 = await place(s2, 'sell', 200, '5');
    const lt = (await place(lazy, 'buy', 200, '5')).trades[0];
    expect((await m(s2, 'myOrders', {})).items[0]).toMatchObject({ status: 'filled' });
    await place(keen, 'buy', 205, '3');
    await tc.clock.advance(31 * MIN);
    await lapseTimer();
    expect((await m(lazy, 'trade', { tradeId: lt.id })).status).toBe('cancelled');
    const reopened = (await m(s2, 'myOrders', {})).items.find((o: MarketOrder) => o.id === o2.order.id);
    expect(reopened).toMatchObject({ status: 'open', remaining: '2.00' });
    const keenTrades = (await m(keen, 'myTrades', {})).items;
    expect(keenTrades.map((x: Trade) => [x.priceFen, x.quantity, x.status])).toEqual([[205, '3.00', 'awaiting_payment']]);
  });

  /** A buyer who has just let two trades of 1 lapse (against a seller offering 30 at ¥2.00). */
  async function buyerWithTwoLapses(): Promise<string> {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '100');
    await setPayment(seller);
    await place(seller, 'sell', 200, '30');
    await place(buyer, 'buy', 200, '1');
    await place(buyer, 'buy', 200, '1');
    await tc.clock.advance(31 * MIN);
    await lapseTimer();
    return buyer;
  }

  test('a buyer who lets 3 trades lapse within 24 hours may not buy for 24 hours', async () => {
    const buyer = await buyerWithTwoLapses();
    await place(buyer, 'buy', 200, '1'); // 2 lapses so far: still allowed
    await place(buyer, 'buy', 190, '1'); // a resting bid, cancelled with the ban
    await tc.clock.advance(31 * MIN);
    await lapseTimer();
    const msg = await refused(tc, 'market', buyer, { action: 'place', side: 'buy', priceFen: 200, quantity: '1', requestId: rid() }, 'BUYER_SUSPENDED');
    expect(msg).toMatch(/暂停买入/);
    expect((await m(buyer, 'myOrders', { status: 'open' })).items).toEqual([]);
    // selling is still allowed
    await grantPoints(tc, buyer, '5');
    await setPayment(buyer);
    await place(buyer, 'sell', 219, '1');
    await tc.clock.advance(24 * HOUR);
    await place(buyer, 'buy', 200, '1');
  });

  test('lapses older than 24 hours do not count', async () => {
    const buyer = await buyerWithTwoLapses();
    await tc.clock.advance(24 * HOUR);
    await place(buyer, 'buy', 200, '1');
    await tc.clock.advance(31 * MIN);
    await lapseTimer();
    await place(buyer, 'buy', 200, '1'); // one lapse in the last 24 hours: still allowed
  });
});

describe('appeals', () => {
  async function paidTrade(): Promise<{ seller: string; buyer: string; t: Trade }> {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '50');
    await setPayment(seller);
    await place(seller, 'sell', 200, '20');
    const t = (await place(buyer, 'buy', 200, '20')).trades[0];
    await m(buyer, 'markPaid', { tradeId: t.id });
    return { seller, buyer, t };
  }

  test('released to the buyer', async () => {
    const { seller, buyer, t } = await paidTrade();
    await refused(tc, 'market', buyer, { action: 'appeal', tradeId: t.id, reason: '已付款，卖家不确认', proofImage: PROOF }, 'APPEAL_TOO_EARLY');
    await tc.clock.advance(24 * HOUR);
    const [stranger] = await newUsers(1);
    await refused(tc, 'market', stranger, { action: 'appeal', tradeId: t.id, reason: '我来申诉', proofImage: PROOF }, 'NOT_YOUR_TRADE');
    await refused(tc, 'market', buyer, { action: 'appeal', tradeId: t.id, reason: '  ', proofImage: PROOF }, 'REASON_REQUIRED');
    // an appeal takes a screenshot as proof
    await refused(tc, 'market', buyer, { action: 'appeal', tradeId: t.id, reason: '已付款，卖家不确认' }, 'PROOF_REQUIRED');
    await refused(tc, 'market', buyer, { action: 'appeal', tradeId: t.id, reason: '已付款，卖家不确认', proofImage: 'javascript:x' }, 'BAD_PROOF');
    const a = await m(buyer, 'appeal', { tradeId: t.id, reason: '已付款，卖家不确认', proofImage: PROOF });
    expect(a).toMatchObject({ status: 'appealed', appeal: { by: 'buyer', reason: '已付款，卖家不确认', proofs: [{ by: 'buyer', imageUrl: PROOF, note: '' }] } });
    await refused(tc, 'market', seller, { action: 'appeal', tradeId: t.id, reason: '没收到', proofImage: PROOF }, 'ALREADY_APPEALED');
    // the other side answers with its own screenshot; strangers cannot
    await m(seller, 'addProof', { tradeId: t.id, proofImage: 'https://img.example.com/bank.png', note: '银行流水没有这笔' });
    await refused(tc, 'market', stranger, { action: 'addProof', tradeId: t.id, proofImage: PROOF }, 'NOT_YOUR_TRADE');
    await m(seller, 'addProof', { tradeId: t.id, proofImage: PROOF });
    await m(seller, 'addProof', { tradeId: t.id, proofImage: PROOF });
    await refused(tc, 'market', seller, { action: 'addProof', tradeId: t.id, proofImage: PROOF }, 'TOO_MANY_PROOFS');

    await refused(tc, 'admin', buyer, { action: 'appeals' }, 'FORBIDDEN');
    await refused(tc, 'admin', buyer, { action: 'decideAppeal', tradeId: t.id, decision: 'release', reason: '自己裁决' }, 'FORBIDDEN');
    const list = await ok(tc, 'admin', ADMIN, { action: 'appeals' });
    const item = list.items.find((x: Trade) => x.id === t.id);
    expect(item).toMatchObject({ status: 'appealed', sellerPayment: null, buyerUserNo: expect.any(String), sellerUserNo: expect.any(String) });
    // the admin sees both sides' proof and the trade's timeline, by name
    expect(item.appeal.proofs.map((p: { by: string; note: string }) => [p.by, p.note])).toEqual([['buyer', ''], ['seller', '银行流水没有这笔'], ['seller', ''], ['seller', '']]);
    expect(item.buyerNickname).toMatch(/\S/);
    expect(item.timeline.map((e: { what: string }) => e.what)).toEqual([
      '成交：20.00 积分，单价 ¥2.00，应付 ¥40.00',
      `买家 ${item.buyerNickname} 标记已付款`,
      `买家 ${item.buyerNickname} 发起申诉：已付款，卖家不确认`,
      `买家 ${item.buyerNickname} 提交凭证`,
      `卖家 ${item.sellerNickname} 提交凭证：银行流水没有这笔`,
      `卖家 ${item.sellerNickname} 提交凭证`,
      `卖家 ${item.sellerNickname} 提交凭证`,
    ]);

    const treasuryBefore = await treasuryOf(tc);
    const d = await ok(tc, 'admin', ADMIN, { action: 'decideAppeal', tradeId: t.id, decision: 'release', reason: '买家提供了付款凭证' });
    expect(d).toMatchObject({ status: 'completed', appeal: { decision: 'release', decisionReason: '买家提供了付款凭证' } });
    expect(await availableOf(tc, buyer)).toBe('20.00');
    expect(await escrowOf(tc, seller)).toBe('0.00');
    expect(D(await treasuryOf(tc)).minus(treasuryBefore).toFixed(2)).toBe('1.00');
    expect((await m(seller, 'trade', { tradeId: t.id })).appeal).toMatchObject({ decision: 'release', decisionReason: '买家提供了付款凭证' });
    await refused(tc, 'admin', ADMIN, { action: 'decideAppeal', tradeId: t.id, decision: 'return', reason: '改判' }, 'APPEAL_DECIDED');
    expect((await ok(tc, 'admin', ADMIN, { action: 'appeals' })).items.find((x: Trade) => x.id === t.id)).toBeUndefined();
  });

  test('the seller may confirm before the buyer marks paid, or give in during an appeal; decided appeals are listed', async () => {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '50');
    await setPayment(seller);
    await place(seller, 'sell', 200, '10');
    const t1 = (await place(buyer, 'buy', 200, '4')).trades[0];
    expect(await m(seller, 'confirm', { tradeId: t1.id })).toMatchObject({ status: 'completed' });
    const t2 = (await place(buyer, 'buy', 200, '6')).trades[0];
    await m(buyer, 'markPaid', { tradeId: t2.id });
    await tc.clock.advance(24 * HOUR);
    await m(buyer, 'appeal', { tradeId: t2.id, reason: '卖家不确认', proofImage: PROOF });
    expect(await m(seller, 'confirm', { tradeId: t2.id })).toMatchObject({ status: 'completed', appeal: { by: 'buyer' } });
    expect(await availableOf(tc, buyer)).toBe('10.00');
    await refused(tc, 'admin', ADMIN, { action: 'decideAppeal', tradeId: t2.id, decision: 'return', reason: '晚了' }, 'NOT_APPEALED');
    const decided = await ok(tc, 'admin', ADMIN, { action: 'appeals', status: 'decided' });
    expect(decided.items.every((x: Trade) => x.appeal?.decision)).toBe(true);
  });

  test('returned to the seller', async () => {
    const { seller, buyer, t } = await paidTrade();
    await tc.clock.advance(25 * HOUR);
    await m(seller, 'appeal', { tradeId: t.id, reason: '未收到付款', proofImage: PROOF });
    const d = await ok(tc, 'admin', ADMIN, { action: 'decideAppeal', tradeId: t.id, decision: 'return', reason: '买家无法提供付款凭证' });
    expect(d).toMatchObject({ status: 'cancelled', appeal: { by: 'seller', decision: 'return', decisionReason: '买家无法提供付款凭证' } });
    expect(await availableOf(tc, buyer)).toBe('0.00');
    expect(await availableOf(tc, seller)).toBe('50.00'); // 20 + fee 1 back
    expect(await escrowOf(tc, seller)).toBe('0.00');
  });
});

describe('the buyer cancels before paying; both sides see each other by name', () => {
  test('cancel returns the points to the sell order, counts as a lapse, and is refused once paid', async () => {
    const [seller, buyer] = await newUsers(2);
    await ok(tc, 'user', seller, { action: 'updateProfile', nickname: '卖家阿美' });
    await ok(tc, 'user', buyer, { action: 'updateProfile', nickname: '买家阿强' });
    await grantPoints(tc, seller, '50');
    await setPayment(seller);
    const sell = await place(seller, 'sell', 200, '10');
    const t = (await place(buyer, 'buy', 200, '4')).trades[0];
    // the seller matches the payment to the payer's name; the buyer sees whom they pay
    expect(await m(seller, 'trade', { tradeId: t.id })).toMatchObject({ counterpartNickname: '买家阿强', counterpartUserNo: expect.any(String) });
    expect(t).toMatchObject({ counterpartNickname: '卖家阿美' });
    await refused(tc, 'market', seller, { action: 'cancelTrade', tradeId: t.id }, 'NOT_BUYER');
    const c = await m(buyer, 'cancelTrade', { tradeId: t.id });
    expect(c).toMatchObject({ status: 'cancelled', cancelReason: 'buyer_cancelled' });
    expect(await m(buyer, 'cancelTrade', { tradeId: t.id })).toMatchObject({ status: 'cancelled' }); // a replay
    const mine = await m(seller, 'myOrders', { status: 'open' });
    expect(mine.items.find((o: MarketOrder) => o.id === sell.order.id)).toMatchObject({ remaining: '10.00' });
    const t2 = (await place(buyer, 'buy', 200, '2')).trades[0];
    await m(buyer, 'markPaid', { tradeId: t2.id });
    await refused(tc, 'market', buyer, { action: 'cancelTrade', tradeId: t2.id }, 'TRADE_NOT_AWAITING_PAYMENT');
    const penalty = await getDb().collection('marketPenalty').doc(buyer).get();
    expect((penalty.data as { lapses: number[] }).lapses).toHaveLength(1);
    await checkInvariants();
  });
});

describe('bad input is refused with a clear error and changes nothing', () => {
  test('orders and trades', async () => {
    // the timeouts job now runs due releases (issue 11), which move the guide price after the days above: pin it
    await ok(tc, 'admin', ADMIN, { action: 'setGuidePrice', priceFen: 200, reason: '测试：基准价' });
    const [seller, buyer, other] = await newUsers(3);
    await grantPoints(tc, seller, '10');
    await setPayment(seller);
    const snapshot = async () => [await availableOf(tc, seller), await escrowOf(tc, seller), (await readAll(getDb().collection(ORDERS).where({ openid: seller }))).length];
    const s0 = await snapshot();
    const place$ = (o: string, side: string, priceFen: unknown, quantity: unknown) => ({ action: 'place', side, priceFen, quantity, requestId: rid() });
    expect(await refused(tc, 'market', seller, place$(seller, 'sell', 221, '1'), 'PRICE_OUT_OF_BAND')).toMatch(/¥1.80–¥2.20/);
    await refused(tc, 'market', seller, place$(seller, 'sell', 179, '1'), 'PRICE_OUT_OF_BAND');
    await refused(tc, 'market', seller, place$(seller, 'sell', 200.5, '1'), 'BAD_PRICE');
    await refused(tc, 'market', seller, place$(seller, 'sell', 200, '0.99'), 'BAD_QUANTITY');
    await refused(tc, 'market', seller, place$(seller, 'sell', 200, '1.001'), 'BAD_QUANTITY');
    await refused(tc, 'market', seller, place$(seller, 'sell', 200, '-1'), 'BAD_QUANTITY');
    await refused(tc, 'market', seller, place$(seller, 'sell', 200, 'lots'), 'BAD_QUANTITY');
    await refused(tc, 'market', seller, place$(seller, 'short', 200, '1'), 'BAD_SIDE');
    await refused(tc, 'market', seller, { action: 'place', side: 'sell', priceFen: 200, quantity: '1' }, 'BAD_REQUEST_ID');
    // 10 held: selling 10 needs 10.50 with the fee
    expect(await refused(tc, 'market', seller, place$(seller, 'sell', 200, '10'), 'INSUFFICIENT_POINTS')).toMatch(/10.50/);
    await refused(tc, 'market', other, place$(other, 'sell', 200, '1'), 'PAYMENT_DETAILS_REQUIRED');
    expect(await snapshot()).toEqual(s0);

    const sell = await place(seller, 'sell', 200, '5');
    await refused(tc, 'market', seller, place$(seller, 'buy', 200, '1'), 'SELF_TRADE');
    await refused(tc, 'market', other, { action: 'cancel', orderId: sell.order.id }, 'ORDER_NOT_FOUND');
    const t = (await place(buyer, 'buy', 200, '2')).trades[0];
    const s1 = await snapshot();
    await refused(tc, 'market', buyer, { action: 'confirm', tradeId: t.id }, 'NOT_SELLER');
    await refused(tc, 'market', other, { action: 'confirm', tradeId: t.id }, 'NOT_YOUR_TRADE');
    await refused(tc, 'market', seller, { action: 'markPaid', tradeId: t.id }, 'NOT_BUYER');
    await refused(tc, 'market', other, { action: 'markPaid', tradeId: t.id }, 'NOT_YOUR_TRADE');
    await refused(tc, 'market', other, { action: 'appeal', tradeId: t.id, reason: '看看', proofImage: PROOF }, 'NOT_YOUR_TRADE');
    await refused(tc, 'market', buyer, { action: 'appeal', tradeId: t.id, reason: '还没付', proofImage: PROOF }, 'TRADE_NOT_APPEALABLE');
    await refused(tc, 'market', buyer, { action: 'trade', tradeId: 'MTnope-1' }, 'TRADE_NOT_FOUND');
    await refused(tc, 'market', buyer, { action: 'setPaymentDetails', qrImageUrl: 'javascript:alert(1)' }, 'BAD_PAYMENT_QR');
    await refused(tc, 'market', buyer, { action: 'nope' }, 'UNKNOWN_ACTION');
    expect(await snapshot()).toEqual(s1);
    expect((await m(buyer, 'trade', { tradeId: t.id })).status).toBe('awaiting_payment');
    expect(await availableOf(tc, buyer)).toBe('0.00');
  });

  test('payment QR from cloud storage is shown to the buyer only', async () => {
    const [seller, buyer] = await newUsers(2);
    await grantPoints(tc, seller, '10');
    const { fileID } = await tc.cloud.files.uploadFile({ cloudPath: `payment-qr/${seller}/qr.png`, fileContent: Buffer.from('PNG') });
    await m(seller, 'setPaymentDetails', { qrImageUrl: fileID, accountText: null });
    expect((await m(seller, 'getPaymentDetails')).qrImageUrl).toMatch(/^https?:\/\//);
    await place(seller, 'sell', 200, '2');
    const t = (await place(buyer, 'buy', 200, '2')).trades[0];
    expect(t.sellerPayment?.qrImageUrl).toMatch(/^https?:\/\//);
    expect(t.sellerPayment?.accountText).toBeNull();
    expect((await m(seller, 'trade', { tradeId: t.id })).sellerPayment).toBeNull();
    expect(await m(buyer, 'getPaymentDetails')).toEqual({ qrImageUrl: null, accountText: null });
    // with a sell order open, the payment details cannot be cleared altogether
    await place(seller, 'sell', 200, '1');
    await refused(tc, 'market', seller, { action: 'setPaymentDetails', qrImageUrl: null }, 'PAYMENT_DETAILS_REQUIRED');
    expect(await m(seller, 'setPaymentDetails', { accountText: '银行卡 6222****0001' })).toMatchObject({ accountText: '银行卡 6222****0001' });
    expect(await m(seller, 'setPaymentDetails', { qrImageUrl: null })).toEqual({ qrImageUrl: null, accountText: '银行卡 6222****0001' });
  });
});
