/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import { ADMIN, activeMerchant, fail, login, ok, product, rid, worldForEachTest } from './testkit.testutil';

describe('search over products and stores (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('products by title or description, stores by name or category; only active stores, on shelf, not deleted', async () => {
    const noodles = await activeMerchant(tc, 'o_bob', { name: '老王面馆' });
    const fruit = await activeMerchant(tc, 'o_carol', { name: '鲜果铺', category: '生鲜果蔬' });
    const beef = await product(tc, 'o_bob', '牛肉面', 2000, 50);
    const plain = await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: '阳春面', priceFen: 1200, stock: 5, description: '清汤 牛骨熬制' });
    const off = await product(tc, 'o_bob', '牛杂面', 2500, 5);
    await ok(tc, 'merchant', 'o_bob', { action: 'setOnShelf', productId: off.id, onShelf: false });
    const gone = await product(tc, 'o_bob', '牛腩面', 2500, 5);
    await ok(tc, 'merchant', 'o_bob', { action: 'deleteProduct', productId: gone.id });
    const apple = await product(tc, 'o_carol', '苹果 Fuji', 990, 100);

    // callers who never registered search too (the home page before login)
    const r = await ok(tc, 'merchant', 'o_stranger', { action: 'search', keyword: '牛' });
    expect(r.products.map((x: any) => [x.id, x.storeName, x.sold])).toEqual([[beef.id, '老王面馆', 0], [plain.id, '老王面馆', 0]].sort());
    expect(r.stores).toEqual([]);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: 'fuji' })).products.map((x: any) => x.id)).toEqual([apple.id]);
    const byCategory = await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '生鲜' });
    expect(byCategory.stores.map((s: any) => s.id)).toEqual([fruit]);
    const byName = await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '面馆' });
    expect(byName.stores.map((s: any) => [s.id, s.name])).toEqual([[noodles, '老王面馆']]);
    // a regex in the keyword is text, not a pattern
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '.*' })).products).toEqual([]);

    // a suspended store's products and the store itself leave the results
    await login(tc, ADMIN);
    await ok(tc, 'admin', ADMIN, { action: 'suspendMerchant', merchantId: noodles, reason: '核查中' });
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '牛' })).products).toEqual([]);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '面馆' })).stores).toEqual([]);
  });

  test('paged by product id; stores only on the first page; bounded and validated', async () => {
    await activeMerchant(tc, 'o_bob', { name: '茶饮店' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await product(tc, 'o_bob', `奶茶 ${i}`, 1000 + i, 5)).id);
    ids.sort(); // by id: the order pages come in
    const first = await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '茶', limit: 2 });
    expect(first.stores.map((s: any) => s.name)).toEqual(['茶饮店']);
    expect(first.products.map((x: any) => x.id)).toEqual(ids.slice(0, 2));
    const second = await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '茶', limit: 2, cursor: first.nextCursor });
    expect(second.stores).toEqual([]);
    expect(second.products.map((x: any) => x.id)).toEqual(ids.slice(2, 4));
    const last = await ok(tc, 'merchant', 'o_alice', { action: 'search', keyword: '茶', limit: 2, cursor: second.nextCursor });
    expect(last.products.map((x: any) => x.id)).toEqual(ids.slice(4));
    expect(last.nextCursor).toBeNull();

    expect((await fail(tc, 'merchant', 'o_alice', { action: 'search', keyword: '' })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'search', keyword: 'x'.repeat(31) })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'search', keyword: '茶', limit: 51 })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'search', keyword: '茶', cursor: 'm00001' })).code).toBe('BAD_CURSOR');
  });
});
