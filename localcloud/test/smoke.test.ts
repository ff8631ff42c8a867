import cloud from 'wx-server-sdk';
import { startTestCloud, TestCloud } from '../testing';

let tc: TestCloud;
beforeAll(async () => {
  tc = await startTestCloud({
    functions: {
      echo: async (event: Record<string, unknown>) => {
        const ctx = cloud.getWXContext();
        const db = cloud.database();
        const { _id } = await db.collection('things').add({ data: { n: 1, who: ctx.OPENID } });
        await db.collection('things').doc(_id).update({ data: { n: db.command.inc(2) } });
        const got = await db.collection('things').doc(_id).get();
        return { ok: true, data: { event, ctx, doc: got.data } };
      },
    },
    collections: ['things'],
  });
});
afterAll(() => tc.close());

test('call through the gateway', async () => {
  const r = await tc.call('echo', 'o_1', { a: 1 });
  expect(r.ok).toBe(true);
  expect(r.data.ctx.OPENID).toBe('o_1');
  expect(r.data.ctx.SOURCE).toBe('wx_client');
  expect(r.data.doc.n).toBe(3);
  const raw = await tc.callRaw('echo', null, {});
  expect(raw.status).toBe(401);
});
