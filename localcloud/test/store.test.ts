/**
 * The store's memory (store.ts): documents kept decoded in a bounded cache in front of SQLite, group commit
 * (commits written together, each acknowledged only once on disk), id filters for documents that do not exist,
 * and the writer thread (writer.ts). None of it may be visible: every read gives what SQLite would, a query
 * sees every commit made before it, nothing is acknowledged before it is on disk, a batch that cannot be
 * written fails all its commits (and nothing of them is there), and the writer thread gives the same answers.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import cloud from 'wx-server-sdk';
import { createLocalCloud, LocalCloud } from '../runtime';
import { decodeDoc, encodeDoc, normalizeDoc, normalizeOwnedDoc, cloneStored, storesAs, resolvePlainData, resolveStoredDoc, resolveValue, checkPlainData } from '../db/translate';
import { AggExpr, ServerDate, createCommand } from '../db/commands';

/* eslint-disable @typescript-eslint/no-explicit-any */
const COLLS = ['notes', 'keys'];
const dirs: string[] = [];
const clouds: LocalCloud[] = [];

function newCloud(env: Record<string, string> = {}, dataDir?: string): LocalCloud {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lc-store-'));
    if (!dataDir) dirs.push(dir);
    const lc = createLocalCloud({ dataDir: dir, indexes: { notes: ['tag'] }, collections: COLLS, log: () => undefined });
    clouds.push(lc);
    return lc;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

afterEach(async () => {
  for (const c of clouds.splice(0)) await c.close();
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Every document of a collection as SQLite has it (a connection of its own). */
function onDisk(dir: string, coll: string): Map<string, string> {
  const db = new Database(path.join(dir, 'db.sqlite'), { readonly: true });
  try {
    return new Map((db.prepare(`SELECT id, data FROM "c:${coll}"`).all() as { id: string; data: string }[]).map((r) => [r.id, r.data]));
  } finally {
    db.close();
  }
}

/** A value with its Dates made comparable (jest finds two invalid Dates unequal) and every object's kind kept. */
function canon(v: unknown): unknown {
  if (v instanceof Date) return { date: Number.isNaN(v.getTime()) ? 'invalid' : v.getTime() };
  if (Array.isArray(v)) return { array: v.map(canon) };
  if (v !== null && typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    return { object: proto === Object.prototype ? 'plain' : String(proto?.constructor?.name), entries: Object.entries(v).map(([k, x]) => [k, canon(x)]) };
  }
  return v;
}

/** A copy of the containers (plain objects, arrays, Dates); anything else kept as it is. */
function copyOf(v: unknown): unknown {
  if (v instanceof Date) return new Date(v.getTime());
  if (Array.isArray(v)) return Array.from({ length: v.length }, (_x, i) => (i in v ? copyOf(v[i]) : undefined));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: copyOf((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe('normalizeDoc: what storing a document does to it, without the JSON round trip', () => {
  const leaf = fc.oneof(
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(-0),
    fc.constant(Number.NaN),
    fc.constant(Infinity),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.date({ noInvalidDate: false }),
    fc.constant(() => 1),
    fc.constant(Symbol('s')),
    fc.integer().map((n) => ({ $date: n })),
    fc.constant({ $date: 'x' }),
    fc.constant(Buffer.from('ab')),
    fc.constant(/re/g),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string().filter((k) => k !== 'constructor'), fc.constantFrom('__proto__', '$date', '0', '10')), tie('v'), { maxKeys: 4 })),
  })).v;

  test('equals decodeDoc(encodeDoc(doc)), and its text is encodeDoc(doc)', () => {
    fc.assert(
      // (a key `constructor` would make toStrictEqual compare the two copies' `constructor` values by identity)
      fc.property(fc.dictionary(fc.string().filter((k) => k !== 'constructor'), value, { maxKeys: 6 }), (raw) => {
        const doc = { _id: 'x', ...raw } as Record<string, unknown>;
        const text = encodeDoc(doc);
        const st = normalizeDoc(doc);
        expect(st.text).toBe(text);
        expect(canon(st.doc)).toStrictEqual(canon(decodeDoc(text)));
        expect(canon(cloneStored(st.doc))).toStrictEqual(canon(st.doc));
        // a document the database owns outright is kept as it is when already in stored form: the same result
        const owned = normalizeOwnedDoc(copyOf(doc) as Record<string, unknown>);
        expect(owned.text).toBe(text);
        expect(canon(owned.doc)).toStrictEqual(canon(st.doc));
      }),
      { numRuns: 1000, seed: Number(process.env.STORE_FC_SEED ?? 20260302) },
    );
  });

  test('resolvePlainData is checkPlainData(resolveValue(data)): the same copy, the same refusals', () => {
    const _ = createCommand();
    const now = 1_700_000_000_000;
    const cases: unknown[] = [
      { a: 1, b: 'x', c: null, d: [1, { e: new ServerDate(5) }], f: new Date(3), g: /re/i, h: undefined, i: { j: { k: true } } },
      { at: new ServerDate(0), list: [undefined, 2] },
      { bad: _.inc(1) },
      { deep: { list: [{ x: _.set(2) }] } },
      { agg: new AggExpr({ $add: [1, 2] }) },
      [1, 2],
      'text',
    ];
    for (const c of cases) {
      let want: unknown;
      let wantErr: string | undefined;
      try { want = checkPlainData(resolveValue(c, now), 'document.set'); } catch (e) { wantErr = (e as Error).message; }
      if (wantErr !== undefined) expect(() => resolvePlainData(c, now, 'document.set')).toThrow(wantErr);
      else expect(resolvePlainData(c, now, 'document.set')).toStrictEqual(want);
    }
  });

  test('resolveStoredDoc is the general path in one pass: the same stored document and text, or null', () => {
    const now = 1_700_000_000_000;
    const data = fc.dictionary(fc.oneof(fc.string().filter((k) => k !== 'constructor'), fc.constant('_id')), fc.oneof(value, fc.constant(new ServerDate(7))), { maxKeys: 6 });
    let taken = 0;
    fc.assert(
      fc.property(data, fc.boolean(), (raw, asAdd) => {
        const made = resolveStoredDoc(raw, now, asAdd ? null : 'x');
        if (!made) return;
        taken++;
        // the general path: resolvePlainData, the engine's `_id` first, normalizeDoc
        const resolved = resolvePlainData(raw, now, 'document.set');
        const id = asAdd ? String(resolved._id) : 'x';
        const withId: Record<string, unknown> = { _id: id };
        for (const k of Object.keys(resolved)) if (k !== '_id') withId[k] = resolved[k];
        const want = normalizeDoc(withId);
        expect(normalizeOwnedDoc(made.doc, made).text).toBe(want.text);
        expect(canon(made.doc)).toStrictEqual(canon(want.doc));
        expect(made.dates).toBe(want.text.includes('"$date"'));
      }),
      { numRuns: 1000, seed: Number(process.env.STORE_FC_SEED ?? 20260302) },
    );
    expect(taken).toBeGreaterThan(50); // not vacuous: the generator makes mostly odd values, which go the general way
    // ordinary documents take it; an add() needs its own `_id`; a set()'s `_id` must be its document's
    expect(resolveStoredDoc({ a: '1.00', at: new ServerDate(0), list: [{ x: 1 }] }, now, 'd')).toStrictEqual({ doc: { _id: 'd', a: '1.00', at: new Date(now), list: [{ x: 1 }] }, dates: true });
    expect(resolveStoredDoc({ a: 1 }, now, null)).toBeNull();
    expect(resolveStoredDoc({ _id: 'e', a: 1 }, now, 'd')).toBeNull();
    expect(resolveStoredDoc({ _id: 7, a: 1 }, now, null)).toStrictEqual({ doc: { _id: '7', a: 1 }, dates: false });
    // what storage would change, or a command, goes the general way
    for (const odd of [{ a: -0 }, { a: NaN }, { a: [undefined] }, { a: { $date: 5 } }, { a: createCommand().inc(1) }, { a: /x/ }, { a: 1n }])
      expect(resolveStoredDoc(odd, now, 'd')).toBeNull();
  });

  test('storesAs(a, normalizeDoc(b)) is whether a and b are stored as the same text', () => {
    const doc = fc.dictionary(fc.string().filter((k) => k !== 'constructor'), value, { maxKeys: 6 }).map((raw) => ({ _id: 'x', ...raw }) as Record<string, unknown>);
    fc.assert(
      fc.property(doc, doc, fc.boolean(), (a, b0, same) => {
        // half the time b is a copy of a: the equal case
        const b = same ? (copyOf(a) as Record<string, unknown>) : b0;
        const sb = normalizeDoc(b);
        expect(storesAs(a, sb)).toBe(normalizeDoc(a).text === sb.text);
      }),
      { numRuns: 1000, seed: Number(process.env.STORE_FC_SEED ?? 20260302) },
    );
    expect(storesAs({ _id: 'x', a: { b: [1, 'x'] } }, normalizeDoc({ _id: 'x', a: { b: [1, 'x'] } }))).toBe(true);
    expect(storesAs({ _id: 'x', a: { b: [1, 'x'] } }, normalizeDoc({ _id: 'x', a: { b: [1, 'y'] } }))).toBe(false);
    // the same fields in another order are another text
    expect(storesAs({ a: 1, b: 2 }, normalizeDoc({ b: 2, a: 1 }))).toBe(false);
    // undefined is dropped by storage
    expect(storesAs({ a: 1, b: undefined }, normalizeDoc({ a: 1 }))).toBe(true);
  });
});

describe('the document cache', () => {
  test('bounded: with room for 50 documents, 400 written and read back in any order are what SQLite has', async () => {
    const lc = newCloud({ LOCALCLOUD_CACHE_DOCS: '50' });
    const db = lc.database({ throwOnNotFound: false });
    for (let i = 0; i < 400; i++) await db.collection('notes').doc(`n${i}`).set({ data: { i, tag: `t${i % 7}`, at: new Date(1_700_000_000_000 + i) } });
    for (let i = 0; i < 400; i += 3) await db.collection('notes').doc(`n${i}`).update({ data: { i: i + 1000 } });
    const disk = onDisk(lc.dataDir, 'notes');
    for (const i of [399, 0, 201, 3, 398, 7, 250, 6, 1]) {
      const d = (await db.collection('notes').doc(`n${i}`).get()).data;
      expect(d).toEqual(decodeDoc(disk.get(`n${i}`)!));
      expect(d!.at).toBeInstanceOf(Date);
    }
    expect((await db.collection('notes').where({ tag: 't3' }).count()).total).toBe([...disk.values()].filter((t) => JSON.parse(t).tag === 't3').length);
    // many commits waiting to be written at once, far more than the cache holds: none is forgotten
    await Promise.all(Array.from({ length: 300 }, (_x, i) => db.collection('notes').doc(`n${i}`).update({ data: { i: -1 - i } })));
    for (const i of [0, 150, 299, 398]) expect((await db.collection('notes').doc(`n${i}`).get()).data!.i).toBe(i < 300 ? -1 - i : i);
    expect(decodeDoc(onDisk(lc.dataDir, 'notes').get('n299')!).i).toBe(-300);
  });

  test('a read hands out a copy: changing it changes nothing stored', async () => {
    const lc = newCloud();
    const db = lc.database();
    await db.collection('notes').doc('a').set({ data: { list: [1, { x: 1 }], at: new Date(5) } });
    const a = (await db.collection('notes').doc('a').get()).data!;
    a.list[1].x = 99;
    a.list.push(3);
    a.at.setTime(6);
    await db.runTransaction(async (t) => {
      const b = (await t.collection('notes').doc('a').get()).data!;
      b.list[1].x = 98;
    });
    expect((await db.collection('notes').doc('a').get()).data).toEqual({ _id: 'a', list: [1, { x: 1 }], at: new Date(5) });
  });

  test('the id filter (many reads of documents that do not exist) never hides one that does, however it was written', async () => {
    const lc = newCloud({ LOCALCLOUD_CACHE_DOCS: '20' });
    const db = lc.database({ throwOnNotFound: false });
    const _ = db.command;
    for (let i = 0; i < 150; i++) expect((await db.collection('keys').doc(`missing${i}`).get()).data).toBeNull();
    // now written every way there is, with the cache too small to remember them
    await db.collection('keys').add({ data: { _id: 'added' } });
    await db.collection('keys').doc('set').set({ data: { v: 1 } });
    await db.runTransaction(async (t) => {
      await t.collection('keys').add({ data: { _id: 'txAdded' } });
      await t.collection('keys').doc('txSet').set({ data: { v: 2 } });
    });
    lc.bulkInsert('keys', Array.from({ length: 30 }, (_x, i) => ({ _id: `bulk${i}`, v: i })));
    for (let i = 0; i < 100; i++) await db.collection('keys').doc(`filler${i}`).set({ data: { v: i } }); // push the others out of the cache
    for (const id of ['added', 'set', 'txAdded', 'txSet', 'bulk0', 'bulk29', 'filler0']) {
      expect([id, (await db.collection('keys').doc(id).get()).data?._id]).toEqual([id, id]);
      await db.runTransaction(async (t) => {
        expect([id, (await t.collection('keys').doc(id).get()).data?._id]).toEqual([id, id]);
      });
    }
    await expect(db.collection('keys').add({ data: { _id: 'bulk7' } })).rejects.toMatchObject({ errCode: -502001 });
    expect((await db.collection('keys').where({ v: _.gte(0) }).count()).total).toBe(132);
    expect((await db.collection('keys').doc('missing3').get()).data).toBeNull();
  });
});

describe("the pay simulator's orders", () => {
  test('after many lookups of new numbers (the filter of known numbers is built), every order is found, before and after a restart', async () => {
    const lc = newCloud({ LOCALCLOUD_CACHE_DOCS: '20' });
    const store = lc.engine.store;
    for (let i = 0; i < 10; i++) await store.payPut(`old${i}`, { outTradeNo: `old${i}`, n: i });
    const reopened = newCloud({ LOCALCLOUD_CACHE_DOCS: '20' }, lc.dataDir); // (the first one keeps running: reads only)
    for (const s of [store, reopened.engine.store]) {
      for (let i = 0; i < 200; i++) expect(s.payPeek(`new${i}`)).toBeUndefined();
      for (let i = 0; i < 10; i++) expect(s.payPeek(`old${i}`)).toEqual({ outTradeNo: `old${i}`, n: i });
      expect((s as unknown as { payFilter: unknown }).payFilter).not.toBeNull();
    }
    // numbers put after the filter was built, beyond what the cache keeps
    for (let i = 0; i < 50; i++) await store.payPut(`late${i}`, { outTradeNo: `late${i}`, n: i });
    for (let i = 0; i < 50; i++) expect(store.payGet(`late${i}`)).toEqual({ outTradeNo: `late${i}`, n: i });
    expect(store.payAll()).toHaveLength(60);
  });
});

describe('group commit', () => {
  test('concurrent commits are written together, each acknowledged once on disk; a query sees every commit before it', async () => {
    const lc = newCloud();
    const store = lc.engine.store;
    const db = lc.database({ throwOnNotFound: false });
    const batches0 = store.stats.batches;
    const txs = [];
    for (let i = 0; i < 40; i++) {
      const t = await db.startTransaction();
      await t.collection('notes').doc(`g${i}`).set({ data: { tag: 'g', i } });
      txs.push(t);
    }
    const acked: string[] = [];
    // commit() applies the commit at once and resolves once it is on disk
    const commits = txs.map((t, i) =>
      t.commit().then(() => {
        expect(onDisk(lc.dataDir, 'notes').has(`g${i}`)).toBe(true); // a connection of its own sees it
        acked.push(`g${i}`);
      }),
    );
    expect(store.hasPending()).toBe(true);
    expect(acked).toEqual([]);
    expect(onDisk(lc.dataDir, 'notes').size).toBe(0);
    // queued, not yet written: visible at once to reads by id, in a transaction, and to queries
    expect((await db.collection('notes').doc('g39').get()).data).toMatchObject({ i: 39 });
    await db.runTransaction(async (t) => {
      expect((await t.collection('notes').doc('g0').get()).data).toMatchObject({ i: 0 });
    });
    expect((await db.collection('notes').where({ tag: 'g' }).count()).total).toBe(40);
    await Promise.all(commits);
    expect(acked).toHaveLength(40);
    expect(store.stats.batches - batches0).toBeLessThan(5);
  });

  test('a batch that cannot be written fails every commit in it, nothing of it is on disk, and the cloud goes on', async () => {
    const lc = newCloud();
    const store = lc.engine.store;
    const db = lc.database({ throwOnNotFound: false });
    await db.collection('notes').doc('a').set({ data: { v: 1 } });
    const write = store.write.bind(store);
    let failNext = true;
    store.write = (ops, docs) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk I/O error (injected)');
      }
      return write(ops, docs);
    };
    const results = await Promise.allSettled([
      db.runTransaction(async (t) => {
        await t.collection('notes').doc('a').update({ data: { v: 2 } });
      }),
      db.collection('notes').doc('b').set({ data: { v: 1 } }),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'DATABASE_TRANSACTION_FAIL' } });
    expect(results[1].status).toBe('rejected');
    // memory forgot what the disk does not have
    expect((await db.collection('notes').doc('a').get()).data).toEqual({ _id: 'a', v: 1 });
    expect((await db.collection('notes').doc('b').get()).data).toBeNull();
    expect(onDisk(lc.dataDir, 'notes').get('a')).toBe(JSON.stringify({ _id: 'a', v: 1 }));
    // and it goes on
    await db.runTransaction(async (t) => {
      await t.collection('notes').doc('a').update({ data: { v: 3 } });
    });
    expect((await db.collection('notes').doc('a').get()).data).toEqual({ _id: 'a', v: 3 });
  });

  test('inside a function, a write that cannot be saved fails the invocation (its answer never says it was done)', async () => {
    const lc = newCloud();
    const store = lc.engine.store;
    lc.functions.put = async () => {
      const db = cloud.database();
      await db.collection('notes').doc('f').set({ data: { v: 1 } });
      return { ok: true };
    };
    const write = store.write.bind(store);
    store.write = () => {
      store.write = write;
      throw new Error('disk I/O error (injected)');
    };
    await expect(lc.invoke('put', {}, { OPENID: 'o_a' })).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
    expect(onDisk(lc.dataDir, 'notes').has('f')).toBe(false);
    expect(await lc.invoke('put', {}, { OPENID: 'o_a' })).toEqual({ ok: true });
    expect(onDisk(lc.dataDir, 'notes').has('f')).toBe(true);
  });
});

describe('the writer thread (LOCALCLOUD_WRITER=thread)', () => {
  test('the same answers, everything acknowledged on disk, a clean close, and reopened as it was', async () => {
    const lc = newCloud({ LOCALCLOUD_WRITER: 'thread' });
    const db = lc.database({ throwOnNotFound: false });
    const _ = db.command;
    await db.collection('notes').doc('c').set({ data: { n: 0 } });
    await Promise.all(
      Array.from({ length: 60 }, async (_x, i) => {
        await db.runTransaction(async (t) => {
          await t.collection('keys').add({ data: { _id: `k${i}`, i, tags: [i % 3] } });
          await t.collection('keys').doc(`s${i}`).set({ data: { i } });
        });
        await db.collection('notes').doc('c').update({ data: { n: _.inc(1) } });
      }),
    );
    expect(onDisk(lc.dataDir, 'notes').get('c')).toBe(JSON.stringify({ _id: 'c', n: 60 }));
    expect(onDisk(lc.dataDir, 'keys').size).toBe(120);
    expect((await db.collection('keys').where({ tags: 1 }).count()).total).toBe(20);
    await db.collection('notes').doc('t').set({ data: { tag: ['x'] } }); // an indexed field holding an array
    expect((await db.collection('notes').where({ tag: 'x' }).get()).data.map((d) => d._id)).toEqual(['t']);
    const dir = lc.dataDir;
    await lc.close();
    clouds.splice(clouds.indexOf(lc), 1);
    const again = newCloud({}, dir);
    const db2 = again.database({ throwOnNotFound: false });
    expect((await db2.collection('notes').doc('c').get()).data).toEqual({ _id: 'c', n: 60 });
    expect((await db2.collection('keys').where({ i: _.gte(30) }).count()).total).toBe(60);
    expect((await db2.collection('notes').where({ tag: 'x' }).get()).data.map((d) => d._id)).toEqual(['t']);
  });
  test('the WAL is checkpointed into the database file while the writer writes, by a thread of its own', async () => {
    const lc = newCloud({ LOCALCLOUD_WRITER: 'thread' });
    const db = lc.database({ throwOnNotFound: false });
    const file = path.join(lc.dataDir, 'db.sqlite');
    const before = fs.statSync(file).size;
    // ~3 MB of documents: without a checkpoint they would all still be in the WAL (the writer makes none)
    for (let r = 0; r < 6; r++) await Promise.all(Array.from({ length: 1000 }, (_x, i) => db.collection('keys').doc(`w${r}-${i}`).set({ data: { pad: 'x'.repeat(500) } })));
    for (const until = Date.now() + 3000; fs.statSync(file).size < before + 2_000_000 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(file).size).toBeGreaterThan(before + 2_000_000);
    expect(onDisk(lc.dataDir, 'keys').size).toBe(6000);
  });
  test('commits arriving one per turn while a batch is being written go together in the next batch, in order', async () => {
    const lc = newCloud({ LOCALCLOUD_WRITER: 'thread' });
    const store = lc.engine.store;
    const db = lc.database({ throwOnNotFound: false });
    await db.collection('notes').doc('w').set({ data: { n: 0 } });
    const batches0 = store.stats.batches;
    // a big batch keeps the writer thread busy (a hundred ms or more) while the commits below arrive, also when the
    // machine is busy with other suites (1,500 writes were once written before the 30 turns below had passed)
    const big = store.commit(
      Array.from({ length: 6000 }, (_x, i) => ({ kind: 'upsert' as const, coll: 'keys', id: `big${i}`, data: JSON.stringify({ _id: `big${i}`, pad: 'x'.repeat(200) }) })),
      Array.from({ length: 6000 }, (_x, i) => ({ _id: `big${i}`, pad: 'x'.repeat(200) })),
    );
    const acked: number[] = [];
    // 30 commits, each in its own turn of the event loop (as the cloudbase profile's round trips make them arrive)
    const commits: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      commits.push(
        db.collection('keys').doc(`t${i}`).set({ data: { i } }).then(() => {
          expect(onDisk(lc.dataDir, 'keys').has(`t${i}`)).toBe(true);
          acked.push(i);
        }),
      );
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([big, ...commits]);
    expect(acked).toEqual(Array.from({ length: 30 }, (_x, i) => i));
    // the big one, then the small ones: they waited for its answer and went together
    expect(store.stats.batches - batches0).toBeLessThan(6);
    expect(store.hasPending()).toBe(false);
    await expect(store.durable()).resolves.toBeUndefined();
  });
});
