import type { TestCloud } from '../localcloud/testing';
import { ADMIN, activeMerchant, login, ok, refused, rid, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
const AT22 = Date.UTC(2026, 2, 2, 14); // 2026-03-02 22:00 Asia/Shanghai, the first release after T0
const HOUR = 3_600_000;

describe('farming (issue 14.9)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c), { setup: async (c) => { await login(c, ADMIN); for (const u of ['o_alice', 'o_eve', 'o_finn', 'o_dora']) await login(c, u); } });

  async function trade(id: string, buyer: string, seller: string, priceFen: number, quantity: string, completedAt: number) {
    await tc.db.collection('marketTrades').doc(id).set({ data: { status: 'completed', buyer, seller, parties: [buyer, seller], completedAt, priceFen, quantity, createdAt: completedAt } });
  }

  test('the guide price ignores trades between linked accounts; the admin sees the patterns', async () => {
    const mid = await activeMerchant(tc, 'o_bob');
    // o_alice pays o_bob's store again and again (shared value for her, cash back to the owner)
    for (let i = 0; i < 5; i++) {
      const o = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100000 });
      await tc.pay(o.pay.outTradeNo);
    }
    // o_carl, recruited by o_bob, pays at o_bob's store
    const bobNo = (await login(tc, 'o_bob')).userNo;
    await login(tc, 'o_carl', { referrerUserNo: bobNo });
    const c = await ok(tc, 'order', 'o_carl', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 20000 });
    await tc.pay(c.pay.outTradeNo);
    // wash trades at the top of the band between o_eve and o_finn, one honest trade at ¥2.00
    for (let i = 0; i < 6; i++) await trade(`MTwash-${i}`, i % 2 ? 'o_eve' : 'o_finn', i % 2 ? 'o_finn' : 'o_eve', 220, '50.00', AT22 - 3 * HOUR + i);
    await trade('MThonest-1', 'o_alice', 'o_dora', 200, '1.00', AT22 - HOUR);

    await tc.clock.set(AT22 + 1000);
    await tc.fireTimer('release');
    const day = (await tc.db.collection('releaseDays').doc('2026-03-02').get()).data as any;
    expect(day).toMatchObject({ guidePriceFen: 200, nextGuidePriceFen: 200, trades: { count: 1, volume: '1.00', vwapFen: 200 } });

    await refused(tc, 'admin', 'o_alice', { action: 'farming' }, 'FORBIDDEN');
    await refused(tc, 'admin', ADMIN, { action: 'farming', days: 0 }, 'INVALID_INPUT');
    const v = await ok(tc, 'admin', ADMIN, { action: 'farming', days: 7 });
    const no = async (o: string) => (await login(tc, o)).userNo;
    expect(v.scanned).toEqual({ orders: 6, trades: 7, truncated: false });
    expect(v.repeatedPayers).toEqual([{ buyerUserNo: await no('o_alice'), merchantId: mid, orders: 5, cashFen: 500000, userSv: '5000.00' }]);
    expect(v.selfDealing).toEqual([{ kind: 'referral', buyerUserNo: await no('o_carl'), ownerUserNo: bobNo, merchantId: mid, orders: 1, cashFen: 20000, userSv: '200.00' }]);
    expect(v.pairTrades).toEqual([{ aUserNo: await no('o_eve'), bUserNo: await no('o_finn'), link: 'repeat', trades: 6, volume: '300.00', avgPriceFen: 220 }]);
    expect(JSON.stringify(v)).not.toMatch(/o_(alice|bob|carl|eve|finn|dora)/); // user numbers only
  });
});
