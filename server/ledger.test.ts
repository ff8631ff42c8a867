import { startTestCloud, TestCloud } from '../localcloud/testing';
import { ensureBootstrap } from './config';
import { runTx } from './db';
import { RELEASE_UNISSUED, TREASURY, getBalance, merchantAccount, postEntry, userAvailable, verifyLedger } from './ledger';

describe('the points ledger', () => {
  let tc: TestCloud;
  beforeEach(async () => {
    tc = await startTestCloud({ http: false, now: Date.UTC(2026, 2, 2, 2) });
    await ensureBootstrap();
  });
  afterEach(async () => {
    await tc.close();
  });

  const post = (key: string, debit: string, credit: string, amount: string, extra: Record<string, unknown> = {}) =>
    runTx((tx) => postEntry(tx, { key, kind: 'test', debit, credit, amount, ...extra }));

  test('genesis brings releaseTotal and treasuryReserve into the books once', async () => {
    await ensureBootstrap();
    await Promise.all([ensureBootstrap(), ensureBootstrap()]);
    const rep = await verifyLedger(tc.db);
    expect(rep.errors).toEqual([]);
    expect(rep.supply).toBe('1022360.00');
    expect(rep.totals).toMatchObject({ treasury: '50000.00', unissued: '972360.00', pool: '0.00', released: '0.00' });
    expect(rep.entries).toBe(2);
  });

  test('an entry moves points between two accounts once per key', async () => {
    expect(await post('k1', TREASURY, userAvailable('a'), '10.50')).toBe('posted');
    expect(await post('k1', TREASURY, userAvailable('a'), '10.50')).toBe('duplicate');
    const same = await Promise.all([1, 2, 3, 4, 5].map(() => post('k2', TREASURY, userAvailable('a'), '1')));
    expect(same.filter((s) => s === 'posted')).toHaveLength(1);
    expect((await getBalance(userAvailable('a'))).toFixed(2)).toBe('11.50');
    const e = (await tc.db.collection('ledger').doc('k1').get()).data as Record<string, unknown>;
    expect(e).toMatchObject({ kind: 'test', debit: TREASURY, credit: userAvailable('a'), amount: '10.50', owners: ['a'], creditAfter: '10.50', debitAfter: '49989.50' });
    expect((await verifyLedger(tc.db)).errors).toEqual([]);
  });

  test('no account goes below zero but a merchant, and only where allowed (a sale deduction)', async () => {
    await post('g', TREASURY, userAvailable('a'), '5');
    await expect(post('x1', userAvailable('a'), userAvailable('b'), '5.01')).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    await expect(post('x2', merchantAccount('m1'), TREASURY, '1')).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    await expect(post('x3', userAvailable('a'), TREASURY, '6', { allowNegative: true })).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    expect(await post('x4', merchantAccount('m1'), TREASURY, '3', { allowNegative: true, kind: 'order_deduction' })).toBe('posted');
    expect((await getBalance(merchantAccount('m1'))).toFixed(2)).toBe('-3.00');
    expect((await verifyLedger(tc.db)).errors).toEqual([]);
  });

  test('malformed amounts are programming errors', async () => {
    for (const amount of ['0', '-1', '1.001', 'abc']) {
      await expect(post(`bad-${amount}`, TREASURY, userAvailable('a'), amount)).rejects.toThrow();
    }
    await expect(post('same', TREASURY, TREASURY, '1')).rejects.toThrow();
    await expect(post('gen', 'genesis', userAvailable('a'), '1')).rejects.toThrow();
    expect((await verifyLedger(tc.db)).errors).toEqual([]);
  });

  test('concurrent movements lose no update', async () => {
    await post('seed', TREASURY, userAvailable('a'), '100');
    await Promise.all(Array.from({ length: 40 }, (_, i) => post(`t${i}`, userAvailable('a'), userAvailable(`b${i % 4}`), '2.5')));
    expect((await getBalance(userAvailable('a'))).toFixed(2)).toBe('0.00');
    expect((await getBalance(userAvailable('b0'))).toFixed(2)).toBe('25.00');
    await expect(post('t-over', userAvailable('a'), userAvailable('b0'), '0.01')).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    expect((await verifyLedger(tc.db)).errors).toEqual([]);
  });

  test('concurrent movements under injected transaction conflicts still add up', async () => {
    await post('seed', TREASURY, userAvailable('a'), '50');
    tc.setFaults({ conflictRate: 0.3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => post(`f${i}`, userAvailable('a'), userAvailable('b'), '1')));
    tc.setFaults({ conflictRate: 0 });
    expect((await getBalance(userAvailable('b'))).toFixed(2)).toBe('20.00');
    expect((await verifyLedger(tc.db)).errors).toEqual([]);
  });

  test('verifyLedger finds a tampered balance, a tampered entry, a missing account and a forged supply', async () => {
    await post('k', TREASURY, userAvailable('a'), '7');
    await tc.db.collection('accounts').doc(userAvailable('a')).update({ data: { balance: '8.00' } });
    let rep = await verifyLedger(tc.db);
    expect(rep.errors.join('\n')).toMatch(/user:a:available: balance 8.00 but entries give 7.00/);
    expect(rep.errors.join('\n')).toMatch(/≠ supply/);
    await tc.db.collection('accounts').doc(userAvailable('a')).update({ data: { balance: '7.00' } });
    await tc.db.collection('ledger').doc('k').update({ data: { amount: '6.00' } });
    rep = await verifyLedger(tc.db);
    expect(rep.ok).toBe(false);
    await tc.db.collection('ledger').doc('k').update({ data: { amount: '7.00' } });
    expect((await verifyLedger(tc.db)).errors).toEqual([]);
    await tc.db.collection('ledger').doc('forged').set({ data: { kind: 'genesis', debit: 'genesis', credit: RELEASE_UNISSUED, amount: '1.00', at: 0, ref: null, owners: [], debitAfter: null, creditAfter: '972361.00', debitSeq: null, creditSeq: 2 } });
    rep = await verifyLedger(tc.db);
    expect(rep.errors.join('\n')).toMatch(/releaseTotal \+ treasuryReserve/);
  });
});
