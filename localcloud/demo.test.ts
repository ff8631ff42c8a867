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
    // ¥1079.80 spent a day ago; one release since: part of the shared value became points
    expect(Number(alice.data.sharedValue)).toBeGreaterThan(0);
    expect(Number(alice.data.available)).toBeGreaterThan(0);
    expect(Number(alice.data.sharedValue) + Number(alice.data.available) * 2).toBeCloseTo(1079.8, 0);
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
