/**
 * The simulator against the product (issue 17): the same days played through the gateway — stores that apply
 * and buy their deposit, in-store orders paid partly with points, top-ups when a store goes below zero, C2C sales
 * (sell order, buy order, paid, confirmed), the 22:00 release timer — give the same figures as
 * shared/simulate.ts, day by day: 30 days of quiet and busy spending, and 12 days of sales moving the price.
 */
import type { TestCloud } from '../localcloud/testing';
import { floor2, minDec, dec } from '../shared/decimal';
import { maxPointsForAmount } from '../shared/settlement';
import { SimAssumptions, SimResult, simulate, spendingFen, splitByMix, validateSimInput } from '../shared/simulate';
import { addDays, releaseMoment } from '../shared/time';
import { settleHolderNow, merchantHolderId } from './holders';
import { RELEASE_POOL, RELEASE_POOL_SHARDS, releasePoolShard, RELEASE_UNISSUED, treasuryTotal } from './ledger';
import { activeMerchant, ADMIN, availableOf, balanceOf, login, ok, rid, worldForFile } from './testkit.testutil';

/** The release pool: `release:pool` and its claim shards (server/ledger.ts). */
async function poolOf(tc: Parameters<typeof balanceOf>[0]): Promise<string> {
  let total = dec(await balanceOf(tc, RELEASE_POOL));
  for (let k = 0; k < RELEASE_POOL_SHARDS; k++) total = total.plus(await balanceOf(tc, releasePoolShard(k)));
  return total.toFixed(2);
}

const DAY1 = '2026-03-02';
const HOUR = 3_600_000;

// quiet days (capped releases), a busy stretch (never capped, stores topping up every day), quiet again
const SPEND = [...Array(10).fill('300'), ...Array(10).fill('20000'), ...Array(10).fill('800')];
const ASSUMPTIONS: Partial<SimAssumptions> = {
  startDay: DAY1,
  days: 30,
  spending: { kind: 'list', yuan: SPEND },
  pointsShare: '0.5',
  storeMix: ['3', '1'],
  sellShare: '0',
  price: { kind: 'drift', perDay: '0' },
  reference: { yuan: '1000', day: 1 },
};

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Plays the simulation's days through the gateway in a fresh world (started at DAY1 10:00) and requires the
 * product's figures to be the simulator's after every release. Buyers sell on the market what the simulator
 * says they sell, at its price, to another user (both are "buyers" to the simulator).
 */
async function playAndCompare(tc: TestCloud, assumptions: Partial<SimAssumptions>): Promise<SimResult> {
  const sim = simulate(validateSimInput({ assumptions }), { settleStoresDaily: true });
  const input = sim.input.assumptions;
  await login(tc, ADMIN);
  const owners = input.storeMix.map((_, i) => `o_sim_store_${i}`);
  const stores: string[] = [];
  for (const o of owners) stores.push(await activeMerchant(tc, o, { depositPoints: '250' }));
  const BUYERS = 'o_sim_buyers';
  const MARKET = 'o_sim_market_buyer';
  const REF = 'o_sim_ref';
  for (const u of [BUYERS, MARKET, REF]) await login(tc, u);
  await ok(tc, 'market', BUYERS, { action: 'setPaymentDetails', accountText: '支付宝 sim-buyers' });

  let step = 0;
  const tick = () => tc.clock.set(tc.clock.now() + 1000, true);
  const order = async (buyer: string, storeIdx: number, amountFen: number, points: string) => {
    await tick();
    const { pay } = await ok(tc, 'order', buyer, { action: 'create', requestId: rid(`sim${++step}`), merchantId: stores[storeIdx], amountFen, ...(points !== '0.00' ? { points } : {}) });
    if (pay) await tc.pay(pay.outTradeNo);
  };

  for (const day of sim.days) {
    const d = day.day;
    const date = addDays(input.startDay, d - 1);
    await tc.clock.set(releaseMoment(date, 22) - 12 * HOUR, true); // 10:00
    const P = (await ok(tc, 'user', BUYERS, { action: 'assets' })).guidePriceFen as number;
    expect([d, P]).toEqual([d, day.guidePriceFen]);

    if (d === input.reference.day) await order(REF, 0, Number(dec(input.reference.yuan).times(100)), '0.00');
    const parts = splitByMix(spendingFen(input.spending, d), input.storeMix);
    for (let i = 0; i < parts.length; i++) {
      // the buyer pays pointsShare of the order with the points it holds (assets settles on read)
      const held = dec((await ok(tc, 'user', BUYERS, { action: 'assets' })).available);
      const part = dec(parts[i]).times(input.pointsShare).floor().toNumber();
      const pts = held.isZero() ? dec(0) : minDec(maxPointsForAmount(part, P), floor2(held));
      await order(BUYERS, i, parts[i], pts.toFixed(2));
    }
    // a store below zero buys back up to the deposit value at once
    for (let i = 0; i < stores.length; i++) {
      await settleHolderNow(merchantHolderId(stores[i]));
      const mine = await ok(tc, 'merchant', owners[i], { action: 'mine' });
      if (dec(mine.pointsBalance).isNegative()) {
        await tick();
        const dep = await ok(tc, 'merchant', owners[i], { action: 'buyDeposit', points: mine.depositPointsNeeded, requestId: rid(`dep${++step}`) });
        await tc.pay(dep.pay.outTradeNo);
      }
    }
    // the day's sale: a sell order and a buy order that meet, paid and confirmed before 22:00
    if (day.tradePriceFen !== null) {
      await tick();
      await ok(tc, 'market', BUYERS, { action: 'place', side: 'sell', priceFen: day.tradePriceFen, quantity: day.sold, requestId: rid(`sell${++step}`) });
      const bought = await ok(tc, 'market', MARKET, { action: 'place', side: 'buy', priceFen: day.tradePriceFen, quantity: day.sold, requestId: rid(`buy${++step}`) });
      expect(bought.trades).toHaveLength(1);
      const tradeId = bought.trades[0].id;
      await tick();
      await ok(tc, 'market', MARKET, { action: 'markPaid', tradeId });
      await tick();
      await ok(tc, 'market', BUYERS, { action: 'confirm', tradeId });
    }

    await tc.clock.set(releaseMoment(date, 22), true);
    const run = await tc.fireTimer('release');
    expect(run.error).toBeFalsy();
    const rec = (await tc.db.collection('releaseDays').doc(date).get()).data as any;
    // the product settles a store at its next order; the simulator was asked to settle every day, so do it here
    for (const s of stores) await settleHolderNow(merchantHolderId(s));
    const buyers = await ok(tc, 'user', BUYERS, { action: 'assets' });
    const market = await ok(tc, 'user', MARKET, { action: 'assets' });
    const ref = await ok(tc, 'user', REF, { action: 'assets' });

    const product = {
      day: d,
      svTotal: floor2(rec.T).toFixed(2),
      released: dec(rec.released).toFixed(2),
      capped: rec.newEpoch,
      nextGuidePriceFen: rec.nextGuidePriceFen,
      unreleased: await balanceOf(tc, RELEASE_UNISSUED),
      pool: await poolOf(tc),
      treasury: (await treasuryTotal()).total.toFixed(2), // the treasury and its inboxes of income not yet swept
      merchantBalances: await Promise.all(stores.map((s) => balanceOf(tc, `merchant:${s}`))),
      buyers: dec(buyers.available).plus(market.available).toFixed(2),
      refSv: ref.sharedValue,
      refPoints: await availableOf(tc, REF),
    };
    expect(product).toEqual({
      day: d,
      svTotal: day.svTotal,
      released: day.released,
      capped: day.capped,
      nextGuidePriceFen: day.nextGuidePriceFen,
      unreleased: day.unreleased,
      pool: day.pool,
      treasury: day.treasury,
      merchantBalances: day.merchantBalances,
      buyers: dec(day.buyersPoints).minus(day.reference.pointsReceived).toFixed(2),
      refSv: day.reference.sv,
      refPoints: day.reference.pointsReceived,
    });
  }
  return sim;
}

describe('the simulator and the product agree', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), { frozenClock: true });

  test('30 days: release, T, guide price, treasury, stores, buyers and the reference purchase, every day', async () => {
    const sim = await playAndCompare(tc, ASSUMPTIONS);
    // the run covered both kinds of day, stores topping up from the treasury, and points paid
    expect(sim.days.filter((x) => x.capped).length).toBeGreaterThan(5);
    expect(sim.days.filter((x) => !x.capped).length).toBeGreaterThan(5);
    expect(sim.days.some((x) => dec(x.topUpTreasury).gt(0) && x.day > 1)).toBe(true);
    expect(sim.days.some((x) => dec(x.pointsPaid).gt(0))).toBe(true);
  });
});

describe('the simulator and the product agree when holders sell', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), { frozenClock: true });

  test('12 days of C2C sales at +5 % a day: the guide price moves to the trades, the fees reach the treasury', async () => {
    const sim = await playAndCompare(tc, { startDay: DAY1, days: 12, spending: { kind: 'constant', yuanPerDay: '20000' }, storeMix: ['1'], sellShare: '0.5', price: { kind: 'drift', perDay: '0.05' }, reference: { yuan: '1000', day: 1 } });
    // the price rose every day there was a trade: 200 → 210 → 221 → …
    expect(sim.days.slice(0, 4).map((x) => x.guidePriceFen)).toEqual([200, 200, 210, 221]);
    expect(sim.days.filter((x) => x.tradePriceFen !== null).length).toBe(11);
    expect(dec(sim.days[11].fee).gt(0)).toBe(true);
  });
});
