/**
 * The gateway's contract (docs/architecture.md, "Calling a cloud function"; the local runtime's /api and /__local).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
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
  // and every answer carries them: an API call's result or refusal, a local endpoint's answer
  for (const a of [await post('/api/counter', { by: 1 }, 'o_a'), await post('/api/nothing', {}, 'o_a'), await post('/api/whoami', '{nope', 'o_a'), await fetch(gw.url + '/__local/health')]) {
    expect([a.headers.get('access-control-allow-origin'), a.headers.get('access-control-allow-headers'), a.headers.get('access-control-allow-methods')]).toEqual(['*', 'content-type, x-openid', 'GET, POST, OPTIONS']);
    expect(a.headers.get('content-type')).toBe('application/json; charset=utf-8');
  }
});

/** A raw HTTP/1.1 request with keep-alive, the body written as fast as the socket takes it; resolves with the answer. */
function rawPost(p: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const agent = new http.Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const req = http.request(
      gw.url + p,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          agent.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', (e) => {
      agent.destroy();
      reject(e);
    });
    req.end(body);
  });
}

test('a body over 1 MB → 413 { ok:false, error:{ code:"BAD_REQUEST", message:"请求过大" } } with connection: close; the function is not called', async () => {
  const ticks = cloud.database({ throwOnNotFound: false }).collection('ticks');
  await ticks.doc('counter').set({ data: { n: 0 } });
  for (const size of [1024 * 1024 + 1, 1_100_000, 4 * 1024 * 1024]) {
    const body = Buffer.from(JSON.stringify({ by: 1, pad: 'x'.repeat(size) }));
    for (const p of ['/api/counter', '/__local/pay']) {
      const r = await rawPost(p, body, { 'x-openid': 'o_big' });
      expect([size, p, r.status, r.headers.connection, JSON.parse(r.body)]).toEqual([size, p, 413, 'close', { ok: false, error: { code: 'BAD_REQUEST', message: '请求过大' } }]);
    }
  }
  // exactly 1 MB is still read
  const pad = 1024 * 1024 - JSON.stringify({ by: 0, pad: '' }).length;
  const atLimit = await rawPost('/api/counter', Buffer.from(JSON.stringify({ by: 0, pad: 'x'.repeat(pad) })), { 'x-openid': 'o_big' });
  expect(atLimit.status).toBe(200);
  expect((await ticks.doc('counter').get()).data).toEqual({ _id: 'counter', n: 0 });
  // the gateway goes on serving
  expect((await post('/api/counter', { by: 1 }, 'o_big')).status).toBe(200);
  expect((await ticks.doc('counter').get()).data).toEqual({ _id: 'counter', n: 1 });
});

/** A raw request whose whole body is written before anything is read (as curl or a naive client does). */
function writeAllThenRead(p: string, size: number, headers: string): Promise<{ statusLine: string; body: string; error: string }> {
  return new Promise((resolve) => {
    const s = net.connect(gw.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error = '';
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', (e) => (error = String(e)));
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ statusLine: text.split('\r\n')[0], body: text.slice(text.indexOf('\r\n\r\n') + 4), error });
    });
    s.write(`POST ${p} HTTP/1.1\r\nHost: x\r\n${headers}content-type: application/json\r\ncontent-length: ${size}\r\n\r\n`);
    s.write(Buffer.alloc(size, 'x'), () => s.end());
  });
}

test('a 10 MB body written before reading the answer gets the 413 cleanly (no broken pipe); 401/404 too', async () => {
  const big = await writeAllThenRead('/api/counter', 10 * 1024 * 1024, 'x-openid: o_big\r\n');
  expect([big.statusLine, big.error, JSON.parse(big.body)]).toEqual(['HTTP/1.1 413 Payload Too Large', '', { ok: false, error: { code: 'BAD_REQUEST', message: '请求过大' } }]);
  expect((await writeAllThenRead('/api/counter', 10 * 1024 * 1024, '')).statusLine).toBe('HTTP/1.1 401 Unauthorized');
  expect((await writeAllThenRead('/api/nothing', 10 * 1024 * 1024, 'x-openid: o_big\r\n')).statusLine).toBe('HTTP/1.1 404 Not Found');
  expect((await post('/api/counter', { by: 0 }, 'o_big')).status).toBe(200);
});

test('a path that does not decode (/api/%ZZ) → 400 BAD_REQUEST, not 500; a 500 never carries the internal message', async () => {
  for (const p of ['/api/%ZZ', '/api/%E0%A4%A', '/files/%ZZ']) {
    const r = await fetch(gw.url + p, { method: 'POST', headers: { 'x-openid': 'o_a' }, body: '{}' });
    expect([p, r.status]).toEqual([p, 400]);
    expect(await r.json()).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  }
  const boom = await (await post('/api/boom', {}, 'o_a')).json();
  expect(boom).toEqual({ ok: false, error: { code: 'INTERNAL', message: '服务暂时不可用，请稍后再试' } });
  expect(JSON.stringify(boom)).not.toMatch(/kaboom/);
});
