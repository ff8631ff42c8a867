import type { TestCloud } from '../localcloud/testing';
import { ADMIN, activeMerchant, application, login, ok, rid, worldForFile } from './testkit.testutil';
import { checkEventShape, MAX_EVENT_DEPTH } from './validate';

/* eslint-disable @typescript-eslint/no-explicit-any */
function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

test('checkEventShape: real requests pass; too deep, too many values, too many characters are BAD_REQUEST', () => {
  expect(() => checkEventShape({ action: 'create', items: [{ productId: 'p1', quantity: 1 }], requestId: 'r-12345678' })).not.toThrow();
  expect(() => checkEventShape({ f: nested(MAX_EVENT_DEPTH - 1) })).not.toThrow();
  for (const bad of [{ f: nested(MAX_EVENT_DEPTH) }, { f: nested(20_000) }, { f: Array.from({ length: 6000 }, () => 1) }, { f: 'x'.repeat(300_000) }, Object.fromEntries(Array.from({ length: 6000 }, (_x, i) => [`k${i}`, i]))]) {
    expect(() => checkEventShape(bad)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  }
});

describe('events deeper or larger than any request are refused before any work', () => {
  let tc: TestCloud;
  let mid = '';
  worldForFile((c) => (tc = c), { setup: async (c) => { mid = await activeMerchant(c, 'o_bob'); await login(c, 'o_alice'); } });

  test('an unknown field 20,000 levels deep in order.create / merchant.saveProduct → 200 BAD_REQUEST, nothing changed', async () => {
    // JSON.stringify cannot write 20,000 levels: the body is written by hand, as an attacker would
    const DEEP = '__DEEP__';
    const deepJson = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    const calls: Array<[string, string, Record<string, unknown>]> = [
      ['order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100, extra: DEEP }],
      ['merchant', 'o_bob', { action: 'saveProduct', requestId: rid(), title: '面', priceFen: 100, stock: 1, extra: DEEP }],
      ['user', 'o_alice', { action: 'transfer', requestId: rid(), toUserNo: '100000', points: '1', memo: DEEP }],
      ['market', 'o_alice', { action: 'place', requestId: rid(), side: 'buy', priceFen: 200, quantity: '1', extra: { list: Array.from({ length: 6000 }, () => 0) } }],
    ];
    for (const [fn, who, ev] of calls) {
      const before = tc.cloud.engine.currentSeq();
      const body = JSON.stringify(ev).replace(`"${DEEP}"`, deepJson);
      const res = await fetch(`${tc.url}/api/${fn}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': who }, body });
      const r = { status: res.status, body: await res.json() };
      expect([fn, r.status, r.body.ok, r.body.error?.code]).toEqual([fn, 200, false, 'BAD_REQUEST']);
      expect(tc.cloud.engine.currentSeq()).toBe(before);
    }
    // the same requests without the hostile field work
    expect((await tc.call('order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 })).ok).toBe(true);
  });

  test('a deep payment notification is ignored, not thrown', async () => {
    expect(await tc.invoke('payment', { outTradeNo: 'O1', totalFee: 1, x: nested(1_000) }, { SOURCE: 'wx_paycallback' })).toEqual({ errcode: 0, errmsg: 'OK' });
  });
});

describe('paging cursors: only one a list gave', () => {
  let tc: TestCloud;
  let mid = '';
  worldForFile((c) => (tc = c), { setup: async (c) => { mid = await activeMerchant(c, 'o_bob'); await login(c, 'o_alice'); } });
  const LISTS: Array<[string, string, string]> = [
    ['user', 'ledger', 'o_alice'], ['merchant', 'list', 'o_alice'], ['merchant', 'orders', 'o_bob'], ['order', 'list', 'o_alice'],
    ['market', 'myOrders', 'o_alice'], ['market', 'myTrades', 'o_alice'], ['admin', 'audit', ADMIN], ['admin', 'pendingMerchants', ADMIN], ['admin', 'appeals', ADMIN],
  ];
  const JUNK: unknown[] = ['zzz', 'm', 'm1', "m100000' OR 1", '1|', '|O1', '99999999999999999999|O1', '1|O1|x', '-5', '1e3', 'x'.repeat(201), 5, {}, [], true, { $gt: '' }];

  test('junk cursors → BAD_CURSOR on every list, nothing changed', async () => {
    for (const [fn, action, who] of LISTS) {
      for (const cursor of JUNK) {
        const before = tc.cloud.engine.currentSeq();
        const r = await tc.call(fn, who, { action, cursor });
        expect([`${fn}.${action}`, cursor, r.ok, r.error?.code]).toEqual([`${fn}.${action}`, cursor, false, 'BAD_CURSOR']);
        expect(tc.cloud.engine.currentSeq()).toBe(before);
      }
    }
  });

  test('the cursors the lists give are taken', async () => {
    for (let i = 0; i < 21; i++) await ok(tc, 'order', 'o_alice', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 100 + i });
    for (const [fn, who] of [['order', 'o_alice'], ['merchant', 'o_bob']]) {
      const action = fn === 'order' ? 'list' : 'orders';
      const p1 = await ok(tc, fn, who, { action });
      expect(p1.items).toHaveLength(20);
      const p2 = await ok(tc, fn, who, { action, cursor: p1.nextCursor });
      expect(p2.items.length).toBeGreaterThanOrEqual(1);
    }
    for (let i = 0; i < 21; i++) {
      await login(tc, `o_app${i}`);
      await ok(tc, 'merchant', `o_app${i}`, { action: 'apply', requestId: rid(), ...application(`申请店${i}`) });
    }
    const pend = await ok(tc, 'admin', ADMIN, { action: 'pendingMerchants' });
    expect(pend.items).toHaveLength(20);
    expect((await ok(tc, 'admin', ADMIN, { action: 'pendingMerchants', cursor: pend.nextCursor })).items).toHaveLength(1);
    for (const m of [...pend.items]) await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    const audit = await ok(tc, 'admin', ADMIN, { action: 'audit' });
    expect(audit.nextCursor).toEqual(expect.any(String));
    expect((await ok(tc, 'admin', ADMIN, { action: 'audit', cursor: audit.nextCursor })).items.length).toBeGreaterThanOrEqual(1);
  });
});
