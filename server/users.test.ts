import type { TestCloud } from '../localcloud/testing';
import { ADMIN, activeMerchant, fail, grantPoints, login, ok, rid, worldForEachTest } from './testkit.testutil';
import { recordOps, writtenDocs } from './dbops.testutil';
import { drawUserNo } from './users';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('users through the gateway', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('user numbers are drawn: 6 digits for the first draws, then 8', () => {
    for (let i = 0; i < 200; i++) {
      expect(drawUserNo(i % 4)).toMatch(/^[1-9]\d{5}$/);
      expect(drawUserNo(4 + (i % 3))).toMatch(/^[1-9]\d{7}$/);
    }
  });

  test('a crowd of first logins at once: every one gets a distinct number, and no registration writes a shared document', async () => {
    const alice = await login(tc, 'o_alice');
    const { result: crowd, ops } = await recordOps(() =>
      Promise.all(Array.from({ length: 150 }, (_, i) => login(tc, `o_crowd${i}`, { referrerUserNo: alice.userNo }))),
    );
    expect(new Set(crowd.map((m) => m.userNo)).size).toBe(150);
    expect(crowd.every((m) => m.referrerUserNo === alice.userNo)).toBe(true);
    // each registration writes its own user document and its number's, nothing else (no counter, not the referrer's)
    const written = writtenDocs(ops);
    expect(written.every((d) => /^users\/o_crowd\d+$/.test(d) || /^userNos\/\d{6,8}$/.test(d))).toBe(true);
    expect(written).toHaveLength(300);
    // a number already taken (given out by hand) is drawn again
    const taken = (await login(tc, 'o_crowd0')).userNo;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const spy = jest.spyOn(require('crypto'), 'randomInt').mockReturnValueOnce(Number(taken)).mockReturnValueOnce(Number(taken));
    try {
      const late = await login(tc, 'o_late');
      expect(late.userNo).not.toBe(taken);
      expect(late.userNo).toMatch(/^\d{6}$/);
    } finally {
      spy.mockRestore();
    }
  });

  test('login creates the account once, with a short user number', async () => {
    const me = await login(tc, 'o_alice');
    expect(me).toMatchObject({ openid: 'o_alice', roles: ['user'], merchantId: null, referrerUserNo: null, riskAccepted: false });
    expect(me.userNo).toMatch(/^\d{6}$/);
    expect(me.nickname).toContain(me.userNo.slice(-4));
    const again = await login(tc, 'o_alice');
    expect(again.userNo).toBe(me.userNo);
    expect(again.createdAt).toBe(me.createdAt);
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => login(tc, `o_u${i}`)));
    expect(new Set(many.map((m) => m.userNo)).size).toBe(12);
    const admin = await login(tc, ADMIN);
    expect(admin.roles).toEqual(['user', 'admin']);
  });

  test('the referrer is recorded once at creation, by user number or by a merchant link, never oneself', async () => {
    const alice = await login(tc, 'o_alice');
    const bob = await login(tc, 'o_bob', { referrerUserNo: alice.userNo });
    expect(bob.referrerUserNo).toBe(alice.userNo);
    // later logins with another referrer change nothing
    const carl = await login(tc, 'o_carl');
    expect((await login(tc, 'o_bob', { referrerUserNo: carl.userNo })).referrerUserNo).toBe(alice.userNo);
    // an unknown number, a malformed one: the account is created without a referrer
    expect((await login(tc, 'o_dan', { referrerUserNo: '999999999' })).referrerUserNo).toBeNull();
    expect((await login(tc, 'o_dan2', { referrerUserNo: 'abc' })).referrerUserNo).toBeNull();
    expect((await fail(tc, 'user', 'o_dan3', { action: 'login', referrerUserNo: 12345 })).code).toBe('INVALID_INPUT');
    // a merchant's share link: its owner is the referrer
    const mid = await activeMerchant(tc, 'o_mer');
    const merOwner = await login(tc, 'o_mer');
    const eve = await login(tc, 'o_eve', { referrerMerchantId: mid });
    expect(eve.referrerUserNo).toBe(merOwner.userNo);
    // the owner opening their own link
    await tc.call('user', 'o_mer', { action: 'login', referrerMerchantId: mid });
    expect((await login(tc, 'o_mer')).referrerUserNo).toBeNull();
    const doc = (await tc.db.collection('users').doc('o_eve').get()).data as any;
    expect(doc).toMatchObject({ referrerOpenid: 'o_mer', referredVia: 'merchant', referrerMerchantId: mid });
  });

  test('profile and risk notice', async () => {
    await login(tc, 'o_alice');
    const me = await ok(tc, 'user', 'o_alice', { action: 'updateProfile', nickname: '  小爱 ', avatarUrl: 'https://img.example.com/a.png' });
    expect(me).toMatchObject({ nickname: '小爱', avatarUrl: 'https://img.example.com/a.png' });
    for (const bad of [{ nickname: '' }, { nickname: 'x'.repeat(31) }, { nickname: 5 }, { avatarUrl: 'javascript:alert(1)' }, { avatarUrl: ['x'] }, {}]) {
      const e = await fail(tc, 'user', 'o_alice', { action: 'updateProfile', ...bad });
      expect([JSON.stringify(bad), e.code]).toEqual([JSON.stringify(bad), 'INVALID_INPUT']);
    }
    expect((await login(tc, 'o_alice')).nickname).toBe('小爱');
    expect((await ok(tc, 'user', 'o_alice', { action: 'acceptRisk' })).riskAccepted).toBe(true);
    expect((await ok(tc, 'user', 'o_alice', { action: 'acceptRisk' })).riskAccepted).toBe(true);
    expect((await fail(tc, 'user', 'o_new', { action: 'updateProfile', nickname: 'x' })).code).toBe('NOT_REGISTERED');
  });

  test('assets and the paged ledger history', async () => {
    await login(tc, 'o_alice');
    const a0 = await ok(tc, 'user', 'o_alice', { action: 'assets' });
    expect(a0).toMatchObject({ sharedValue: '0.00', available: '0.00', escrow: '0.00', unsettled: '0.00', guidePriceFen: 200, businessDay: '2026-03-02' });
    expect(a0.nextReleaseAt).toBe(Date.UTC(2026, 2, 2, 14));
    for (let i = 1; i <= 25; i++) {
      await grantPoints(tc, 'o_alice', `${i}.00`);
      await tc.clock.advance(1000);
    }
    expect((await ok(tc, 'user', 'o_alice', { action: 'assets' })).available).toBe('325.00');
    const p1 = await ok(tc, 'user', 'o_alice', { action: 'ledger', limit: 10 });
    expect(p1.items).toHaveLength(10);
    expect(p1.items[0]).toMatchObject({ amount: '+25.00', account: 'available', kind: 'test_grant' });
    const p2 = await ok(tc, 'user', 'o_alice', { action: 'ledger', limit: 10, cursor: p1.nextCursor });
    const p3 = await ok(tc, 'user', 'o_alice', { action: 'ledger', limit: 10, cursor: p2.nextCursor });
    expect(p3.items).toHaveLength(5);
    expect(p3.nextCursor).toBeNull();
    const all = [...p1.items, ...p2.items, ...p3.items].map((i: any) => i.amount);
    expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `+${25 - i}.00`));
    expect((await fail(tc, 'user', 'o_alice', { action: 'ledger', cursor: 'bogus' })).code).toBe('BAD_CURSOR');
    expect((await fail(tc, 'user', 'o_alice', { action: 'ledger', limit: 0 })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'user', 'o_alice', { action: 'ledger', limit: '5' })).code).toBe('INVALID_INPUT');
    // someone else sees none of it
    await login(tc, 'o_bob');
    expect((await ok(tc, 'user', 'o_bob', { action: 'ledger' })).items).toEqual([]);
    expect((await fail(tc, 'user', 'o_nobody', { action: 'assets' })).code).toBe('NOT_REGISTERED');
    void rid;
  });
});
