/**
 * Conformance: transactions (guide/database/transaction.html; reference-sdk-api/database/Database.runTransaction,
 * Database.startTransaction, transaction/Transaction.*; CloudBase error codes DATABASE_TRANSACTION_CONFLICT /
 * DATABASE_TRANSACTION_FAIL).
 */
import cloud from 'wx-server-sdk';
import { startTestCloud, TestCloud } from '../testing';

let tc: TestCloud;
const db = cloud.database();
const dbSoft = cloud.database({ throwOnNotFound: false });
const _ = db.command;

beforeAll(async () => {
  // the local profile's snapshot isolation (the cloudbase profile's weak isolation: cloudprofile.test.ts)
  tc = await startTestCloud({ functions: {}, collections: ['acct', 'log'], http: false, indexes: { uniq: [{ keys: ['code'], unique: true }] }, profile: 'local' });
});
afterAll(() => tc.close());

beforeEach(async () => {
  await db.collection('acct').doc('a').set({ data: { bal: 100 } });
  await db.collection('acct').doc('b').set({ data: { bal: 0 } });
});

const bal = async (id: string) => (await db.collection('acct').doc(id).get()).data!.bal as number;
const deferred = () => {
  let resolve!: () => void;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, resolve };
};

describe('runTransaction', () => {
  test('commits when the callback returns and resolves with its value', async () => {
    const r = await db.runTransaction(async (t) => {
      const a = (await t.collection('acct').doc('a').get()).data!;
      await t.collection('acct').doc('a').update({ data: { bal: a.bal - 30 } });
      await t.collection('acct').doc('b').update({ data: { bal: _.inc(30) } });
      const { _id } = await t.collection('log').add({ data: { amt: 30 } });
      return { _id };
    });
    expect(r._id).toMatch(/^[0-9a-f]{32}$/);
    expect(await bal('a')).toBe(70);
    expect(await bal('b')).toBe(30);
  });

  test('a document read back after its lock (an increment) is its own copy, Dates and nested values included', async () => {
    const at = new Date(Date.UTC(2026, 2, 2, 10));
    await db.collection('acct').doc('a').set({ data: { bal: 100, at, tags: ['x'], deep: { n: 1 } } });
    const stored = await db.runTransaction(async (t) => {
      await t.collection('acct').doc('a').update({ data: { lockSeq: _.inc(1) } });
      const first = (await t.collection('acct').doc('a').get()).data!;
      expect(first).toEqual({ _id: 'a', bal: 100, at, tags: ['x'], deep: { n: 1 }, lockSeq: 1 });
      expect(first.at).toBeInstanceOf(Date);
      // changing what was read changes neither the transaction's version nor the next read
      first.tags.push('y');
      first.deep.n = 2;
      (first.at as Date).setUTCFullYear(2000);
      const again = (await t.collection('acct').doc('a').get()).data!;
      expect(again).toEqual({ _id: 'a', bal: 100, at, tags: ['x'], deep: { n: 1 }, lockSeq: 1 });
      await t.collection('acct').doc('a').update({ data: { bal: _.inc(-0.5), lockSeq: _.inc(1) } });
      return (await t.collection('acct').doc('a').get()).data!;
    });
    expect(stored).toEqual({ _id: 'a', bal: 99.5, at, tags: ['x'], deep: { n: 1 }, lockSeq: 2 });
    expect((await db.collection('acct').doc('a').get()).data).toEqual(stored);
  });

  test('reads inside see a snapshot from the start plus their own writes', async () => {
    const seen: number[] = [];
    const gate = deferred();
    const inTx = db.runTransaction(async (t) => {
      seen.push((await t.collection('acct').doc('b').get()).data!.bal);
      await gate.p;
      seen.push((await t.collection('acct').doc('b').get()).data!.bal); // still the snapshot
      await t.collection('acct').doc('a').update({ data: { bal: _.inc(1) } });
      seen.push((await t.collection('acct').doc('a').get()).data!.bal); // own write
    }, 0);
    await new Promise((r) => setImmediate(r));
    await db.collection('acct').doc('b').update({ data: { bal: 999 } }); // an ordinary write outside
    gate.resolve();
    await inTx;
    expect(seen).toEqual([0, 0, 101]);
  });

  test('a document created or removed after the snapshot stays as it was in the snapshot', async () => {
    const gate = deferred();
    const p = db.runTransaction(async (t) => {
      await gate.p;
      return [(await t.collection('acct').doc('later').get().catch(() => ({ data: 'missing' }))).data, (await t.collection('acct').doc('b').get()).data];
    }, 0);
    await new Promise((r) => setImmediate(r));
    await db.collection('acct').add({ data: { _id: 'later', bal: 5 } });
    await db.collection('acct').doc('b').remove();
    gate.resolve();
    const [later, b] = await p;
    expect(later).toBe('missing');
    expect(b).toEqual({ _id: 'b', bal: 0 });
    await db.collection('acct').doc('later').remove();
  });

  test('two transactions writing the same document: the second fails at once with DATABASE_TRANSACTION_CONFLICT', async () => {
    const t1 = await db.startTransaction();
    const t2 = await db.startTransaction();
    await t1.collection('acct').doc('a').update({ data: { bal: _.inc(-10) } });
    const err = await t2.collection('acct').doc('a').update({ data: { bal: _.inc(-20) } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT', errCode: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(err.message).toMatch(/TransactionConflict/);
    await t1.commit();
    expect(await bal('a')).toBe(90);
    await expect(t2.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
  });

  test('first committer wins: a write to a document changed since the snapshot conflicts', async () => {
    const t1 = await db.startTransaction();
    await t1.collection('acct').doc('a').get();
    await db.collection('acct').doc('a').update({ data: { bal: 1 } }); // committed after t1's snapshot
    await expect(t1.collection('acct').doc('a').update({ data: { bal: 2 } })).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(await bal('a')).toBe(1);
  });

  test('runTransaction re-runs the callback on conflict, `times` more times (default 3), then rejects', async () => {
    tc.setFaults({ conflictRate: 1 });
    let runs = 0;
    await expect(db.runTransaction(async (t) => { runs++; await t.collection('acct').doc('a').update({ data: { bal: _.inc(1) } }); })).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(runs).toBe(4);
    runs = 0;
    await expect(db.runTransaction(async () => { runs++; }, 1)).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(runs).toBe(2);
    tc.setFaults({});
    expect(await bal('a')).toBe(100);
  });

  test('concurrent runTransaction on one hot document: every one that resolves was applied exactly once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        db.runTransaction(async (t) => {
          const a = (await t.collection('acct').doc('a').get()).data!;
          await new Promise((r) => setTimeout(r, 1));
          await t.collection('acct').doc('a').update({ data: { bal: a.bal - 1 } });
        }, 10),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(await bal('a')).toBe(100 - ok);
  });

  test('an error other than a conflict rejects at once without retry and writes nothing', async () => {
    let runs = 0;
    await expect(
      db.runTransaction(async (t) => {
        runs++;
        await t.collection('acct').doc('a').update({ data: { bal: 0 } });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(runs).toBe(1);
    expect(await bal('a')).toBe(100);
  });

  test('transaction.rollback(reason) makes runTransaction reject with reason and writes nothing', async () => {
    const r = await db
      .runTransaction(async (t) => {
        await t.collection('acct').doc('a').update({ data: { bal: 0 } });
        await t.rollback({ code: 'NOT_ENOUGH' });
        return 'unreached';
      })
      .catch((e) => ({ rejected: e }));
    expect(r).toEqual({ rejected: { code: 'NOT_ENOUGH' } });
    expect(await bal('a')).toBe(100);
  });

  test('an update copies only what it changes: the version it started from, as others read it, is unchanged', async () => {
    await db.collection('acct').doc('n').set({ data: { bal: 1, nest: { x: 1, deep: { y: 2 } }, other: { z: [1, 2] } } });
    const before = (await db.collection('acct').doc('n').get()).data;
    const gate = deferred();
    const seen: unknown[] = [];
    // a transaction whose snapshot is the version before the update
    const reader = db.runTransaction(async (t) => {
      await t.collection('acct').doc('b').get();
      await gate.p;
      seen.push((await t.collection('acct').doc('n').get()).data);
    }, 0);
    await new Promise((r) => setImmediate(r));
    await db.runTransaction(async (t) => {
      await t.collection('acct').doc('n').update({ data: { nest: { deep: { y: 3 }, w: 4 }, bal: _.inc(1) } });
      await t.collection('acct').doc('n').update({ data: { nest: { x: 5 } } });
      expect((await t.collection('acct').doc('n').get()).data).toEqual({ _id: 'n', bal: 2, nest: { x: 5, deep: { y: 3 }, w: 4 }, other: { z: [1, 2] } });
    });
    gate.resolve();
    await reader;
    expect(seen).toEqual([before]);
    expect((await db.collection('acct').doc('n').get()).data).toEqual({ _id: 'n', bal: 2, nest: { x: 5, deep: { y: 3 }, w: 4 }, other: { z: [1, 2] } });
    // ordinary updates too
    await db.collection('acct').doc('n').update({ data: { other: { q: 1 } } });
    expect((await db.collection('acct').doc('n').get()).data).toEqual({ _id: 'n', bal: 2, nest: { x: 5, deep: { y: 3 }, w: 4 }, other: { z: [1, 2], q: 1 } });
  });

  test('set after an update of the same document in a transaction counts updated as the stored texts differ', async () => {
    const stats: unknown[] = [];
    await db.runTransaction(async (t) => {
      const d = t.collection('acct').doc('a');
      await d.update({ data: { lockSeq: _.inc(1) } });
      const cur = (await d.get()).data!;
      stats.push((await d.set({ data: { bal: cur.bal, lockSeq: cur.lockSeq } })).stats); // the same as the update made
      await d.update({ data: { lockSeq: _.inc(1) } });
      stats.push((await d.set({ data: { bal: cur.bal + 1, lockSeq: 2 } })).stats); // another value
      await d.update({ data: { lockSeq: _.inc(1) } });
      stats.push((await d.set({ data: { lockSeq: 3, bal: cur.bal + 1 } })).stats); // the same fields in another order
    });
    expect(stats).toEqual([{ updated: 0, created: 0 }, { updated: 1, created: 0 }, { updated: 1, created: 0 }]);
    expect((await db.collection('acct').doc('a').get()).data).toEqual({ _id: 'a', lockSeq: 3, bal: 101 });
  });

  test('where / count / aggregate / collection get are refused inside a transaction', async () => {
    await db.runTransaction(async (t) => {
      const c = t.collection('acct') as unknown as Record<string, (...a: unknown[]) => unknown>;
      expect(() => c.where({ bal: 1 })).toThrow(/not allowed in a transaction/);
      expect(() => c.count()).toThrow(/not allowed in a transaction/);
      expect(() => c.aggregate()).toThrow(/not allowed in a transaction/);
      expect(() => c.get()).toThrow(/not allowed in a transaction/);
    });
  });

  test('doc().get() of a missing document inside a transaction throws, or gives null with throwOnNotFound:false', async () => {
    await expect(db.runTransaction(async (t) => t.collection('acct').doc('zz').get())).rejects.toThrow(/does not exist/);
    expect(await dbSoft.runTransaction(async (t) => (await t.collection('acct').doc('zz').get()).data)).toBeNull();
  });

  test('set / remove / add inside a transaction; add with an existing _id fails', async () => {
    await db.runTransaction(async (t) => {
      await t.collection('acct').doc('c').set({ data: { bal: 7 } });
      await t.collection('acct').doc('b').remove();
      await t.collection('log').add({ data: { _id: 'L1', x: 1 } });
    });
    expect(await bal('c')).toBe(7);
    expect((await dbSoft.collection('acct').doc('b').get()).data).toBeNull();
    await expect(db.runTransaction(async (t) => t.collection('log').add({ data: { _id: 'L1' } }))).rejects.toMatchObject({ errCode: -502001 });
  });

  test('an ordinary write to a document a transaction has locked waits until the transaction ends', async () => {
    const t1 = await db.startTransaction();
    await t1.collection('acct').doc('a').update({ data: { bal: _.inc(-50) } });
    let done = false;
    const plain = db.collection('acct').doc('a').update({ data: { bal: _.inc(1) } }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    await t1.commit();
    await plain;
    expect(await bal('a')).toBe(51);
  });

  test('a where().update() touching a locked document waits too, then applies to what is committed', async () => {
    const t1 = await db.startTransaction();
    await t1.collection('acct').doc('b').update({ data: { bal: 10 } });
    const plain = db.collection('acct').where({ _id: _.in(['a', 'b']) }).update({ data: { seen: true } });
    await new Promise((r) => setTimeout(r, 20));
    expect((await db.collection('acct').doc('a').get()).data).not.toHaveProperty('seen');
    await t1.commit();
    expect((await plain).stats.updated).toBe(2);
    expect((await db.collection('acct').doc('b').get()).data).toEqual({ _id: 'b', bal: 10, seen: true });
  });

  test('inside the locking transaction, an ordinary write to its own locked doc is an error (it would wait forever)', async () => {
    await expect(
      db.runTransaction(async (t) => {
        await t.collection('acct').doc('a').update({ data: { bal: 1 } });
        await db.collection('acct').doc('a').update({ data: { bal: 2 } });
      }),
    ).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
    expect(await bal('a')).toBe(100);
  });

  test('startTransaction: commit() or rollback(); nothing is visible before commit', async () => {
    const t = await db.startTransaction();
    await t.collection('acct').doc('a').update({ data: { bal: 1 } });
    expect(await bal('a')).toBe(100);
    await t.commit();
    expect(await bal('a')).toBe(1);
    await expect(t.collection('acct').doc('a').get()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
    const t2 = await db.startTransaction();
    await t2.collection('acct').doc('a').update({ data: { bal: 2 } });
    await t2.rollback();
    expect(await bal('a')).toBe(1);
  });

  test('a transaction open longer than the limit (30 s in the cloud) is aborted and releases its locks', async () => {
    tc.cloud.engine.txTimeLimitMs = 50;
    try {
      const t = await db.startTransaction();
      await t.collection('acct').doc('a').update({ data: { bal: 5 } });
      await new Promise((r) => setTimeout(r, 80));
      await expect(t.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
      await db.collection('acct').doc('a').update({ data: { bal: 6 } }); // not blocked
      expect(await bal('a')).toBe(6);
    } finally {
      tc.cloud.engine.txTimeLimitMs = 30_000;
    }
  });

  test('commit is all or nothing: a unique-index violation in one write leaves every write out', async () => {
    await db.collection('uniq').add({ data: { _id: 'u1', code: 'X' } });
    await expect(
      db.runTransaction(async (t) => {
        await t.collection('acct').doc('a').update({ data: { bal: 0 } });
        await t.collection('uniq').add({ data: { _id: 'u2', code: 'X' } });
      }),
    ).rejects.toMatchObject({ errCode: -502001 });
    expect(await bal('a')).toBe(100);
    expect((await dbSoft.collection('uniq').doc('u2').get()).data).toBeNull();
  });

  test('setFaults({ failRate: 1 }) makes commits fail with DATABASE_TRANSACTION_FAIL (no retry)', async () => {
    tc.setFaults({ failRate: 1 });
    let runs = 0;
    await expect(db.runTransaction(async (t) => { runs++; await t.collection('acct').doc('a').update({ data: { bal: 3 } }); })).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
    tc.setFaults({});
    expect(runs).toBe(1);
    expect(await bal('a')).toBe(100);
  });
});
