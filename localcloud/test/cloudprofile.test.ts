/**
 * Conformance: the cloudbase profile (localcloud/profile.ts) — what WeChat CloudBase documents about costs, locks,
 * isolation, time limits and cloud-call permissions:
 * - guide/database/transaction.html: writes lock the document; another transaction's write to it fails at once
 *   (DATABASE_TRANSACTION_CONFLICT); an ordinary update waits for the lock; the weakest isolation it allows;
 * - @cloudbase/database runTransaction: retries a conflict at once, `times` (3) more times, then rejects;
 * - docs.cloudbase.net error code DATABASE_TRANSACTION_FAIL: a transaction must finish within its limit (30 s);
 * - cloud functions: killed past config.json `timeout` (3 s when unset);
 * - guide/openapi/openapi.html: an openapi call not declared in config.json `permissions.openapi` fails (-604101).
 * Figures are enlarged here (40 ms a round trip) so they can be told apart from a loaded machine's noise.
 */
import cloud from 'wx-server-sdk';
import { startTestCloud, TestCloud } from '../testing';
import { resolveProfile, profileFromArgv, PROFILES } from '../profile';

const RTT = 40;
let tc: TestCloud;
const db = cloud.database();
const dbSoft = cloud.database({ throwOnNotFound: false });
const _ = db.command;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Cloud functions written as a function would be; `state` records how far a killed one got. */
const state = { reached: [] as string[] };
const functions = {
  async slowTx(ev: Ev) {
    await db.runTransaction(async (t) => {
      await t.collection('acct').doc('a').update({ data: { bal: _.inc(-10) } });
      state.reached.push('tx-write');
      await sleep(ev.waitMs);
      state.reached.push('tx-after-wait');
      await t.collection('acct').doc('b').update({ data: { bal: _.inc(10) } });
    });
    state.reached.push('committed');
    await db.collection('acct').doc('c').set({ data: { bal: 1 } });
    return 'done';
  },
  async notify() {
    return cloud.openapi.subscribeMessage.send({ touser: 'o_x', templateId: 'T1', data: { thing1: { value: '你好' } } });
  },
  async code() {
    const r = await cloud.openapi.wxacode.getUnlimited({ scene: 'm=1', page: 'pages/pay/index' });
    return r.contentType;
  },
  async payQuery() {
    return cloud.cloudPay.queryOrder({ subMchId: '1900000109', nonceStr: 'n1', outTradeNo: 'none' });
  },
};

beforeAll(async () => {
  tc = await startTestCloud({
    functions,
    functionConfigs: {
      slowTx: { timeout: 0.3 },
      notify: { permissions: { openapi: ['subscribeMessage.send'] } },
      code: { permissions: { openapi: ['subscribeMessage.send'] } },
    },
    collections: ['acct'],
    http: false,
    profile: { name: 'cloudbase', dbRoundTripMs: RTT, openapiMs: 60, cloudPayMs: 80, txTimeLimitMs: 600 },
  });
});
afterAll(() => tc.close());

beforeEach(async () => {
  state.reached = [];
  await db.collection('acct').doc('a').set({ data: { bal: 100 } });
  await db.collection('acct').doc('b').set({ data: { bal: 0 } });
  await db.collection('acct').doc('c').remove();
});

const bal = async (id: string) => (await dbSoft.collection('acct').doc(id).get()).data?.bal as number | undefined;
const timed = async <T>(p: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await p();
  return [r, performance.now() - t];
};

describe('settings', () => {
  test('defaults: cloudbase 8 ms a round trip, weak isolation, 30 s transactions, config.json timeouts (3 s unset), enforced permissions', () => {
    const p = resolveProfile('cloudbase', {});
    expect(p).toMatchObject({ dbRoundTripMs: 8, isolation: 'weak', txTimeLimitMs: 30_000, functionTimeout: 'config', defaultFunctionTimeoutMs: 3000, openapiPermissions: 'enforce' });
    expect(resolveProfile(undefined, {})).toEqual(PROFILES.local);
    expect(resolveProfile(undefined, { CLOUD_PROFILE: 'cloudbase', CLOUD_DB_RTT_MS: '20' }).dbRoundTripMs).toBe(20);
    expect(resolveProfile({ name: 'cloudbase', dbRoundTripMs: 3 }, { CLOUD_DB_RTT_MS: '20' }).dbRoundTripMs).toBe(3);
    expect(() => resolveProfile(undefined, { CLOUD_PROFILE: 'aws' })).toThrow(/profiles are/);
    expect(profileFromArgv(['node', 'x', '--profile', 'cloudbase'])).toBe('cloudbase');
    expect(profileFromArgv(['node', 'x', '--profile=local'])).toBe('local');
  });

  test('a function without a config.json timeout may run 3 s; with one, that many seconds', () => {
    expect(tc.cloud.timeoutFor('notify')).toBe(3000);
    expect(tc.cloud.timeoutFor('slowTx')).toBe(300);
  });
});

describe('latency', () => {
  test('each database call is a round trip; concurrent calls overlap like network I/O', async () => {
    const [, one] = await timed(() => db.collection('acct').doc('a').get());
    expect(one).toBeGreaterThanOrEqual(RTT - 2);
    const [, ten] = await timed(() => Promise.all(Array.from({ length: 10 }, () => db.collection('acct').doc('a').get())));
    expect(ten).toBeLessThan(RTT * 5); // not 10 × RTT
  });

  test('a transaction pays begin and commit too: begin + get + update + commit = 4 round trips', async () => {
    const [, ms] = await timed(() =>
      db.runTransaction(async (t) => {
        const a = (await t.collection('acct').doc('a').get()).data!;
        await t.collection('acct').doc('a').update({ data: { bal: a.bal - 1 } });
      }),
    );
    expect(ms).toBeGreaterThanOrEqual(4 * RTT - 4);
    expect(await bal('a')).toBe(99);
  });

  test('openapi and cloudPay calls take their own latency', async () => {
    const [, o] = await timed(() => tc.invoke('notify', {}, 'o_x'));
    expect(o).toBeGreaterThanOrEqual(58);
    const [r, p] = await timed(() => tc.invoke('payQuery', {}, 'o_x'));
    expect(p).toBeGreaterThanOrEqual(78);
    expect(r).toMatchObject({ returnCode: 'SUCCESS' });
  });
});

describe('locks', () => {
  test("another transaction's write to a locked document fails at once with the platform's conflict error", async () => {
    const t1 = await db.startTransaction();
    await t1.collection('acct').doc('a').update({ data: { bal: _.inc(-10) } });
    const t2 = await db.startTransaction();
    const [err, ms] = await timed(() => t2.collection('acct').doc('a').update({ data: { bal: _.inc(-20) } }).catch((e) => e));
    expect(err).toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(err.message).toMatch(/\[ResourceUnavailable\.TransactionConflict\] Transaction is conflict/);
    expect(ms).toBeLessThan(RTT * 3); // one round trip, no waiting for t1
    expect(tc.cloud.engine.conflictsByDoc.get('acct/a')).toBeGreaterThanOrEqual(1); // counted (GET /__local/conflicts)
    await t1.commit();
    expect(await bal('a')).toBe(90);
  });

  test('a plain update waits for the lock, then applies on top of the commit', async () => {
    const t1 = await db.startTransaction();
    await t1.collection('acct').doc('a').update({ data: { bal: _.inc(-50) } });
    let done = false;
    const plain = db.collection('acct').doc('a').update({ data: { bal: _.inc(1) } }).then(() => (done = true));
    await sleep(RTT * 3);
    expect(done).toBe(false);
    await t1.commit();
    await plain;
    expect(await bal('a')).toBe(51);
  });

  test('runTransaction retries a conflict 3 times by default (4 runs), then rejects with it', async () => {
    const holder = await db.startTransaction();
    await holder.collection('acct').doc('a').update({ data: { bal: 0 } });
    let runs = 0;
    await expect(
      db.runTransaction(async (t) => {
        runs++;
        await t.collection('acct').doc('a').update({ data: { bal: _.inc(1) } });
      }),
    ).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(runs).toBe(4);
    runs = 0;
    await expect(db.runTransaction(async (t) => { runs++; await t.collection('acct').doc('a').remove(); }, 1)).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_CONFLICT' });
    expect(runs).toBe(2);
    await holder.rollback();
    expect(await bal('a')).toBe(100);
  });

  test('a retry after the holder commits succeeds', async () => {
    const holder = await db.startTransaction();
    await holder.collection('acct').doc('a').update({ data: { bal: _.inc(-1) } });
    let runs = 0;
    const p = db.runTransaction(async (t) => {
      runs++;
      if (runs === 2) await holder.commit();
      await t.collection('acct').doc('a').update({ data: { bal: _.inc(-1) } });
    });
    await p;
    expect(runs).toBe(2); // run 1 conflicted; run 2 (after the holder's commit) went through
    expect(await bal('a')).toBe(98);
  });
});

describe('weak isolation', () => {
  test('a read returns the last commit (not a snapshot), or what this transaction wrote', async () => {
    const t1 = await db.startTransaction();
    expect((await t1.collection('acct').doc('b').get()).data!.bal).toBe(0);
    await db.collection('acct').doc('b').update({ data: { bal: 7 } }); // committed meanwhile
    expect((await t1.collection('acct').doc('b').get()).data!.bal).toBe(7);
    await t1.collection('acct').doc('b').update({ data: { bal: _.inc(1) } });
    expect((await t1.collection('acct').doc('b').get()).data!.bal).toBe(8);
    expect(await bal('b')).toBe(7); // not visible outside before commit
    await t1.commit();
    expect(await bal('b')).toBe(8);
  });

  test("a read does not see another transaction's uncommitted write", async () => {
    const t1 = await db.startTransaction();
    await t1.collection('acct').doc('a').update({ data: { bal: 1 } });
    const t2 = await db.startTransaction();
    expect((await t2.collection('acct').doc('a').get()).data!.bal).toBe(100);
    expect(await bal('a')).toBe(100);
    await t1.rollback();
    await t2.rollback();
  });

  test('a commit does not check that what was read is still current: read-then-write loses an update', async () => {
    // the pattern the server must not use (write first — take the lock — then read)
    const t1 = await db.startTransaction();
    const seen = (await t1.collection('acct').doc('a').get()).data!.bal as number; // 100, no lock
    await db.runTransaction(async (t) => {
      await t.collection('acct').doc('a').update({ data: { bal: _.inc(-30) } }); // 70, committed
    });
    await t1.collection('acct').doc('a').update({ data: { bal: seen - 50 } }); // 50, from a stale read
    await t1.commit(); // succeeds: nothing checks the read
    expect(await bal('a')).toBe(50); // the −30 is lost
  });

  test('write first, then read: the lock makes the read current and the check safe', async () => {
    const spend = (n: number) =>
      db.runTransaction(async (t) => {
        await t.collection('acct').doc('a').update({ data: { spending: _.inc(1) } }); // lock
        const a = (await t.collection('acct').doc('a').get()).data!;
        if (a.bal < n) throw new Error('INSUFFICIENT');
        await t.collection('acct').doc('a').update({ data: { bal: a.bal - n } });
      }, 20);
    const r = await Promise.allSettled(Array.from({ length: 6 }, () => spend(30)));
    const ok = r.filter((x) => x.status === 'fulfilled').length;
    expect(ok).toBe(3);
    expect(await bal('a')).toBe(10);
  });
});

describe('time limits', () => {
  test('a transaction past its time limit is rolled back and its locks released', async () => {
    const t = await db.startTransaction();
    await t.collection('acct').doc('a').update({ data: { bal: 5 } });
    await sleep(700);
    await expect(t.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
    await db.collection('acct').doc('a').update({ data: { bal: 6 } });
    expect(await bal('a')).toBe(6);
  });

  test('a function past its config.json timeout is killed mid-way: its transaction never commits, it writes nothing more', async () => {
    await expect(tc.invoke('slowTx', { waitMs: 500 }, 'o_x')).rejects.toMatchObject({ code: 'FUNCTION_TIMEOUT', errCode: -504003 });
    expect(state.reached).toEqual(['tx-write']);
    await sleep(600); // the function would have carried on here
    expect(state.reached).toEqual(['tx-write', 'tx-after-wait']);
    expect(await bal('a')).toBe(100);
    expect(await bal('b')).toBe(0);
    expect(await bal('c')).toBeUndefined();
    // its open transaction held the lock until the transaction limit rolled it back; the document is free now
    await db.collection('acct').doc('a').update({ data: { bal: _.inc(1) } });
    expect(await bal('a')).toBe(101);
  });

  test('within its timeout the same function completes', async () => {
    expect(await tc.invoke('slowTx', { waitMs: 0 }, 'o_x')).toBe('done');
    expect([await bal('a'), await bal('b'), await bal('c')]).toEqual([90, 10, 1]);
  });
});

describe('openapi permissions', () => {
  test('a call declared in config.json permissions.openapi works', async () => {
    expect(await tc.invoke('notify', {}, 'o_x')).toMatchObject({ errCode: 0 });
  });

  test('an undeclared one fails with -604101, as on the platform', async () => {
    await expect(tc.invoke('code', {}, 'o_x')).rejects.toMatchObject({ errCode: -604101 });
  });

  test('the local profile only warns', async () => {
    const lines: string[] = [];
    const local = await startTestCloud({ functions, functionConfigs: {}, http: false, profile: 'local', log: (l) => lines.push(l) });
    try {
      expect(await local.invoke('code', {}, 'o_x')).toBe('image/svg+xml');
      expect(lines.join('\n')).toMatch(/-604101/);
    } finally {
      await local.close();
      tc.cloud.makeCurrent();
    }
  });
});
