import { startTestCloud, TestCloud } from './testing';
import { verifyLedger } from '../server/ledger';

describe('the demo world', () => {
  let tc: TestCloud;
  afterAll(async () => {
    await tc?.close();
  });

  test('seeds an admin, three active merchants with products, users with history; the ledger holds', async () => {
    tc = await startTestCloud({ seed: true });
    const list = await tc.call('merchant', 'demo_carol', { action: 'list' });
    expect(list.ok).toBe(true);
    expect(list.data.items.map((m: { name: string }) => m.name).sort()).toEqual(['数码小铺', '老王拉面', '鲜果坊'].sort());
    expect(list.data.items.every((m: { acceptingOrders: boolean }) => m.acceptingOrders)).toBe(true);
    const alice = await tc.call('user', 'demo_alice', { action: 'assets' });
    expect(alice.ok).toBe(true);
    // ¥1079.80 spent a day ago (1079.80 SV); one release since (T = 4,938.96, 888 points at ¥2): she received
    // 1079.80 ÷ 4938.96 × 888 = 194.14 points and kept 691.51 SV; 30 of them are offered on the market at ¥2.10,
    // so 30 + the 5% fee (1.50) wait in escrow
    expect(alice.data).toMatchObject({ sharedValue: '691.51', available: '162.64', escrow: '31.50' });
    const depth = await tc.call('market', 'demo_carol', { action: 'depth' });
    expect(depth.data.asks).toEqual([{ priceFen: 210, quantity: '30.00' }]);
    expect(depth.data.bids).toEqual([]);
    const st = await tc.call('user', 'demo_alice', { action: 'statements' });
    expect(st.data.items).toHaveLength(1);
    const bob = await tc.call('user', 'demo_bob', { action: 'login' });
    expect(bob.data.referrerUserNo).toBe((await tc.call('user', 'demo_alice', { action: 'login' })).data.userNo);
    const bobOrders = await tc.call('order', 'demo_bob', { action: 'list' });
    expect(bobOrders.data.items.map((o: { status: string }) => o.status).sort()).toEqual(['completed', 'completed', 'shipped', 'unpaid']);
    const pending = await tc.call('admin', 'demo_admin', { action: 'pendingMerchants' });
    expect(pending.data.items.map((m: { name: string }) => m.name)).toEqual(['杰哥咖啡']);
    const rep = await verifyLedger(tc.db);
    expect(rep.errors).toEqual([]);
  });
});
