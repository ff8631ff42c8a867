/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import { ADMIN, activeMerchant, fail, login, ok, product, rid, worldForEachTest } from './testkit.testutil';

describe('the home page: units sold, the hot feed, banners (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('units sold grow after a sale settles (not at payment, not for a refund); the feed puts what sells first', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { name: '老王面馆' });
    const beef = await product(tc, 'o_bob', '牛肉面', 2000, 50);
    const plain = await product(tc, 'o_bob', '阳春面', 1200, 50);
    await login(tc, 'o_alice');
    const buy = async (items: any[]) => {
      const r = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, items });
      await tc.pay(r.pay.outTradeNo);
      return r.order.id as string;
    };
    const a = await buy([{ productId: beef.id, quantity: 3 }, { productId: plain.id, quantity: 1 }]);
    const refunded = await buy([{ productId: plain.id, quantity: 5 }]);
    // paid, not yet settled: nothing sold yet
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'home' })).hot.map((x: any) => x.sold)).toEqual([0, 0]);
    await ok(tc, 'merchant', 'o_bob', { action: 'ship', orderId: a, carrier: '顺丰速运', trackingNo: 'SF1' });
    await ok(tc, 'order', 'o_alice', { action: 'confirm', orderId: a });
    await ok(tc, 'order', 'o_alice', { action: 'refund', orderId: refunded });
    const feed = await ok(tc, 'merchant', 'o_stranger', { action: 'home' });
    expect(feed.hot.map((x: any) => [x.title, x.sold, x.storeName])).toEqual([['牛肉面', 3, '老王面馆'], ['阳春面', 1, '老王面馆']]);
    expect(feed.banners).toEqual([]);
    // an off-shelf product leaves the feed; a limit is bounded
    await ok(tc, 'merchant', 'o_bob', { action: 'setOnShelf', productId: beef.id, onShelf: false });
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'home', limit: 1 })).hot.map((x: any) => x.title)).toEqual(['阳春面']);
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'home', limit: 31 })).code).toBe('INVALID_INPUT');
  });

  test('banners: set by an admin only, validated, linked to a store, audited, shown on the home page', async () => {
    const mid = await activeMerchant(tc, 'o_bob', { name: '老王面馆' });
    const banner = { image: 'cloud://env/banner1.png', title: '新店开业', merchantId: mid };
    expect((await fail(tc, 'admin', 'o_bob', { action: 'setBanners', banners: [banner] })).code).toBe('FORBIDDEN');
    expect((await fail(tc, 'admin', ADMIN, { action: 'setBanners', banners: [{ ...banner, image: 'javascript:x' }] })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'admin', ADMIN, { action: 'setBanners', banners: [{ ...banner, extra: 1 }] })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'admin', ADMIN, { action: 'setBanners', banners: Array(6).fill(banner) })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'admin', ADMIN, { action: 'setBanners', banners: [{ ...banner, merchantId: 'm99999999' }] })).code).toBe('MERCHANT_NOT_FOUND');
    expect(await ok(tc, 'admin', ADMIN, { action: 'setBanners', banners: [banner] })).toEqual({ items: [banner] });
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'home' })).banners).toEqual([banner]);
    await ok(tc, 'admin', ADMIN, { action: 'setBanners', banners: [] });
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'home' })).banners).toEqual([]);
    const audit = await ok(tc, 'admin', ADMIN, { action: 'audit' });
    const rows = audit.items.filter((r: any) => r.what === 'home:banners');
    expect(rows.map((r: any) => [r.whatText, r.change])).toEqual([
      ['设置首页横幅', `新店开业（${mid}） → 无`],
      ['设置首页横幅', `无 → 新店开业（${mid}）`],
    ]);
  });
});

describe('the feed by category, and products saved before search and categories (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test("a category chip shows that category's stores' products only; an unknown category is refused", async () => {
    await activeMerchant(tc, 'o_bob', { name: '老王面馆', category: '餐饮美食' });
    await activeMerchant(tc, 'o_carol', { name: '鲜果铺', category: '生鲜果蔬' });
    await product(tc, 'o_bob', '牛肉面', 2000, 50);
    await product(tc, 'o_carol', '苹果', 990, 50);
    await product(tc, 'o_carol', '香蕉', 590, 50);
    const titles = async (category?: string) => (await ok(tc, 'merchant', 'o_alice', { action: 'home', ...(category ? { category } : {}) })).hot.map((x: any) => x.title).sort();
    expect(await titles()).toEqual(['牛肉面', '苹果', '香蕉'].sort());
    expect(await titles('生鲜果蔬')).toEqual(['苹果', '香蕉'].sort());
    expect(await titles('餐饮美食')).toEqual(['牛肉面']);
    expect(await titles('数码家电')).toEqual([]);
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'home', category: '不存在' })).code).toBe('INVALID_INPUT');
  });

  test('a product saved before searchText and category existed is found by search and by its category after the timer’s backfill', async () => {
    await activeMerchant(tc, 'o_bob', { name: '老王面馆', category: '餐饮美食' });
    const old = await product(tc, 'o_bob', '老坛酸菜面', 1800, 20);
    const fresh = await product(tc, 'o_bob', '阳春面', 1200, 20);
    // as products were saved before this session's fields: no searchText, no category, no sold
    const cmd = tc.db.command;
    await tc.db.collection('products').doc(old.id).update({ data: { searchText: cmd.remove(), category: cmd.remove(), sold: cmd.remove() } });
    const before = await tc.db.collection('products').doc(old.id).get();
    expect(before.data).not.toHaveProperty('searchText');
    expect(before.data).not.toHaveProperty('category');
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '酸菜' })).products).toEqual([]);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'home', category: '餐饮美食' })).hot.map((x: any) => x.id)).toEqual([fresh.id]);

    await login(tc, ADMIN);
    const run = await ok(tc, 'timeouts', ADMIN, { action: 'tick' });
    expect(run.catalogue).toEqual({ found: 1, filled: 1 });
    const after = (await tc.db.collection('products').doc(old.id).get()).data as any;
    expect([after.searchText, after.category, after.sold]).toEqual(['老坛酸菜面 老坛酸菜面', '餐饮美食', 0]);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '酸菜' })).products.map((x: any) => x.id)).toEqual([old.id]);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'home', category: '餐饮美食' })).hot.map((x: any) => x.id).sort()).toEqual([old.id, fresh.id].sort());
    // nothing left: the next run finds nothing
    expect((await ok(tc, 'timeouts', ADMIN, { action: 'tick' })).catalogue).toEqual({ found: 0, filled: 0 });
  });
});
