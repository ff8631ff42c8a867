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
