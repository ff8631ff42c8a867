/**
 * Transfers (user.transfer) through the gateway: by user number, immediate, final, idempotent on the request id;
 * every refusal changes nothing; the ledger is verified after every scenario (SPEC §10.1).
 */
import type { TestCloud } from '../localcloud/testing';
import { userEscrow } from './ledger';
import {
  availableOf, balanceOf, call, grantPoints, login, ok, refused, rid, worldForFile,
} from './testkit.testutil';

let tc: TestCloud;
worldForFile((c) => (tc = c), { frozenClock: true });

describe('transfers', () => {
  test('by user number: immediate and final; a replay returns the first result and moves nothing', async () => {
    const aNo = (await login(tc, 'o_tr_a')).userNo;
    const bNo = (await login(tc, 'o_tr_b')).userNo;
    expect(aNo).not.toBe(bNo);
    await grantPoints(tc, 'o_tr_a', '10');
    const req = rid('tr');
    const r = await ok(tc, 'user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '3.5', requestId: req, memo: '谢谢' });
    expect(r).toEqual({ transferId: expect.any(String), available: '6.50' });
    expect(await availableOf(tc, 'o_tr_b')).toBe('3.50');
    expect(await ok(tc, 'user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '3.5', requestId: req, memo: '谢谢' })).toEqual(r);
    expect(await availableOf(tc, 'o_tr_a')).toBe('6.50');
    expect(await availableOf(tc, 'o_tr_b')).toBe('3.50');

    // both see it in their history, signed from their side, with the other person's name (issue 16)
    await ok(tc, 'user', 'o_tr_a', { action: 'updateProfile', nickname: '阿甲' });
    await ok(tc, 'user', 'o_tr_b', { action: 'updateProfile', nickname: '阿乙' });
    const hb = await ok(tc, 'user', 'o_tr_b', { action: 'ledger' });
    expect(hb.items[0]).toMatchObject({ amount: '+3.50', memo: `阿甲（${aNo}）转赠给我：谢谢` });
    const ha = await ok(tc, 'user', 'o_tr_a', { action: 'ledger' });
    expect(ha.items[0]).toMatchObject({ amount: '-3.50', memo: `转赠给 阿乙（${bNo}）：谢谢` });

    // concurrent replays of one request move once
    const req2 = rid('tr');
    const all = await Promise.all([1, 2, 3].map(() => call(tc, 'user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '1', requestId: req2 })));
    expect(all.every((x) => x.ok)).toBe(true);
    expect(new Set(all.map((x) => JSON.stringify(x.ok && x.data))).size).toBe(1);
    expect(await availableOf(tc, 'o_tr_a')).toBe('5.50');
    expect(await availableOf(tc, 'o_tr_b')).toBe('4.50');

    // concurrent different transfers never overdraw: 5.50 available, four of 2 at once → two land
    const four = await Promise.all([1, 2, 3, 4].map(() => call(tc, 'user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '2', requestId: rid('tr') })));
    expect(four.filter((x) => x.ok)).toHaveLength(2);
    expect(four.filter((x) => !x.ok).map((x) => (x.ok ? '' : x.error.code))).toEqual(['INSUFFICIENT_POINTS', 'INSUFFICIENT_POINTS']);
    expect(await availableOf(tc, 'o_tr_a')).toBe('1.50');
    expect(await availableOf(tc, 'o_tr_b')).toBe('8.50');
  });

  test("the recipient's history never shows the sender's openid: not in ids, memos or cursors", async () => {
    const sender = 'o_tr_sender_7f3a';
    const recipient = 'o_tr_recipient_9c1e';
    const senderMe = await login(tc, sender);
    const senderNo = senderMe.userNo;
    const recipientNo = (await login(tc, recipient)).userNo;
    await grantPoints(tc, sender, '10');
    // three transfers in one millisecond (the clock is frozen): paging must still find its place among them
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await ok(tc, 'user', sender, { action: 'transfer', toUserNo: recipientNo, points: '1', requestId: rid('tr'), memo: '生日快乐' });
      sent.push(r.transferId);
    }
    // the ledger keys do name the sender: that is what must not leave the server
    const keys = ((await tc.db.collection('ledger').where({ kind: 'transfer', owners: recipient }).get()).data as { _id: string }[]).map((e) => e._id);
    expect(keys).toHaveLength(3);
    expect(keys.every((k) => k.includes(sender))).toBe(true);

    // the recipient pages through their history one item at a time
    const pages: unknown[] = [];
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string; memo: string; amount: string }[]; nextCursor: string | null } = await ok(tc, 'user', recipient, { action: 'ledger', limit: 1, cursor });
      pages.push(page);
      ids.push(...page.items.map((i) => i.id));
      for (const i of page.items) expect(i).toMatchObject({ amount: '+1.00', memo: `${senderMe.nickname}（${senderNo}）转赠给我：生日快乐` });
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toHaveLength(3);
    const shown = JSON.stringify(pages);
    expect(shown).not.toContain(sender);
    expect(shown).not.toContain('transfer:');
    expect(shown).not.toContain('user:');
    // the item ids are the ids the sender was given, and the sender's own history shows the same ids
    expect([...ids].sort()).toEqual([...sent].sort());
    const senderIds = (await ok(tc, 'user', sender, { action: 'ledger', limit: 10 })).items.map((i: { id: string }) => i.id);
    expect(senderIds).toEqual(expect.arrayContaining(sent));
    expect(JSON.stringify(sent)).not.toContain(sender);
    // a cursor naming an entry key is not accepted
    await refused(tc, 'user', recipient, { action: 'ledger', cursor: `${Date.now()}|${keys[0]}` }, 'BAD_CURSOR');
  });

  test('user.lookup: the nickname and avatar behind a number, nothing else; "abc" refused; limited per caller', async () => {
    await login(tc, 'o_lk_a');
    const bNo = (await login(tc, 'o_lk_b')).userNo;
    await ok(tc, 'user', 'o_lk_b', { action: 'updateProfile', nickname: '小乙', avatarUrl: 'https://img.example.com/b.png' });
    expect(await ok(tc, 'user', 'o_lk_a', { action: 'lookup', userNo: bNo })).toEqual({ userNo: bNo, nickname: '小乙', avatarUrl: 'https://img.example.com/b.png' });
    await refused(tc, 'user', 'o_lk_a', { action: 'lookup', userNo: 'abc' }, 'BAD_USER_NO');
    await refused(tc, 'user', 'o_lk_a', { action: 'lookup', userNo: '99999999' }, 'USER_NOT_FOUND');
    await refused(tc, 'user', 'o_lk_nobody', { action: 'lookup', userNo: bNo }, 'NOT_REGISTERED');
    // 30 a window (two used above): the 31st is refused, and the window passes
    for (let i = 0; i < 28; i++) await ok(tc, 'user', 'o_lk_a', { action: 'lookup', userNo: bNo });
    await refused(tc, 'user', 'o_lk_a', { action: 'lookup', userNo: bNo }, 'RATE_LIMITED');
    await tc.clock.advance(10 * 60_000);
    expect((await ok(tc, 'user', 'o_lk_a', { action: 'lookup', userNo: bNo })).nickname).toBe('小乙');
  });

  test('refused with a clear error and no change: self, nobody, bad amounts, too much, a reused request id', async () => {
    const aNo = (await login(tc, 'o_tr_c')).userNo;
    const bNo = (await login(tc, 'o_tr_d')).userNo;
    await grantPoints(tc, 'o_tr_c', '5.50');
    const req = rid('tr');
    await ok(tc, 'user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '0.5', requestId: req });
    const t = (points: unknown, toUserNo: unknown = bNo) => ({ action: 'transfer', toUserNo, points, requestId: rid('tr') });
    await refused(tc, 'user', 'o_tr_c', t('1', aNo), 'SELF_TRANSFER');
    await refused(tc, 'user', 'o_tr_c', t('1', '99999999'), 'USER_NOT_FOUND');
    await refused(tc, 'user', 'o_tr_c', t('1', 'abc'), 'BAD_USER_NO');
    await refused(tc, 'user', 'o_tr_c', t('1', null), 'BAD_USER_NO');
    await refused(tc, 'user', 'o_tr_c', t('1.001'), 'INVALID_POINTS');
    await refused(tc, 'user', 'o_tr_c', t('0'), 'INVALID_POINTS');
    await refused(tc, 'user', 'o_tr_c', t('-1'), 'INVALID_POINTS');
    await refused(tc, 'user', 'o_tr_c', t('1e2'), 'INVALID_POINTS');
    expect(await refused(tc, 'user', 'o_tr_c', t('5.01'), 'INSUFFICIENT_POINTS')).toMatch(/5.00/);
    // figures in messages are grouped (issue 16: "104998.95")
    expect(await refused(tc, 'user', 'o_tr_c', t('104998.95'), 'INSUFFICIENT_POINTS')).toBe('可用积分不足：可用 5.00，转赠 104,998.95');
    await refused(tc, 'user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '1', requestId: req }, 'REQUEST_ID_REUSED');
    await refused(tc, 'user', 'o_tr_c', { action: 'transfer', toUserNo: aNo, points: '0.5', requestId: req }, 'REQUEST_ID_REUSED');
    await refused(tc, 'user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '1', requestId: 'short' }, 'INVALID_REQUEST_ID');
    await refused(tc, 'user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '1', requestId: rid('tr'), memo: 'x'.repeat(51) }, 'BAD_MEMO');
    await refused(tc, 'user', 'o_tr_never', t('1'), 'NOT_REGISTERED');
    expect(await availableOf(tc, 'o_tr_c')).toBe('5.00');
    expect(await availableOf(tc, 'o_tr_d')).toBe('0.50');

    // points in market escrow cannot be given away
    await ok(tc, 'market', 'o_tr_c', { action: 'setPaymentDetails', accountText: '支付宝 o_tr_c' });
    await ok(tc, 'market', 'o_tr_c', { action: 'place', side: 'sell', priceFen: 200, quantity: '4', requestId: rid('s') });
    expect(await balanceOf(tc, userEscrow('o_tr_c'))).toBe('4.20');
    await refused(tc, 'user', 'o_tr_c', t('1'), 'INSUFFICIENT_POINTS');
    await ok(tc, 'user', 'o_tr_c', t('0.8'));
    expect(await availableOf(tc, 'o_tr_c')).toBe('0.00');
  });
});
