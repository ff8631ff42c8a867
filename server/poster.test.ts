/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import { decodePosterScene } from '../shared/poster';
import { activeMerchant, fail, login, ok, product, refused, worldForEachTest } from './testkit.testutil';

describe('merchant.posterCode: the share poster carries the sharer as referrer (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test("a product poster's code opens the product, names the store, and whoever registers from it is the sharer's invitee", async () => {
    const store = await activeMerchant(tc, 'o_bob', { name: '老王面馆' });
    const noodles = await product(tc, 'o_bob', '牛肉面', 2000, 50);
    const alice = await login(tc, 'o_alice');

    const code = await ok(tc, 'merchant', 'o_alice', { action: 'posterCode', merchantId: store, productId: noodles.id });
    expect(code.page).toBe('pages/product/index');
    expect(code.scene.length).toBeLessThanOrEqual(32);
    expect(decodePosterScene(code.scene)).toEqual({ merchantId: store, productId: noodles.id, referrerUserNo: alice.userNo });
    // the local cloud's stand-in code is an SVG that shows its scene and page
    expect(code.imageUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(code.imageUrl.split(',')[1], 'base64').toString('utf8');
    expect(svg).toContain(`scene: ${code.scene}`);
    expect(svg).toContain('pages/product/index');

    // the page it opens decodes the scene and logs the new user in with it, as a shared link's ref does
    const t = decodePosterScene(encodeURIComponent(code.scene))!;
    const dan = await login(tc, 'o_dan', { referrerUserNo: t.referrerUserNo, referrerMerchantId: t.merchantId });
    expect(dan.referrerUserNo).toBe(alice.userNo);
    const invited = await ok(tc, 'user', 'o_alice', { action: 'invitees' });
    expect(invited.items.map((x: any) => [x.userNo, x.via])).toEqual([[dan.userNo, 'user']]);

    // a store poster opens the store page
    const storeCode = await ok(tc, 'merchant', 'o_alice', { action: 'posterCode', merchantId: store });
    expect(storeCode.page).toBe('pages/merchant/index');
    expect(decodePosterScene(storeCode.scene)).toEqual({ merchantId: store, referrerUserNo: alice.userNo });
    // the owner shares their own store: the owner is the referrer
    const bob = await login(tc, 'o_bob');
    expect(decodePosterScene((await ok(tc, 'merchant', 'o_bob', { action: 'posterCode', merchantId: store })).scene)?.referrerUserNo).toBe(bob.userNo);
  });

  test('refused: unknown store, another store’s, off-shelf or deleted product, malformed ids, not registered', async () => {
    const store = await activeMerchant(tc, 'o_bob', { name: '老王面馆' });
    const other = await activeMerchant(tc, 'o_carol', { name: '鲜果铺' });
    const apple = await product(tc, 'o_carol', '苹果', 990, 5);
    const off = await product(tc, 'o_bob', '牛杂面', 2500, 5);
    await ok(tc, 'merchant', 'o_bob', { action: 'setOnShelf', productId: off.id, onShelf: false });
    const gone = await product(tc, 'o_bob', '牛腩面', 2500, 5);
    await ok(tc, 'merchant', 'o_bob', { action: 'deleteProduct', productId: gone.id });
    await login(tc, 'o_alice');

    await refused(tc, 'merchant', 'o_alice', { action: 'posterCode', merchantId: 'm99999999' }, 'MERCHANT_NOT_FOUND');
    for (const productId of [apple.id, off.id, gone.id, 'p2026030210000012345678']) {
      await refused(tc, 'merchant', 'o_alice', { action: 'posterCode', merchantId: store, productId }, 'PRODUCT_NOT_FOUND');
    }
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'posterCode' })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'posterCode', merchantId: store, productId: '../x' })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_nobody', { action: 'posterCode', merchantId: other })).code).toBe('NOT_REGISTERED');
  });
});
