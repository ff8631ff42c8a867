/**
 * Conformance: writes. Each case cites WeChat's documentation (guide/database/update.html, add.html,
 * reference-sdk-api/database/collection/*, document/*, command/Command.*, Database.serverDate).
 */
import cloud from 'wx-server-sdk';
import { startTestCloud, TestCloud } from '../testing';

let tc: TestCloud;
const db = cloud.database();
const dbSoft = cloud.database({ throwOnNotFound: false });
const _ = db.command;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

beforeAll(async () => {
  tc = await startTestCloud({ functions: {}, collections: ['c'], http: false, now: T0, frozenClock: true });
});
afterAll(() => tc.close());

const get = async (id: string) => (await dbSoft.collection('c').doc(id).get()).data;

describe('add / set / remove', () => {
  test('add() returns { _id }; an id is generated when data has none (Collection.add)', async () => {
    const r = await db.collection('c').add({ data: { a: 1 } });
    expect(r).toMatchObject({ _id: expect.stringMatching(/^[0-9a-f]{32}$/), errMsg: 'collection.add:ok' });
    expect(await get(r._id)).toEqual({ _id: r._id, a: 1 });
    const r2 = await db.collection('c').add({ data: { _id: 'mine', a: 2 } });
    expect(r2._id).toBe('mine');
  });
  test('add() with an existing _id fails (duplicate key, -502001)', async () => {
    await db.collection('c').add({ data: { _id: 'dup', a: 1 } });
    await expect(db.collection('c').add({ data: { _id: 'dup', a: 2 } })).rejects.toMatchObject({ errCode: -502001 });
    expect(await get('dup')).toEqual({ _id: 'dup', a: 1 });
  });
  test('server writes get no _openid (guide/database: records created by cloud functions have no _openid)', async () => {
    tc.cloud.functions.adder = async () => db.collection('c').add({ data: { a: 1 } });
    const { _id } = (await tc.invoke('adder', {}, 'o_x')) as { _id: string };
    expect(await get(_id)).toEqual({ _id, a: 1 });
  });
  test('doc().set() replaces the whole document or creates it (Document.set)', async () => {
    await db.collection('c').add({ data: { _id: 's1', a: 1, b: { c: 1 } } });
    const r = await db.collection('c').doc('s1').set({ data: { x: 1 } });
    expect(r).toMatchObject({ _id: 's1', stats: { updated: 1, created: 0 } });
    expect(await get('s1')).toEqual({ _id: 's1', x: 1 });
    const r2 = await db.collection('c').doc('s2').set({ data: { y: 2 } });
    expect(r2.stats).toEqual({ updated: 0, created: 1 });
    expect(await get('s2')).toEqual({ _id: 's2', y: 2 });
  });
  test('doc().remove() → { stats: { removed } } (Document.remove)', async () => {
    await db.collection('c').add({ data: { _id: 'r1' } });
    expect((await db.collection('c').doc('r1').remove()).stats).toEqual({ removed: 1 });
    expect((await db.collection('c').doc('r1').remove()).stats).toEqual({ removed: 0 });
  });
  test('doc().get() of a missing document throws; with throwOnNotFound:false it resolves { data: null }', async () => {
    await expect(db.collection('c').doc('missing').get()).rejects.toThrow(/does not exist/);
    expect(await dbSoft.collection('c').doc('missing').get()).toMatchObject({ data: null });
  });
  test('update/set data cannot contain _id; update commands are refused in add/set data', async () => {
    await db.collection('c').add({ data: { _id: 'i1', a: 1 } });
    await expect(db.collection('c').doc('i1').update({ data: { _id: 'x' } })).rejects.toThrow(/_id/);
    await expect(db.collection('c').doc('i1').set({ data: { a: _.inc(1) } })).rejects.toThrow(/command/);
  });
});

describe('update() and update commands (guide/database/update.html)', () => {
  beforeEach(async () => {
    await db.collection('c').doc('u').set({ data: { n: 10, s: 'x', style: { color: 'red', size: 1 }, arr: [1, 2, 3], tags: ['a'], obj: { k: 1 } } });
  });
  test('update() with a nested object updates only the given sub-fields (局部更新)', async () => {
    await db.collection('c').doc('u').update({ data: { style: { color: 'blue' } } });
    expect((await get('u'))!.style).toEqual({ color: 'blue', size: 1 });
    await db.collection('c').doc('u').update({ data: { 'style.size': 5 } });
    expect((await get('u'))!.style).toEqual({ color: 'blue', size: 5 });
  });
  test('_.set replaces the field value as a whole (Command.set)', async () => {
    await db.collection('c').doc('u').update({ data: { style: _.set({ color: 'blue' }) } });
    expect((await get('u'))!.style).toEqual({ color: 'blue' });
  });
  test('_.remove deletes a field (Command.remove)', async () => {
    await db.collection('c').doc('u').update({ data: { s: _.remove() } });
    expect(await get('u')).not.toHaveProperty('s');
  });
  test('_.inc and _.mul are atomic arithmetic (Command.inc / Command.mul)', async () => {
    await db.collection('c').doc('u').update({ data: { n: _.inc(5), fresh: _.inc(1) } });
    expect(await get('u')).toMatchObject({ n: 15, fresh: 1 });
    await db.collection('c').doc('u').update({ data: { n: _.mul(2) } });
    expect((await get('u'))!.n).toBe(30);
    // concurrent increments do not lose updates
    await Promise.all(Array.from({ length: 50 }, () => db.collection('c').doc('u').update({ data: { n: _.inc(1) } })));
    expect((await get('u'))!.n).toBe(80);
  });
  test('_.inc on a non-number fails', async () => {
    await expect(db.collection('c').doc('u').update({ data: { s: _.inc(1) } })).rejects.toMatchObject({ errCode: -502001 });
  });
  test('_.push / _.pop / _.shift / _.unshift (Command.push etc.)', async () => {
    const d = db.collection('c').doc('u');
    await d.update({ data: { arr: _.push(4) } });
    await d.update({ data: { arr: _.push([5, 6]) } });
    expect((await get('u'))!.arr).toEqual([1, 2, 3, 4, 5, 6]);
    await d.update({ data: { arr: _.push({ each: [0], position: 0 }) } });
    expect((await get('u'))!.arr).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await d.update({ data: { arr: _.pop() } });
    await d.update({ data: { arr: _.shift() } });
    expect((await get('u'))!.arr).toEqual([1, 2, 3, 4, 5]);
    await d.update({ data: { arr: _.unshift([-1, 0]) } });
    expect((await get('u'))!.arr).toEqual([-1, 0, 1, 2, 3, 4, 5]);
    await d.update({ data: { arr: _.push({ each: [9], slice: -3 }) } });
    expect((await get('u'))!.arr).toEqual([4, 5, 9]);
  });
  test('_.pull removes matching elements, by value or by condition; _.pullAll (Command.pull)', async () => {
    const d = db.collection('c').doc('u');
    await d.update({ data: { arr: _.pull(2) } });
    expect((await get('u'))!.arr).toEqual([1, 3]);
    await d.set({ data: { arr: [1, 5, 10, 15] } });
    await d.update({ data: { arr: _.pull(_.gte(10)) } });
    expect((await get('u'))!.arr).toEqual([1, 5]);
    await d.update({ data: { arr: _.pullAll([1, 5]) } });
    expect((await get('u'))!.arr).toEqual([]);
  });
  test('_.addToSet adds only absent values; { each } adds several (Command.addToSet)', async () => {
    const d = db.collection('c').doc('u');
    await d.update({ data: { tags: _.addToSet('a') } });
    await d.update({ data: { tags: _.addToSet('b') } });
    await d.update({ data: { tags: _.addToSet({ each: ['b', 'c'] }) } });
    expect((await get('u'))!.tags).toEqual(['a', 'b', 'c']);
  });
  test('_.min / _.max / _.rename', async () => {
    const d = db.collection('c').doc('u');
    await d.update({ data: { n: _.min(3) } });
    expect((await get('u'))!.n).toBe(3);
    await d.update({ data: { n: _.max(7) } });
    expect((await get('u'))!.n).toBe(7);
    await d.update({ data: { n: _.rename('m') } });
    expect(await get('u')).toMatchObject({ m: 7 });
  });
  test('doc().update() result: { stats: { updated } }; a missing doc gives 0; an unchanged value gives 0 (Document.update)', async () => {
    expect((await db.collection('c').doc('u').update({ data: { n: 11 } })).stats).toEqual({ updated: 1 });
    expect((await db.collection('c').doc('u').update({ data: { n: 11 } })).stats).toEqual({ updated: 0 });
    expect((await db.collection('c').doc('nobody').update({ data: { n: 1 } })).stats).toEqual({ updated: 0 });
  });
});

describe('where().update() / where().remove() (Collection.update / Collection.remove)', () => {
  beforeAll(async () => {
    for (let i = 0; i < 6; i++) await db.collection('c').add({ data: { _id: `w${i}`, group: i % 2 ? 'odd' : 'even', pts: i } });
  });
  test('updates every match and returns stats.updated', async () => {
    const r = await db.collection('c').where({ group: 'even' }).update({ data: { pts: _.inc(100) } });
    expect(r).toMatchObject({ stats: { updated: 3 } });
    expect((await get('w2'))!.pts).toBe(102);
  });
  test('a conditional update is how a guarded decrement is written: 0 updated when the guard fails', async () => {
    const r1 = await db.collection('c').where({ _id: 'w1', pts: _.gte(1) }).update({ data: { pts: _.inc(-1) } });
    expect(r1.stats.updated).toBe(1);
    const r2 = await db.collection('c').where({ _id: 'w1', pts: _.gte(1) }).update({ data: { pts: _.inc(-1) } });
    expect(r2.stats.updated).toBe(0);
  });
  test('remove() returns stats.removed', async () => {
    const r = await db.collection('c').where({ group: 'odd' }).remove();
    expect(r.stats.removed).toBe(3);
    expect((await db.collection('c').where({ group: 'odd' }).count()).total).toBe(0);
  });
  test('update/remove on a collection without where() is refused locally', async () => {
    await expect(db.collection('c').update({ data: { a: 1 } })).rejects.toThrow(/where/);
  });
});

describe('serverDate (Database.serverDate)', () => {
  test('db.serverDate() is the server time at the write, as a Date; offset in ms', async () => {
    const { _id } = await db.collection('c').add({ data: { at: db.serverDate(), later: db.serverDate({ offset: 60_000 }) } });
    const d = (await get(_id))!;
    expect(d.at).toBeInstanceOf(Date);
    expect((d.at as Date).getTime()).toBe(T0);
    expect((d.later as Date).getTime()).toBe(T0 + 60_000);
  });
  test('Dates survive storage and compare in queries', async () => {
    await db.collection('c').add({ data: { _id: 'date1', at: new Date(T0 - 1000), kind: 'dated' } });
    await db.collection('c').add({ data: { _id: 'date2', at: new Date(T0 + 1000), kind: 'dated' } });
    const r = await db.collection('c').where({ kind: 'dated', at: _.lt(db.serverDate()) }).get();
    expect(r.data.map((x) => x._id)).toEqual(['date1']);
    await db.collection('c').doc('date1').update({ data: { at: db.serverDate({ offset: 5 }) } });
    expect(((await get('date1'))!.at as Date).getTime()).toBe(T0 + 5);
  });
  test('serverDate follows the local clock that server/clock.ts reads', async () => {
    const { now } = await import('../../server/clock');
    await tc.clock.advance(3600_000);
    expect(now()).toBe(T0 + 3600_000);
    const { _id } = await db.collection('c').add({ data: { at: db.serverDate() } });
    expect(((await get(_id))!.at as Date).getTime()).toBe(T0 + 3600_000);
  });
});
