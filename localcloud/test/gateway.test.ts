/**
 * The gateway's contract (docs/architecture.md, "Calling a cloud function"; the local runtime's /api and /__local).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud, LocalCloud } from '../runtime';
import { startGateway, Gateway } from '../gateway';
import { fixtures, FIXTURE_COLLECTIONS } from './fixtures';

let cloud: LocalCloud;
let gw: Gateway;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-test-'));
  fs.mkdirSync(path.join(dir, 'h5', 'js'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'h5', 'index.html'), '<!doctype html><title>app</title>');
  fs.writeFileSync(path.join(dir, 'h5', 'js', 'app.js'), 'console.log(1)');
  cloud = createLocalCloud({ dataDir: path.join(dir, 'data'), functions: fixtures, collections: FIXTURE_COLLECTIONS, log: (l) => logs.push(l) });
  gw = await startGateway(cloud, { h5Dir: path.join(dir, 'h5'), demoUsers: () => [{ openid: 'o_demo', nickname: '演示' }] });
});
afterAll(async () => {
  await gw.close();
  await cloud.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = (p: string, body: unknown, openid?: string) =>
  fetch(gw.url + p, { method: 'POST', headers: { 'content-type': 'application/json', ...(openid ? { 'x-openid': openid } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('POST /api/<fn>: the body is the event, the response the return value', async () => {
  const r = await post('/api/counter', { by: 2 }, 'o_a');
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ ok: true, data: null });
});

test('no x-openid → 401 UNAUTHENTICATED; unknown function → 404 NO_SUCH_FUNCTION; bad JSON → 400', async () => {
  const a = await post('/api/whoami', {});
  expect(a.status).toBe(401);
  expect(await a.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  const b = await post('/api/nothing', {}, 'o_a');
  expect(b.status).toBe(404);
  expect(await b.json()).toMatchObject({ ok: false, error: { code: 'NO_SUCH_FUNCTION' } });
  const c = await post('/api/whoami', '{nope', 'o_a');
  expect(c.status).toBe(400);
  expect(await c.json()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  const d = await post('/api/whoami', '[1,2]', 'o_a');
  expect(d.status).toBe(400);
});

test('a function that throws → { ok:false, error:{ code:"INTERNAL", message } } and its stack in the log', async () => {
  const r = await post('/api/boom', {}, 'o_a');
  expect(r.status).toBe(500);
  expect(await r.json()).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
  expect(logs.join('\n')).toMatch(/kaboom[\s\S]*at /);
});

test('the h5 build is served at /, with index.html for app routes', async () => {
  expect(await (await fetch(gw.url + '/')).text()).toContain('<title>app</title>');
  const js = await fetch(gw.url + '/js/app.js');
  expect(js.headers.get('content-type')).toMatch(/javascript/);
  expect(await (await fetch(gw.url + '/pages/index/index')).text()).toContain('<title>app</title>');
  expect((await fetch(gw.url + '/../../etc/passwd')).status).toBe(200); // normalised to index.html, never outside
});

test('/__local endpoints: health, demo users, clock, upload', async () => {
  expect(await (await fetch(gw.url + '/__local/health')).json()).toMatchObject({ ok: true, data: { env: 'local-env' } });
  expect(await (await fetch(gw.url + '/__local/demo-users')).json()).toEqual({ ok: true, data: [{ openid: 'o_demo', nickname: '演示' }] });
  const before = cloud.clock.now();
  const r = await (await post('/__local/clock', { advanceMs: 3600_000 })).json();
  expect(r.data.now - before).toBeGreaterThanOrEqual(3600_000);
  const set = await (await post('/__local/clock', { setMs: Date.UTC(2030, 0, 1), frozen: true })).json();
  expect(set.data.iso).toBe('2030-01-01T00:00:00.000Z');
  await post('/__local/clock', { reset: true });
  const up = await fetch(gw.url + '/__local/upload?cloudPath=qr/a.png', { method: 'POST', headers: { 'x-openid': 'o_a' }, body: Buffer.from('img') });
  const body = await up.json();
  expect(body.data.fileID).toMatch(/^cloud:\/\/.*qr\/a\.png$/);
  expect(await (await fetch(body.data.tempFileURL)).text()).toBe('img');
});

test('CORS preflight is answered (the h5 dev server runs on another port)', async () => {
  const r = await fetch(gw.url + '/api/whoami', { method: 'OPTIONS' });
  expect(r.status).toBe(204);
  expect(r.headers.get('access-control-allow-headers')).toMatch(/x-openid/);
});
