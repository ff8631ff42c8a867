/**
 * Issue 14.6: a check guards a change only inside the transaction that makes it, and only after that transaction
 * holds the lock of what it checks (CloudBase does not re-check plain reads at commit). Issue 14.7: payment QR
 * file ids only from the caller's own upload folder.
 */
import type { TestCloud } from '../localcloud/testing';
import { ADMIN, application, grantPoints, login, ok, refused, rid, worldForFile } from './testkit.testutil';
import { DbOp, recordOps } from './dbops.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Index of the first op matching, or -1. */
const find = (ops: DbOp[], f: (o: DbOp) => boolean, from = 0) => ops.findIndex((o, i) => i >= from && f(o));

/** Every read of coll/id happens inside a transaction, after the same transaction locked it (an update). */
function expectLockedBeforeRead(ops: DbOp[], coll: string, id: string) {
  const reads = ops.map((o, i) => [o, i] as const).filter(([o]) => o.coll === coll && o.id === id && o.op === 'get');
  expect(reads.length).toBeGreaterThan(0);
  for (const [o, i] of reads) {
    expect([`${coll}/${id} read`, o.tx]).toEqual([`${coll}/${id} read`, true]);
    const begin = ops.slice(0, i).map((x) => x.op).lastIndexOf('begin');
    const lock = find(ops, (x) => x.tx && x.op === 'update' && x.coll === coll && x.id === id, begin);
    expect([`${coll}/${id} locked before read`, lock >= 0 && lock < i]).toEqual([`${coll}/${id} locked before read`, true]);
  }
}

describe('checks inside the transactions they guard', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), { setup: async (c) => { await login(c, ADMIN); await login(c, 'o_sam'); await grantPoints(c, 'o_sam', '100'); } });

  test('a sell order reads the seller’s payment details in its transaction, after locking them', async () => {
    await ok(tc, 'market', 'o_sam', { action: 'setPaymentDetails', accountText: '支付宝 138****0000' });
    const band = await ok(tc, 'market', 'o_sam', { action: 'depth' });
    const { ops } = await recordOps(() => ok(tc, 'market', 'o_sam', { action: 'place', side: 'sell', priceFen: band.maxPriceFen, quantity: '1', requestId: rid() }));
    expectLockedBeforeRead(ops, 'marketPayment', 'o_sam');
  });

  test('clearing the details looks for open sell orders inside its transaction, after locking the details', async () => {
    const { ops } = await recordOps(() => refused(tc, 'market', 'o_sam', { action: 'setPaymentDetails', accountText: null, qrImageUrl: null }, 'PAYMENT_DETAILS_REQUIRED'));
    const lock = find(ops, (o) => o.tx && o.op === 'update' && o.coll === 'marketPayment' && o.id === 'o_sam');
    const query = find(ops, (o) => o.op === 'query' && o.coll === 'marketOrders');
    const begin = find(ops, (o) => o.op === 'begin');
    expect([begin >= 0, lock > begin, query > lock]).toEqual([true, true, true]);
    expect(ops.slice(0, begin).some((o) => o.coll === 'marketOrders' || o.coll === 'marketPayment')).toBe(false);
  });

  test('activation reads the store and its balance under their locks', async () => {
    await login(tc, 'o_mia');
    const m = await ok(tc, 'merchant', 'o_mia', { action: 'apply', requestId: rid(), ...application('米店') });
    await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
    await grantPoints(tc, 'o_mia', '300');
    const { result, ops } = await recordOps(() => ok(tc, 'merchant', 'o_mia', { action: 'movePoints', direction: 'toMerchant', points: '250', requestId: rid() }));
    expect(result.status).toBe('active');
    const tx = ops.slice(find(ops, (o) => o.op === 'begin'));
    const lockStore = find(tx, (o) => o.tx && o.op === 'update' && o.coll === 'merchants' && o.id === m.id);
    const activate = find(tx, (o) => o.tx && o.op === 'set' && o.coll === 'merchants' && o.id === m.id);
    const readAfterLock = find(tx, (o) => o.tx && o.op === 'get' && o.coll === 'merchants' && o.id === m.id, lockStore);
    const lockAcc = find(tx, (o) => o.tx && o.op === 'update' && o.coll === 'accounts' && o.id === `merchant:${m.id}`);
    expect([lockStore >= 0, readAfterLock > lockStore, activate > readAfterLock, lockAcc >= 0 && lockAcc < activate]).toEqual([true, true, true, true]);
  });
});

describe('payment QR files: only the caller’s own uploads', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), { setup: async (c) => { await login(c, 'o_sam'); await login(c, 'o_eve'); } });

  test('another user’s file, a licence, a path escaping the folder: BAD_PAYMENT_QR, nothing saved', async () => {
    // o_sam's real QR, uploaded where the app puts it
    const up = await tc.cloud.files.uploadFile({ cloudPath: 'payment-qr/o_sam/1-a.png', fileContent: Buffer.from('QR') });
    const mine = await ok(tc, 'market', 'o_sam', { action: 'setPaymentDetails', qrImageUrl: up.fileID });
    expect(mine.qrImageUrl).toMatch(/payment-qr\/o_sam\/1-a\.png/);
    const bucket = up.fileID.replace(/^cloud:\/\/([^/]+)\/.*$/, '$1');
    for (const id of [up.fileID, `cloud://${bucket}/license/x.png`, `cloud://${bucket}/payment-qr/o_eve/../o_sam/1-a.png`, `cloud://${bucket}/paycode/m1.png`, `cloud://${bucket}/payment-qr/o_eve`]) {
      await refused(tc, 'market', 'o_eve', { action: 'setPaymentDetails', qrImageUrl: id }, 'BAD_PAYMENT_QR');
    }
    expect((await ok(tc, 'market', 'o_eve', { action: 'getPaymentDetails' })).qrImageUrl).toBeNull();
    // her own works
    const own = await tc.cloud.files.uploadFile({ cloudPath: 'payment-qr/o_eve/2-b.png', fileContent: Buffer.from('QR2') });
    expect((await ok(tc, 'market', 'o_eve', { action: 'setPaymentDetails', qrImageUrl: own.fileID })).qrImageUrl).toMatch(/o_eve\/2-b\.png/);
  });
});
