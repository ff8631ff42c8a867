/**
 * Transfers (user.transfer) through the gateway: by user number, immediate, final, idempotent on the request id;
 * every refusal changes nothing; the ledger is verified after every scenario (SPEC §10.1).
 */
import { startTestCloud } from '../localcloud/testing';
import { D } from '../shared/decimal';
import { getDb, runTx } from './db';
import { TREASURY, postEntry, userAvailable, userEscrow, verifyLedger } from './ledger';

type TC = Awaited<ReturnType<typeof startTestCloud>>;
let tc: TC;

let seq = 0;
const rid = (p = 'r') => `${p}-${Date.now().toString(36)}-${(++seq).toString(36).padStart(4, '0')}`;

type R<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
/* eslint-disable @typescript-eslint/no-explicit-any */
async function call<T = any>(fn: string, openid: string, event: Record<string, unknown>): Promise<R<T>> {
  return (await tc.call(fn, openid, event)) as R<T>;
}
async function ok<T = any>(fn: string, openid: string, event: Record<string, unknown>): Promise<T> {
  const r = await call<T>(fn, openid, event);
  if (!r.ok) throw new Error(`${fn}.${String(event.action)} as ${openid} failed: ${r.error.code} ${r.error.message}`);
  return r.data;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
async function refused(fn: string, openid: string, event: Record<string, unknown>, code: string): Promise<string> {
  const r = await call(fn, openid, event);
  if (r.ok) throw new Error(`${fn}.${String(event.action)} should have been refused with ${code}`);
  expect(r.error.code).toBe(code);
  expect(r.error.message).toMatch(/[\u4e00-\u9fa5]/);
  return r.error.message;
}

/** Test funding: points from the treasury, as a ledger entry (no product backdoor). */
async function grant(openid: string, amount: string): Promise<void> {
  await runTx((tx) => postEntry(tx, { key: `test:grant:${openid}:${rid('g')}`, kind: 'test_grant', debit: TREASURY, credit: userAvailable(openid), amount }));
}
async function balance(id: string): Promise<string> {
  const res = await getDb().collection('accounts').doc(id).get();
  return D(res?.data?.balance ?? '0').toFixed(2);
}
const avail = (o: string) => balance(userAvailable(o));

beforeAll(async () => {
  tc = await startTestCloud({ now: Date.UTC(2026, 2, 2, 2), frozenClock: true });
});
afterAll(async () => {
  await tc?.close();
});
afterEach(async () => {
  expect((await verifyLedger()).errors).toEqual([]);
});

describe('transfers', () => {
  test('by user number: immediate and final; a replay returns the first result and moves nothing', async () => {
    const aNo = (await ok('user', 'o_tr_a', { action: 'login' })).userNo;
    const bNo = (await ok('user', 'o_tr_b', { action: 'login' })).userNo;
    expect(aNo).not.toBe(bNo);
    await grant('o_tr_a', '10');
    const req = rid('tr');
    const r = await ok('user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '3.5', requestId: req, memo: '谢谢' });
    expect(r).toEqual({ transferId: expect.any(String), available: '6.50' });
    expect(await avail('o_tr_b')).toBe('3.50');
    expect(await ok('user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '3.5', requestId: req, memo: '谢谢' })).toEqual(r);
    expect(await avail('o_tr_a')).toBe('6.50');
    expect(await avail('o_tr_b')).toBe('3.50');

    // both see it in their history, signed from their side
    const hb = await ok('user', 'o_tr_b', { action: 'ledger' });
    expect(hb.items[0]).toMatchObject({ amount: '+3.50', memo: expect.stringContaining('转赠') });
    const ha = await ok('user', 'o_tr_a', { action: 'ledger' });
    expect(ha.items[0]).toMatchObject({ amount: '-3.50' });

    // concurrent replays of one request move once
    const req2 = rid('tr');
    const all = await Promise.all([1, 2, 3].map(() => call('user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '1', requestId: req2 })));
    expect(all.every((x) => x.ok)).toBe(true);
    expect(new Set(all.map((x) => JSON.stringify(x.ok && x.data))).size).toBe(1);
    expect(await avail('o_tr_a')).toBe('5.50');
    expect(await avail('o_tr_b')).toBe('4.50');

    // concurrent different transfers never overdraw: 5.50 available, four of 2 at once → two land
    const four = await Promise.all([1, 2, 3, 4].map(() => call('user', 'o_tr_a', { action: 'transfer', toUserNo: bNo, points: '2', requestId: rid('tr') })));
    expect(four.filter((x) => x.ok)).toHaveLength(2);
    expect(four.filter((x) => !x.ok).map((x) => (x.ok ? '' : x.error.code))).toEqual(['INSUFFICIENT_POINTS', 'INSUFFICIENT_POINTS']);
    expect(await avail('o_tr_a')).toBe('1.50');
    expect(await avail('o_tr_b')).toBe('8.50');
  });

  test('refused with a clear error and no change: self, nobody, bad amounts, too much, a reused request id', async () => {
    const aNo = (await ok('user', 'o_tr_c', { action: 'login' })).userNo;
    const bNo = (await ok('user', 'o_tr_d', { action: 'login' })).userNo;
    await grant('o_tr_c', '5.50');
    const req = rid('tr');
    await ok('user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '0.5', requestId: req });
    const t = (points: unknown, toUserNo: unknown = bNo) => ({ action: 'transfer', toUserNo, points, requestId: rid('tr') });
    await refused('user', 'o_tr_c', t('1', aNo), 'SELF_TRANSFER');
    await refused('user', 'o_tr_c', t('1', '99999999'), 'USER_NOT_FOUND');
    await refused('user', 'o_tr_c', t('1', 'abc'), 'BAD_USER_NO');
    await refused('user', 'o_tr_c', t('1', null), 'BAD_USER_NO');
    await refused('user', 'o_tr_c', t('1.001'), 'INVALID_POINTS');
    await refused('user', 'o_tr_c', t('0'), 'INVALID_POINTS');
    await refused('user', 'o_tr_c', t('-1'), 'INVALID_POINTS');
    await refused('user', 'o_tr_c', t('1e2'), 'INVALID_POINTS');
    expect(await refused('user', 'o_tr_c', t('5.01'), 'INSUFFICIENT_POINTS')).toMatch(/5.00/);
    await refused('user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '1', requestId: req }, 'REQUEST_ID_REUSED');
    await refused('user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '1', requestId: 'short' }, 'INVALID_REQUEST_ID');
    await refused('user', 'o_tr_c', { action: 'transfer', toUserNo: bNo, points: '1', requestId: rid('tr'), memo: 'x'.repeat(51) }, 'BAD_MEMO');
    await refused('user', 'o_tr_never', t('1'), 'NOT_REGISTERED');
    expect(await avail('o_tr_c')).toBe('5.00');
    expect(await avail('o_tr_d')).toBe('0.50');

    // points in market escrow cannot be given away
    await ok('market', 'o_tr_c', { action: 'setPaymentDetails', accountText: '支付宝 o_tr_c' });
    await ok('market', 'o_tr_c', { action: 'place', side: 'sell', priceFen: 200, quantity: '4', requestId: rid('s') });
    expect(await balance(userEscrow('o_tr_c'))).toBe('4.20');
    await refused('user', 'o_tr_c', t('1'), 'INSUFFICIENT_POINTS');
    await ok('user', 'o_tr_c', t('0.8'));
    expect(await avail('o_tr_c')).toBe('0.00');
  });
});
