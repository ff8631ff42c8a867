/**
 * Conformance: queries. Each case cites the behaviour of WeChat's documentation it checks
 * (developers.weixin.qq.com/miniprogram/dev/wxcloud/ — guide/database/query.html, reference-sdk-api/database/...).
 */
import cloud from 'wx-server-sdk';
import { startTestCloud, TestCloud } from '../testing';

let tc: TestCloud;
const db = cloud.database();
const _ = db.command;

const PEOPLE = [
  { _id: 'p1', name: 'Ann', age: 31, city: 'Shanghai', tags: ['a', 'b'], style: { color: 'red', size: 1 }, score: 10 },
  { _id: 'p2', name: 'Bob', age: 25, city: 'Beijing', tags: ['b'], style: { color: 'blue', size: 2 }, score: 20 },
  { _id: 'p3', name: 'Cid', age: 40, city: 'Shanghai', tags: [], style: { color: 'red', size: 3 } },
  { _id: 'p4', name: 'Dee', age: 19, city: 'Shenzhen', tags: ['c', 'a'], style: { color: 'green', size: 2 }, score: null },
  { _id: 'p5', name: 'Eve', age: 25, city: 'Beijing', tags: ['a'], items: [{ k: 'x', n: 1 }, { k: 'y', n: 5 }] },
];

beforeAll(async () => {
  tc = await startTestCloud({ functions: {}, collections: ['people', 'big', 'empty'], http: false });
  for (const p of PEOPLE) await db.collection('people').add({ data: p });
});
afterAll(() => tc.close());

const ids = (r: { data: Array<{ _id?: unknown }> }) => r.data.map((d) => d._id).sort();

describe('where() with plain values', () => {
  test('equality on fields combines with AND (guide/database/query: 多个字段条件为"与")', async () => {
    expect(ids(await db.collection('people').where({ city: 'Beijing', age: 25 }).get())).toEqual(['p2', 'p5']);
  });
  test('an object value matches nested fields, not the whole object (query: 匹配嵌套字段)', async () => {
    expect(ids(await db.collection('people').where({ style: { color: 'red' } }).get())).toEqual(['p1', 'p3']);
    expect(ids(await db.collection('people').where({ 'style.color': 'red' }).get())).toEqual(['p1', 'p3']);
  });
  test('a scalar matches an array field containing it (query: 匹配数组)', async () => {
    expect(ids(await db.collection('people').where({ tags: 'a' }).get())).toEqual(['p1', 'p4', 'p5']);
  });
  test('_.eq with an object is a whole-object match (Command.eq)', async () => {
    expect(ids(await db.collection('people').where({ style: _.eq({ color: 'red', size: 1 }) }).get())).toEqual(['p1']);
  });
  test('a condition whose values are all undefined is refused; undefined fields are otherwise dropped (SDK: 查询参数对象值不能均为undefined)', async () => {
    expect(() => db.collection('people').where({ city: undefined })).toThrow(/undefined/);
    expect(ids(await db.collection('people').where({ city: 'Shenzhen', age: undefined }).get())).toEqual(['p4']);
  });
  test('a collection that does not exist fails with DATABASE_COLLECTION_NOT_EXIST (-502005)', async () => {
    await expect(db.collection('nope').get()).rejects.toMatchObject({ errCode: -502005 });
    await expect(db.collection('nope').add({ data: { a: 1 } })).rejects.toMatchObject({ errCode: -502005 });
  });
});

describe('query commands (reference-sdk-api/database/command)', () => {
  test('comparison: eq neq lt lte gt gte', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ age: _.eq(25) }).get())).toEqual(['p2', 'p5']);
    expect(ids(await c.where({ age: _.neq(25) }).get())).toEqual(['p1', 'p3', 'p4']);
    expect(ids(await c.where({ age: _.lt(25) }).get())).toEqual(['p4']);
    expect(ids(await c.where({ age: _.lte(25) }).get())).toEqual(['p2', 'p4', 'p5']);
    expect(ids(await c.where({ age: _.gt(31) }).get())).toEqual(['p3']);
    expect(ids(await c.where({ age: _.gte(31) }).get())).toEqual(['p1', 'p3']);
  });
  test('in / nin', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ city: _.in(['Shenzhen', 'Beijing']) }).get())).toEqual(['p2', 'p4', 'p5']);
    expect(ids(await c.where({ city: _.nin(['Shenzhen', 'Beijing']) }).get())).toEqual(['p1', 'p3']);
  });
  test('field-level and/or, chained (Command.and / Command.or)', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ age: _.gt(20).and(_.lt(30)) }).get())).toEqual(['p2', 'p5']);
    expect(ids(await c.where({ age: _.and(_.gt(20), _.lt(30)) }).get())).toEqual(['p2', 'p5']);
    expect(ids(await c.where({ age: _.lt(20).or(_.gt(35)) }).get())).toEqual(['p3', 'p4']);
    expect(ids(await c.where({ age: _.or([_.lt(20), _.gt(35)]) }).get())).toEqual(['p3', 'p4']);
  });
  test('top-level or across fields (Command.or: 跨字段的或操作)', async () => {
    const r = await db.collection('people').where(_.or([{ city: 'Shenzhen' }, { age: _.gt(35) }])).get();
    expect(ids(r)).toEqual(['p3', 'p4']);
  });
  test('not and nor', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ age: _.not(_.gt(25)) }).get())).toEqual(['p2', 'p4', 'p5']);
    expect(ids(await c.where(_.nor([{ city: 'Beijing' }, { age: _.gt(35) }])).get())).toEqual(['p1', 'p4']);
  });
  test('exists: missing vs present (null counts as present)', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ score: _.exists(true) }).get())).toEqual(['p1', 'p2', 'p4']);
    expect(ids(await c.where({ score: _.exists(false) }).get())).toEqual(['p3', 'p5']);
  });
  test('size, all, elemMatch, mod', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ tags: _.size(2) }).get())).toEqual(['p1', 'p4']);
    expect(ids(await c.where({ tags: _.all(['a', 'b']) }).get())).toEqual(['p1']);
    expect(ids(await c.where({ items: _.elemMatch({ k: 'y', n: _.gt(3) }) }).get())).toEqual(['p5']);
    expect(ids(await c.where({ age: _.mod(5, 0) }).get())).toEqual(['p2', 'p3', 'p5']);
  });
  test('regular expressions: JS RegExp and db.RegExp', async () => {
    const c = db.collection('people');
    expect(ids(await c.where({ name: /^a/i }).get())).toEqual(['p1']);
    expect(ids(await c.where({ city: db.RegExp({ regexp: 'shen', options: 'i' }) }).get())).toEqual(['p4']);
  });
});

describe('orderBy, skip, limit, field, count', () => {
  test('orderBy several fields, asc/desc (Collection.orderBy)', async () => {
    const r = await db.collection('people').orderBy('age', 'desc').orderBy('name', 'asc').get();
    expect(r.data.map((d) => d.name)).toEqual(['Cid', 'Ann', 'Bob', 'Eve', 'Dee']);
    expect(() => db.collection('people').orderBy('age', 'up' as 'asc')).toThrow();
  });
  test('skip and limit page through (Collection.skip / Collection.limit)', async () => {
    const c = db.collection('people').orderBy('_id', 'asc');
    expect(ids(await c.skip(1).limit(2).get())).toEqual(['p2', 'p3']);
    expect(ids(await c.skip(4).limit(10).get())).toEqual(['p5']);
  });
  test('field() projects; _id is returned unless excluded (Collection.field)', async () => {
    const r = await db.collection('people').where({ _id: 'p1' }).field({ name: true, 'style.color': true }).get();
    expect(r.data).toEqual([{ _id: 'p1', name: 'Ann', style: { color: 'red' } }]);
    const r2 = await db.collection('people').where({ _id: 'p2' }).field({ _id: false, tags: false, style: false, items: false }).get();
    expect(r2.data).toEqual([{ name: 'Bob', age: 25, city: 'Beijing', score: 20 }]);
    const d = await db.collection('people').doc('p3').field({ age: true }).get();
    expect(d.data).toEqual({ _id: 'p3', age: 40 });
  });
  test('count() returns { total } (Collection.count)', async () => {
    expect(await db.collection('people').where({ city: 'Beijing' }).count()).toMatchObject({ total: 2 });
    expect((await db.collection('people').count()).total).toBe(5);
  });
  test('get() returns at most 100 documents in a cloud function, whatever the limit (Collection.get / Collection.limit)', async () => {
    await tc.cloud.engine.bulkInsert('big', Array.from({ length: 250 }, (_x, i) => ({ _id: `b${String(i).padStart(3, '0')}`, i })));
    expect((await db.collection('big').get()).data).toHaveLength(100);
    expect((await db.collection('big').limit(1000).get()).data).toHaveLength(100);
    expect((await db.collection('big').skip(200).limit(1000).get()).data).toHaveLength(50);
    expect((await db.collection('big').count()).total).toBe(250);
    const all: unknown[] = [];
    for (let skip = 0; ; skip += 100) {
      const page = (await db.collection('big').orderBy('i', 'asc').skip(skip).limit(100).get()).data;
      all.push(...page);
      if (page.length < 100) break;
    }
    expect(all).toHaveLength(250);
  });
  test('get() result shape: { data: [...], errMsg }', async () => {
    const r = await db.collection('empty').get();
    expect(r).toEqual({ data: [], errMsg: 'collection.get:ok' });
  });
});

describe('aggregate (Collection.aggregate)', () => {
  test('match, group, sort → { list }', async () => {
    const $ = _.aggregate;
    const r = await db.collection('people').aggregate().match({ age: _.gte(20) }).group({ _id: '$city', n: $.sum(1), avg: $.avg('$age') }).sort({ _id: 1 }).end();
    expect(r.list).toEqual([
      { _id: 'Beijing', n: 2, avg: 25 },
      { _id: 'Shanghai', n: 2, avg: 35.5 },
    ]);
  });
});
