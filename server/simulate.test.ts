/**
 * The simulator against the product (issue 17): the same 30 days played through the gateway — stores that
 * apply and buy their deposit, in-store orders paid partly with points, top-ups when a store goes below zero,
 * the 22:00 release timer — give the same figures as shared/simulate.ts, day by day.
 */
import type { TestCloud } from '../localcloud/testing';
import { floor2, minDec, dec } from '../shared/decimal';
import { maxPointsForAmount } from '../shared/settlement';
import { SimAssumptions, simulate, spendingFen, splitByMix, validateSimInput } from '../shared/simulate';
import { addDays, releaseMoment } from '../shared/time';
import { settleHolderNow, merchantHolderId } from './holders';
import { RELEASE_POOL, RELEASE_UNISSUED, treasuryTotal } from './ledger';
import { activeMerchant, ADMIN, availableOf, balanceOf, login, ok, rid, worldForFile } from './testkit.testutil';

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
describe('the simulator and the product agree over 30 days', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), { frozenClock: true });

  test('release, T, guide price, treasury, stores, buyers and the reference purchase, every day', async () => {
    const sim = simulate(validateSimInput({ assumptions: ASSUMPTIONS }), { settleStoresDaily: true });
    const input = sim.input.assumptions;
    await login(tc, ADMIN);
    const owners = ['o_sim_store_a', 'o_sim_store_b'];
    const stores: string[] = [];
    for (const o of owners) stores.push(await activeMerchant(tc, o, { depositPoints: '250' }));
    const BUYERS = 'o_sim_buyers';
    const REF = 'o_sim_ref';
    await login(tc, BUYERS);
    await login(tc, REF);

    let step = 0;
    const tick = () => tc.clock.set(tc.clock.now() + 1000, true);
    const order = async (buyer: string, storeIdx: number, amountFen: number, points: string) => {
      await tick();
      const { pay } = await ok(tc, 'order', buyer, { action: 'create', requestId: rid(`sim${++step}`), merchantId: stores[storeIdx], amountFen, ...(points !== '0.00' ? { points } : {}) });
      if (pay) await tc.pay(pay.outTradeNo);
    };

    for (let d = 1; d <= 30; d++) {
      const date = addDays(DAY1, d - 1);
      const day = sim.days[d - 1];
      await tc.clock.set(releaseMoment(date, 22) - 12 * HOUR, true); // 10:00
      const P = (await ok(tc, 'user', BUYERS, { action: 'assets' })).guidePriceFen as number;
      expect(P).toBe(day.guidePriceFen);

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

      await tc.clock.set(releaseMoment(date, 22), true);
      const run = await tc.fireTimer('release');
      expect(run.error).toBeFalsy();
      const rec = (await tc.db.collection('releaseDays').doc(date).get()).data as any;
      // the product settles a store at its next order; the simulator was asked to settle every day, so do it here
      for (const s of stores) await settleHolderNow(merchantHolderId(s));
      const buyers = await ok(tc, 'user', BUYERS, { action: 'assets' });
      const ref = await ok(tc, 'user', REF, { action: 'assets' });

      const product = {
        day: d,
        svTotal: floor2(rec.T).toFixed(2),
        released: dec(rec.released).toFixed(2),
        capped: rec.newEpoch,
        nextGuidePriceFen: rec.nextGuidePriceFen,
        unreleased: await balanceOf(tc, RELEASE_UNISSUED),
        pool: await balanceOf(tc, RELEASE_POOL),
        treasury: (await treasuryTotal()).total.toFixed(2), // the treasury and its inboxes of income not yet swept
        merchantBalances: await Promise.all(stores.map((s) => balanceOf(tc, `merchant:${s}`))),
        buyers: buyers.available,
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
    // the run covered both kinds of day, stores topping up from the treasury, and points paid
    expect(sim.days.filter((x) => x.capped).length).toBeGreaterThan(5);
    expect(sim.days.filter((x) => !x.capped).length).toBeGreaterThan(5);
    expect(sim.days.some((x) => dec(x.topUpTreasury).gt(0) && x.day > 1)).toBe(true);
    expect(sim.days.some((x) => dec(x.pointsPaid).gt(0))).toBe(true);
  });
});
