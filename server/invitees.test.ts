/* eslint-disable @typescript-eslint/no-explicit-any */
import type { TestCloud } from '../localcloud/testing';
import { activeMerchant, fail, login, ok, worldForEachTest } from './testkit.testutil';

describe('我邀请的人: user.invitees (issue 15)', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('the users the caller referred, by card or by store, newest first, one level only, paged', async () => {
    const mid = await activeMerchant(tc, 'o_alice', { name: '爱丽丝小店' });
    const alice = await login(tc, 'o_alice');
    const bob = await login(tc, 'o_bob', { referrerUserNo: alice.userNo });
    await tc.clock.advance(1000);
    const carol = await login(tc, 'o_carol', { referrerMerchantId: mid });
    await tc.clock.advance(1000);
    // bob's invitee is not alice's: one level only
    const dave = await login(tc, 'o_dave', { referrerUserNo: bob.userNo });

    const mine = await ok(tc, 'user', 'o_alice', { action: 'invitees' });
    expect(mine.items.map((x: any) => [x.userNo, x.via])).toEqual([[carol.userNo, 'merchant'], [bob.userNo, 'user']]);
    expect(mine.items[0]).toEqual({ userNo: carol.userNo, nickname: carol.nickname, avatarUrl: '', joinedAt: expect.any(Number), via: 'merchant' });
    expect(JSON.stringify(mine)).not.toContain('o_'); // no openid leaves the server
    expect(mine.nextCursor).toBeNull();
    expect((await ok(tc, 'user', 'o_bob', { action: 'invitees' })).items.map((x: any) => x.userNo)).toEqual([dave.userNo]);
    expect((await ok(tc, 'user', 'o_dave', { action: 'invitees' })).items).toEqual([]);

    const p1 = await ok(tc, 'user', 'o_alice', { action: 'invitees', limit: 1 });
    expect(p1.items.map((x: any) => x.userNo)).toEqual([carol.userNo]);
    const p2 = await ok(tc, 'user', 'o_alice', { action: 'invitees', limit: 1, cursor: p1.nextCursor });
    expect(p2.items.map((x: any) => x.userNo)).toEqual([bob.userNo]);
    expect(p2.nextCursor).toBeNull();
  });

  test('users who joined in the same millisecond page without loss; cursors and limits are checked', async () => {
    const alice = await login(tc, 'o_alice');
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push((await login(tc, `o_u${i}`, { referrerUserNo: alice.userNo })).userNo);
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await ok(tc, 'user', 'o_alice', { action: 'invitees', limit: 2, ...(cursor ? { cursor } : {}) });
      got.push(...page.items.map((x: any) => x.userNo));
      cursor = page.nextCursor;
    } while (cursor);
    expect([...got].sort()).toEqual([...seen].sort());
    expect(new Set(got).size).toBe(5);
    expect((await fail(tc, 'user', 'o_alice', { action: 'invitees', cursor: 'o_bob' })).code).toBe('BAD_CURSOR');
    expect((await fail(tc, 'user', 'o_alice', { action: 'invitees', limit: 0 })).code).toBe('INVALID_INPUT');
    expect((await fail(tc, 'user', 'o_nobody', { action: 'invitees' })).code).toBe('NOT_REGISTERED');
  });
});
