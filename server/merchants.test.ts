import type { TestCloud } from '../localcloud/testing';
import { ADMIN, activeMerchant, application, balanceOf, fail, grantPoints, login, ok, product, rid, worldForEachTest } from './testkit.testutil';

const MIN = 60_000;

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('merchants through the gateway', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c), { setup: (c) => login(c, ADMIN) });

  test('apply with the fields of SPEC §6; bad applications are refused and change nothing', async () => {
    await login(tc, 'o_bob');
    const good = application('老王拉面');
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, name: '' }, 'INVALID_INPUT'],
      [{ ...good, name: 12 }, 'INVALID_INPUT'],
      [{ ...good, category: '军火' }, 'INVALID_INPUT'],
      [{ ...good, address: undefined }, 'INVALID_INPUT'],
      [{ ...good, contact: 'x' }, 'INVALID_INPUT'],
      [{ ...good, licenseImage: 'ftp://x' }, 'INVALID_INPUT'],
      [{ ...good, subMchId: 'abc' }, 'INVALID_INPUT'],
      [{ ...good, subMchId: 1230000001 }, 'INVALID_INPUT'],
      [{ ...good, description: 'x'.repeat(501) }, 'INVALID_INPUT'],
    ];
    for (const [payload, code] of cases) {
      const e = await fail(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...payload });
      expect([JSON.stringify(payload).slice(0, 60), e.code]).toEqual([JSON.stringify(payload).slice(0, 60), code]);
    }
    expect(await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).toBeNull();
    expect((await fail(tc, 'merchant', 'o_nobody', { action: 'apply', requestId: rid(), ...good })).code).toBe('NOT_REGISTERED');

    const requestId = rid('apply');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId, ...good });
    expect(m).toMatchObject({ name: '老王拉面', category: '餐饮美食', status: 'pending', ownerOpenid: 'o_bob', subMchId: '1230000001', pointsBalance: '0.00', acceptingOrders: false, depositValueFen: 50000, depositPointsNeeded: '250.00' });
    const replay = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId, ...good });
    expect(replay.id).toBe(m.id);
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'apply', requestId, ...good, name: '别的店' })).code).toBe('REQUEST_ID_REUSED');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...good })).code).toBe('ALREADY_APPLIED');
    expect((await login(tc, 'o_bob')).merchantId).toBe(m.id);
    // pending: not listed, not visible, no catalogue, no orders
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'list' })).items).toEqual([]);
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'get', merchantId: m.id })).code).toBe('MERCHANT_NOT_FOUND');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: 'x', priceFen: 1, stock: 1 })).code).toBe('MERCHANT_NOT_APPROVED');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '250' })).code).toBe('MERCHANT_NOT_APPROVED');
  });

  test('an admin approves or rejects with a reason; others cannot; a rejected applicant may apply again', async () => {
    await login(tc, 'o_bob');
    await login(tc, 'o_eve');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    expect((await fail(tc, 'admin', 'o_eve', { action: 'approveMerchant', merchantId: m.id })).code).toBe('FORBIDDEN');
    expect((await fail(tc, 'admin', 'o_bob', { action: 'rejectMerchant', merchantId: m.id, reason: '资料不全' })).code).toBe('FORBIDDEN');
    expect((await fail(tc, 'admin', 'o_eve', { action: 'pendingMerchants' })).code).toBe('FORBIDDEN');
    const pending = await ok(tc, 'admin', ADMIN, { action: 'pendingMerchants' });
    expect(pending.items.map((x: any) => x.id)).toEqual([m.id]);
    expect((await fail(tc, 'admin', ADMIN, { action: 'rejectMerchant', merchantId: m.id })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: 'm404' })).code).toBe('MERCHANT_NOT_FOUND');
    const r = await ok(tc, 'admin', ADMIN, { action: 'rejectMerchant', merchantId: m.id, reason: '营业执照不清晰' });
    expect(r).toMatchObject({ status: 'rejected', rejectReason: '营业执照不清晰' });
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).rejectReason).toBe('营业执照不清晰');
    expect((await fail(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id })).code).toBe('INVALID_STATE');
    await tc.clock.advance(1000);
    const again = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店'), licenseImage: 'cloud://env/clear.png' });
    expect(again).toMatchObject({ id: m.id, status: 'pending', rejectReason: null });
    const a = await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    expect(a.status).toBe('approved');
    expect((await login(tc, 'o_bob')).roles).toEqual(['user', 'merchant']);
    const audit = await ok(tc, 'admin', ADMIN, { action: 'audit' });
    expect(audit.items.map((x: any) => x.what)).toEqual(['merchant:approve', 'merchant:reject']);
    // by the admin's user number, in Chinese (issue 16)
    expect(audit.items[1]).toMatchObject({ by: (await login(tc, ADMIN)).userNo, whatText: '驳回商家入驻', change: '审核中 → 已驳回', reason: '营业执照不清晰' });
  });

  test('deposit: bought from the treasury at the guide price; active once the deposit value is held; top up the same way', async () => {
    await login(tc, 'o_bob');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    for (const points of ['0', '-5', '1.005', 'ten', 1.005, null, ['1']]) {
      const e = await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points });
      expect(e.code).toBe('INVALID_POINTS');
    }
    const over = await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '250.01' });
    expect(over).toMatchObject({ code: 'DEPOSIT_LIMIT' });
    expect(over.message).toContain('250.00'); // the store's own limit, never the treasury's balance
    const treasury0 = Number(await balanceOf(tc, 'treasury'));
    const depositRequest = rid('dep');
    const d1 = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: depositRequest, points: '100.01' });
    const d1again = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: depositRequest, points: '100.01' });
    expect(d1again.purchaseId).toBe(d1.purchaseId);
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: depositRequest, points: '100' })).code).toBe('REQUEST_ID_REUSED');
    expect(d1.priceFen).toBe(20002);
    expect(d1.pay.totalFee).toBe(20002);
    expect(tc.payOrder(d1.pay.outTradeNo)!.subMchId).toBe('1900000001'); // the platform's own sub-merchant
    expect(Number(await balanceOf(tc, 'treasury'))).toBe(treasury0 - 100.01); // reserved
    await tc.pay(d1.pay.outTradeNo, { times: 2 });
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: depositRequest, points: '100.01' })).code).toBe('INVALID_STATE');
    let mine = await ok(tc, 'merchant', 'o_bob', { action: 'mine' });
    expect(mine).toMatchObject({ status: 'approved', pointsBalance: '100.01', depositPointsNeeded: '149.99', acceptingOrders: false });
    const d2 = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '149.99' });
    await tc.pay(d2.pay.outTradeNo);
    mine = await ok(tc, 'merchant', 'o_bob', { action: 'mine' });
    expect(mine).toMatchObject({ status: 'active', pointsBalance: '250.00', depositPointsNeeded: '0.00', acceptingOrders: true });
    expect(Number(await balanceOf(tc, 'treasury'))).toBe(treasury0 - 250);
    // nothing beyond the deposit from the treasury (the C2C market sells more)
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '10' })).code).toBe('DEPOSIT_LIMIT');
    const hist = await ok(tc, 'user', 'o_bob', { action: 'ledger' });
    expect(hist.items.filter((i: any) => i.kind === 'deposit_purchase').map((i: any) => i.amount)).toEqual(['+149.99', '+100.01']);
    // below the deposit again (a sale's deduction): it may top up what is missing
    await activeMerchant(tc, 'o_carl');
    const order = await ok(tc, 'order', 'o_carl', { action: 'create', requestId: rid(), merchantId: m.id, amountFen: 10000 });
    await tc.pay(order.pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${m.id}`)).toBe('245.00');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '5.01' })).code).toBe('DEPOSIT_LIMIT');
    // a forged notification for a deposit changes nothing
    const d4 = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '5' });
    const forged = { returnCode: 'SUCCESS', resultCode: 'SUCCESS', outTradeNo: d4.pay.outTradeNo, totalFee: 1000, subMchId: '1900000001' };
    await tc.invoke('payment', forged, 'o_bob');
    await tc.invoke('payment', forged, { SOURCE: 'wx_paycallback' });
    expect(await balanceOf(tc, `merchant:${m.id}`)).toBe('245.00');
    await tc.pay(d4.pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${m.id}`)).toBe('250.00');
  });

  test('the owner moves points into the store (deposit bought on the market) and out (only above the deposit)', async () => {
    await login(tc, 'o_bob');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'toMerchant', points: '1', requestId: rid() })).code).toBe('MERCHANT_NOT_APPROVED');
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    await grantPoints(tc, 'o_bob', '300');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'toMerchant', points: '300.01', requestId: rid() })).code).toBe('INSUFFICIENT_POINTS');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'sideways', points: '1', requestId: rid() })).code).toBe('INVALID_INPUT');
    const requestId = rid('mv');
    const a = await ok(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'toMerchant', points: '280', requestId });
    expect(a).toMatchObject({ status: 'active', pointsBalance: '280.00' });
    await ok(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'toMerchant', points: '280', requestId }); // replay
    expect(await balanceOf(tc, 'user:o_bob:available')).toBe('20.00');
    const e = await fail(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'toAvailable', points: '30.01', requestId: rid() });
    expect(e.code).toBe('DEPOSIT_REQUIRED');
    expect(e.message).toContain('30.00');
    const b = await ok(tc, 'merchant', 'o_bob', { action: 'movePoints', direction: 'toAvailable', points: '30', requestId: rid() });
    expect(b).toMatchObject({ status: 'active', pointsBalance: '250.00' });
    expect(await balanceOf(tc, 'user:o_bob:available')).toBe('50.00');
    expect((await fail(tc, 'merchant', 'o_eve', { action: 'movePoints', direction: 'toAvailable', points: '1', requestId: rid() })).code).toBe('NOT_REGISTERED');
  });

  test('an unpaid deposit purchase is cancelled after 30 minutes: the reserved points return to the treasury', async () => {
    await login(tc, 'o_bob');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    const t0 = await balanceOf(tc, 'treasury');
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '200' });
    expect(Number(await balanceOf(tc, 'treasury'))).toBe(Number(t0) - 200);
    await tc.clock.advance(31 * MIN);
    await tc.fireTimer('timeouts');
    expect(await balanceOf(tc, 'treasury')).toBe(t0);
    const p = (await tc.db.collection('purchases').doc(d.purchaseId).get()).data as any;
    expect(p.status).toBe('cancelled');
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).status).toBe('approved');
    // cancelled: the store may buy again
    const again = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '250' });
    await tc.pay(again.pay.outTradeNo);
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).status).toBe('active');
  });

  test('the treasury cannot be locked: one open purchase per store, no more than its deposit, no treasury figure, refunds never blocked, reserved shown as reserved', async () => {
    await login(tc, 'o_alice');
    const shopA = await activeMerchant(tc, 'o_bob');
    const p = await product(tc, 'o_bob', '面', 100000, 10);
    // a goods order paid (deduction 50 held for it), not shipped: the buyer may refund it
    const o = await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: shopA, items: [{ productId: p.id, quantity: 1 }] });
    await tc.pay(o.pay.outTradeNo);
    // the attacker: an approved store asks for the whole treasury, then as much as it may, repeatedly
    await login(tc, 'o_mallory');
    const evil = await ok(tc, 'merchant', 'o_mallory', { action: 'apply', requestId: rid(), ...application('坏店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: evil.id });
    const big = await fail(tc, 'merchant', 'o_mallory', { action: 'buyDeposit', requestId: rid(), points: '1000000' });
    expect(big.code).toBe('DEPOSIT_LIMIT');
    const treasury = await balanceOf(tc, 'treasury');
    expect(big.message).not.toContain(treasury);
    expect(big.message).not.toMatch(/储备/);
    const first = await ok(tc, 'merchant', 'o_mallory', { action: 'buyDeposit', requestId: rid(), points: '250' });
    const second = await fail(tc, 'merchant', 'o_mallory', { action: 'buyDeposit', requestId: rid(), points: '1' });
    expect(second.code).toBe('PURCHASE_PENDING');
    expect(Number(await balanceOf(tc, 'treasury'))).toBe(Number(treasury) - 250);
    // the dashboard shows the 250 as reserved, not circulating
    const dash = await ok(tc, 'admin', ADMIN, { action: 'dashboard' });
    expect(dash.treasuryReserved).toBe('250.00');
    const circulatingWithout = Number(dash.circulatingPoints);
    // the treasury emptied to the last point by the platform's own sale (test grant): a refund still goes through
    const rest = await balanceOf(tc, 'treasury');
    await grantPoints(tc, 'o_zed', rest);
    expect(await balanceOf(tc, 'treasury')).toBe('0.00');
    const short = await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '1' });
    expect(short.code).toBe('TREASURY_SHORT'); // bob is 50 short after the deduction, but the treasury is empty
    expect(short.message).not.toMatch(/\d/);
    const refunded = await ok(tc, 'order', 'o_alice', { action: 'refund', orderId: o.order.id, reason: '不要了' });
    expect(refunded.status).toBe('refunded');
    expect(await balanceOf(tc, `merchant:${shopA}`)).toBe('250.00');
    expect((await ok(tc, 'admin', ADMIN, { action: 'dashboard' })).circulatingPoints).toBe((circulatingWithout + Number(rest)).toFixed(2));
    // the purchase paid after all is delivered from its reservation
    await tc.pay(first.pay.outTradeNo);
    expect(await balanceOf(tc, `merchant:${evil.id}`)).toBe('250.00');
    expect((await ok(tc, 'admin', ADMIN, { action: 'dashboard' })).treasuryReserved).toBe('0.00');
  });

  test('the treasury short: TREASURY_SHORT without its figure', async () => {
    await login(tc, 'o_bob');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    const rest = Number(await balanceOf(tc, 'treasury')) - 100;
    await grantPoints(tc, 'o_zed', rest.toFixed(2));
    const e = await fail(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '200' });
    expect(e.code).toBe('TREASURY_SHORT');
    expect(e.message).not.toMatch(/100/);
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '100' })).priceFen).toBe(20000);
  });

  test('a deposit paid whose notification was lost is delivered by the timer instead of cancelled', async () => {
    await login(tc, 'o_bob');
    const m = await ok(tc, 'merchant', 'o_bob', { action: 'apply', requestId: rid(), ...application('小店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    const d = await ok(tc, 'merchant', 'o_bob', { action: 'buyDeposit', requestId: rid(), points: '250' });
    tc.setFaults({ failRate: 1 });
    await tc.pay(d.pay.outTradeNo).catch(() => undefined);
    tc.setFaults({ failRate: 0 });
    expect(await balanceOf(tc, `merchant:${m.id}`)).toBe('0.00');
    await tc.clock.advance(31 * MIN);
    await tc.fireTimer('timeouts');
    expect(await balanceOf(tc, `merchant:${m.id}`)).toBe('250.00');
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'mine' })).status).toBe('active');
  });

  test('catalogue: products with price, stock, images, on or off the shelf', async () => {
    const mid = await activeMerchant(tc, 'o_bob');
    await activeMerchant(tc, 'o_carl');
    await login(tc, 'o_alice');
    const requestId = rid('p');
    const p = await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId, title: '牛肉面', priceFen: 1800, stock: 20, images: ['https://img.example.com/1.png', 'cloud://env/2.png'], description: '招牌' });
    expect(p).toMatchObject({ merchantId: mid, title: '牛肉面', priceFen: 1800, stock: 20, onShelf: true, images: ['https://img.example.com/1.png', 'cloud://env/2.png'] });
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId, title: '牛肉面', priceFen: 1800, stock: 20, images: ['https://img.example.com/1.png', 'cloud://env/2.png'], description: '招牌' })).id).toBe(p.id);
    const edited = await ok(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), id: p.id, title: '大碗牛肉面', priceFen: 2200, stock: 15 });
    expect(edited).toMatchObject({ id: p.id, title: '大碗牛肉面', priceFen: 2200, stock: 15, description: '招牌' });
    const hidden = await product(tc, 'o_bob', '隐藏款', 100, 1);
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'setOnShelf', productId: hidden.id, onShelf: false })).onShelf).toBe(false);
    expect((await ok(tc, 'merchant', 'o_bob', { action: 'products' })).items.map((x: any) => x.title)).toEqual(['大碗牛肉面', '隐藏款']);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: mid })).products.map((x: any) => x.title)).toEqual(['大碗牛肉面']);
    const bad: [Record<string, unknown>, string][] = [
      [{ title: '', priceFen: 100, stock: 1 }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 0, stock: 1 }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: -1, stock: 1 }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 9.5, stock: 1 }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 100, stock: -1 }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 100, stock: '3' }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 100, stock: 1, images: 'a.png' }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 100, stock: 1, images: Array(10).fill('https://a/b.png') }, 'INVALID_INPUT'],
      [{ title: 'x', priceFen: 100, stock: 1, onShelf: 'yes' }, 'INVALID_INPUT'],
    ];
    for (const [payload, code] of bad) {
      expect([JSON.stringify(payload), (await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), ...payload })).code]).toEqual([JSON.stringify(payload), code]);
    }
    // the merchant typed yuan: the limits are said in grouped yuan, never in fen (issue 16)
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: 'x', priceFen: 100_000_001, stock: 1 })).message).toBe('价格不能大于 ¥1,000,000.00');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: 'x', priceFen: 0, stock: 1 })).message).toBe('价格必须大于 0');
    expect((await fail(tc, 'merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: 'x', priceFen: 100, stock: 2_000_000 })).message).toBe('库存不能大于 1,000,000');
    // someone else's product
    expect((await fail(tc, 'merchant', 'o_carl', { action: 'saveProduct', requestId: rid(), id: p.id, title: '抢', priceFen: 1, stock: 1 })).code).toBe('PRODUCT_NOT_FOUND');
    expect((await fail(tc, 'merchant', 'o_carl', { action: 'setOnShelf', productId: p.id, onShelf: false })).code).toBe('PRODUCT_NOT_FOUND');
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'products' })).code).toBe('NOT_MERCHANT');
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: mid })).products[0].priceFen).toBe(2200);
  });

  test('public listing with search and categories, paged; merchant page; pay code', async () => {
    const cats = (await ok(tc, 'merchant', 'o_any', { action: 'categories' })).items;
    expect(cats).toContain('餐饮美食');
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) ids.push(await activeMerchant(tc, `o_m${i}`, { name: i === 7 ? '阳光水果店' : `面馆${i}`, category: i === 7 ? '生鲜果蔬' : '餐饮美食' }));
    await login(tc, 'o_alice');
    const p1 = await ok(tc, 'merchant', 'o_alice', { action: 'list' });
    expect(p1.items).toHaveLength(20);
    expect(p1.nextCursor).toBeTruthy();
    const p2 = await ok(tc, 'merchant', 'o_alice', { action: 'list', cursor: p1.nextCursor });
    expect(p2.items).toHaveLength(1);
    expect(p2.nextCursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((m: any) => m.id))).toEqual(new Set(ids));
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'list', category: '生鲜果蔬' })).items.map((m: any) => m.name)).toEqual(['阳光水果店']);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'list', keyword: '水果' })).items.map((m: any) => m.name)).toEqual(['阳光水果店']);
    expect((await ok(tc, 'merchant', 'o_alice', { action: 'list', keyword: '.*' })).items).toEqual([]);
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'list', category: '不存在' })).code).toBe('INVALID_INPUT');
    const page = await ok(tc, 'merchant', 'o_alice', { action: 'get', merchantId: ids[7] });
    expect(page).toMatchObject({ id: ids[7], name: '阳光水果店', status: 'active', acceptingOrders: true, products: [] });
    // the in-store pay code
    const code = await ok(tc, 'merchant', 'o_m7', { action: 'payCode' });
    expect(code).toMatchObject({ page: 'pages/pay/index', scene: `m=${ids[7]}` });
    expect(code.imageUrl).toBeTruthy();
    expect((await ok(tc, 'merchant', 'o_m7', { action: 'payCode' })).imageUrl).toBe(code.imageUrl);
    expect((await fail(tc, 'merchant', 'o_alice', { action: 'payCode' })).code).toBe('NOT_MERCHANT');
  });
});
