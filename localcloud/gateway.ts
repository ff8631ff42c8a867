/**
 * The local HTTP gateway (local runtime only).
 *
 *   POST /api/<function>      body = the event (callFunction's data); header x-openid = the caller (required);
 *                             response = the function's return value. A function that throws → 500
 *                             { ok:false, error:{ code:'INTERNAL', message } } (a fixed sentence; the error and
 *                             its stack only in the log). A path that does not decode (`%ZZ`) → 400.
 *   GET  /files/<cloudPath>   files stored with cloud.uploadFile
 *   /__local/...              developer endpoints (clock, pay, pay-bound, timers, messages, wxacode, demo users, upload)
 *   GET  /*                   the h5 build of the mini-program (build/h5), index.html for unknown paths
 */
import * as http from 'http';
import * as fs from 'fs';
import * as path from 'path';
import { AddressInfo } from 'net';
import type { LocalCloud } from './runtime';

export interface GatewayOptions {
  port?: number;
  host?: string;
  /** Folder of the h5 build served at / (null: none). */
  h5Dir?: string | null;
  /** The demo users for GET /__local/demo-users. */
  demoUsers?: () => unknown[];
  /** Log each request (default false). */
  logRequests?: boolean;
}

export interface Gateway {
  server: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const FAST_PATH = /^\/(api|__local)\/[A-Za-z0-9_-]+$/;
const OPENID_RE = /^[A-Za-z0-9_-]{1,64}$/;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Every answer's CORS headers (the h5 build may be served from elsewhere in development). */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, x-openid',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
} as const;

// JSON answers carry the CORS headers themselves: an API request's headers are all given to writeHead, whose
// fast path (no earlier setHeader) takes them as they are instead of setting them one by one
function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body === undefined ? null : body);
  res.writeHead(status, { ...CORS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Send a JSON text as it is. */
function sendJsonText(res: http.ServerResponse, status: number, text: string) {
  res.writeHead(status, {
    'access-control-allow-origin': CORS['access-control-allow-origin'],
    'access-control-allow-headers': CORS['access-control-allow-headers'],
    'access-control-allow-methods': CORS['access-control-allow-methods'],
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fail(res: http.ServerResponse, status: number, code: string, message: string) {
  send(res, status, { ok: false, error: { code, message } });
}

/** Bytes of an over-large body read (and discarded) after the 413, before the connection is cut. */
const MAX_DRAIN = 16 * 1024 * 1024;
/** How long an over-large request may go on sending after its 413 before the connection is cut. */
const DRAIN_MS = 2000;

class BodyTooLarge extends Error {
  readonly status = 413;
  constructor() {
    super('request body too large');
  }
}

/**
 * The request body, at most MAX_BODY bytes. Past that it rejects with BodyTooLarge (status 413) and stops
 * collecting: the rest of the body is read and dropped (so the client, still sending, can read the 413 rather
 * than meet a reset connection), until the response has been sent (see refuseTooLarge).
 */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) {
        if (size > MAX_BODY + MAX_DRAIN) req.socket.destroy();
        return;
      }
      if (size > MAX_BODY) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!over) reject(e);
    });
  });
}

/**
 * Answer 413 to a body over MAX_BODY, `connection: close`. The answer waits until the client has finished
 * sending (the rest is read and dropped by readBody), or DRAIN_MS, or MAX_DRAIN more bytes: Node closes a
 * `connection: close` socket once the answer is flushed, so answering earlier would cut a client that writes its
 * whole body before reading (a broken pipe instead of the 413). Past MAX_DRAIN the connection is cut.
 */
function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    if (res.headersSent || req.socket.destroyed) return;
    send(res, 413, { ok: false, error: { code: 'BAD_REQUEST', message: '请求过大' } }, { connection: 'close' });
  };
  const timer = setTimeout(answer, DRAIN_MS);
  timer.unref?.();
  if (req.complete) return answer();
  req.once('end', answer);
  req.once('close', answer);
  req.socket.once('close', () => clearTimeout(timer));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const buf = await readBody(req);
  if (buf.length === 0) return {};
  return JSON.parse(buf.toString('utf8'));
}

function sniffType(file: string, buf?: Buffer): string {
  const ext = path.extname(file).toLowerCase();
  if (buf && buf.subarray(0, 5).toString() === '<svg ') return 'image/svg+xml';
  return MIME[ext] ?? 'application/octet-stream';
}

function serveFile(res: http.ServerResponse, file: string, cache = 'no-cache') {
  const buf = fs.readFileSync(file);
  res.writeHead(200, { 'content-type': sniffType(file, buf), 'content-length': buf.length, 'cache-control': cache });
  res.end(buf);
}

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>共享购 · local runtime</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.6">
<h1>共享购 — local cloud</h1><p>The API is up at <code>POST /api/&lt;function&gt;</code> (header <code>x-openid</code>).</p>
<p>The h5 build of the mini-program was not found in <code>build/h5/</code>: run <code>npm run build:h5</code>, then reload.</p>
<p>Developer endpoints: <a href="/__local/health">/__local/health</a>, <a href="/__local/clock">/__local/clock</a>,
<a href="/__local/messages">/__local/messages</a>, <a href="/__local/demo-users">/__local/demo-users</a>.</p></body>`;

export async function startGateway(cloud: LocalCloud, opts: GatewayOptions = {}): Promise<Gateway> {
  const h5Dir = opts.h5Dir ? path.resolve(opts.h5Dir) : null;

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, fn: string) {
    if (req.method !== 'POST') return fail(res, 405, 'METHOD_NOT_ALLOWED', '请使用 POST 调用云函数');
    const openid = req.headers['x-openid'];
    if (typeof openid !== 'string' || !OPENID_RE.test(openid)) {
      return fail(res, 401, 'UNAUTHENTICATED', '未登录：本地运行时需要请求头 x-openid（选择一个演示用户）');
    }
    if (!cloud.hasFunction(fn)) return fail(res, 404, 'NO_SUCH_FUNCTION', `没有名为 ${fn} 的云函数`);
    let event: unknown;
    try {
      event = await readJson(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) return refuseTooLarge(req, res);
      return fail(res, 400, 'BAD_REQUEST', '请求体不是合法的 JSON');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event)) return fail(res, 400, 'BAD_REQUEST', '请求体必须是一个 JSON 对象');
    try {
      const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      // the event is ours (just parsed): no copy; the result goes out as the text invoke made of it
      sendJsonText(res, 200, await cloud.invokeJson(fn, event, { OPENID: openid, SOURCE: 'wx_client', CLIENTIP: ip }, true));
    } catch (e) {
      cloud.log(`[localcloud] ${fn} failed (${openid}): ${(e as Error)?.stack ?? e}`);
      // the message and stack stay in the log: internals never reach a caller
      fail(res, 500, 'INTERNAL', '服务暂时不可用，请稍后再试');
    }
  }

  async function handleLocal(req: http.IncomingMessage, res: http.ServerResponse, sub: string, url: URL) {
    const method = req.method ?? 'GET';
    if (sub === 'conflicts' && method === 'GET') return send(res, 200, { ok: true, data: cloud.engine.hotDocs(Math.min(100_000, Number(url.searchParams.get('top') ?? 20) || 20)) });
    if (sub === 'health') return send(res, 200, { ok: true, data: { env: cloud.env, dataDir: cloud.dataDir, functions: Object.keys(cloud.functions), clock: cloud.clock.describe(), profile: cloud.profile } });
    if (sub === 'clock') {
      if (method === 'GET') return send(res, 200, { ok: true, data: cloud.clock.describe() });
      const body = (await readJson(req)) as { advanceMs?: number; setMs?: number; frozen?: boolean; reset?: boolean };
      if (body.reset) cloud.clock.reset();
      else if (typeof body.setMs === 'number') cloud.clock.set(body.setMs, body.frozen);
      else if (typeof body.advanceMs === 'number') cloud.clock.advance(body.advanceMs);
      else return fail(res, 400, 'BAD_REQUEST', 'POST /__local/clock takes { advanceMs } or { setMs, frozen? } or { reset: true }');
      const runs = await cloud.timers.tick();
      return send(res, 200, { ok: true, data: { ...cloud.clock.describe(), timerRuns: runs } });
    }
    if (sub === 'pay' && method === 'POST') {
      const body = (await readJson(req)) as { outTradeNo?: string; times?: number; notify?: string };
      if (!body.outTradeNo) return fail(res, 400, 'BAD_REQUEST', 'outTradeNo is required');
      const openid = req.headers['x-openid'];
      try {
        const notify = body.notify === 'later' ? 'later' : 'now';
        const r = await cloud.pay.confirm(String(body.outTradeNo), { times: body.times, openid: typeof openid === 'string' ? openid : undefined, notify });
        return send(res, 200, { ok: true, data: { outTradeNo: r.order.outTradeNo, state: r.order.state, transactionId: r.order.transactionId, callbackResults: r.results } });
      } catch (e) {
        const err = e as { code?: string; message?: string };
        return fail(res, 400, err.code ?? 'PAY_FAILED', err.message ?? String(e));
      }
    }
    if (sub === 'pay-orders' && method === 'GET') return send(res, 200, { ok: true, data: cloud.pay.list() });
    // the sub-merchant ids bound to the environment (微信支付配置): null = every id (the default)
    if (sub === 'pay-bound') {
      if (method === 'POST') {
        const body = (await readJson(req)) as { subMchIds?: unknown };
        if (body.subMchIds !== null && !(Array.isArray(body.subMchIds) && body.subMchIds.every((x) => typeof x === 'string'))) {
          return fail(res, 400, 'BAD_REQUEST', 'POST /__local/pay-bound takes { subMchIds: string[] | null }');
        }
        cloud.pay.boundSubMchIds = body.subMchIds === null ? null : new Set(body.subMchIds as string[]);
      }
      return send(res, 200, { ok: true, data: { subMchIds: cloud.pay.boundSubMchIds ? [...cloud.pay.boundSubMchIds].sort() : null } });
    }
    if (sub.startsWith('timer/') && method === 'POST') {
      const fn = decodeURIComponent(sub.slice('timer/'.length));
      if (!cloud.hasFunction(fn)) return fail(res, 404, 'NO_SUCH_FUNCTION', `没有名为 ${fn} 的云函数`);
      const run = await cloud.timers.fire(fn);
      return send(res, 200, { ok: !run.error, data: run });
    }
    if (sub === 'timers') return send(res, 200, { ok: true, data: { timers: cloud.timers.list(), runs: cloud.timers.runs } });
    if (sub === 'messages') {
      const touser = url.searchParams.get('touser');
      const all = cloud.openapi.messages();
      return send(res, 200, { ok: true, data: touser ? all.filter((m) => m.touser === touser) : all });
    }
    if (sub === 'wxacode') {
      const scene = url.searchParams.get('scene') ?? '';
      const page = url.searchParams.get('page') ?? undefined;
      try {
        const r = await cloud.openapi.getUnlimited({ scene, page, width: Number(url.searchParams.get('width') ?? 430) });
        res.writeHead(200, { 'content-type': r.contentType, 'content-length': r.buffer.length });
        return res.end(r.buffer);
      } catch (e) {
        return fail(res, 400, 'BAD_REQUEST', (e as Error).message);
      }
    }
    if (sub === 'demo-users') return send(res, 200, { ok: true, data: opts.demoUsers ? opts.demoUsers() : [] });
    if (sub === 'upload' && method === 'POST') {
      const openid = req.headers['x-openid'];
      if (typeof openid !== 'string' || !OPENID_RE.test(openid)) return fail(res, 401, 'UNAUTHENTICATED', '未登录：需要请求头 x-openid');
      const cloudPath = url.searchParams.get('cloudPath');
      if (!cloudPath) return fail(res, 400, 'BAD_REQUEST', 'cloudPath is required');
      const buf = await readBody(req);
      try {
        const r = await cloud.files.uploadFile({ cloudPath, fileContent: buf });
        return send(res, 200, { ok: true, data: { fileID: r.fileID, tempFileURL: cloud.files.urlOf(cloudPath) } });
      } catch (e) {
        return fail(res, 400, 'BAD_REQUEST', (e as Error).message);
      }
    }
    return fail(res, 404, 'NOT_FOUND', `no local endpoint ${method} /__local/${sub}`);
  }

  function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'METHOD_NOT_ALLOWED', 'GET only');
    if (!h5Dir || !fs.existsSync(path.join(h5Dir, 'index.html'))) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(PLACEHOLDER);
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return fail(res, 400, 'BAD_REQUEST', 'bad path');
    }
    const file = path.resolve(h5Dir, '.' + rel);
    if (file.startsWith(h5Dir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      return serveFile(res, file, /\.[0-9a-f]{8,}\./.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    return serveFile(res, path.join(h5Dir, 'index.html'));
  }

  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    // the common paths need no URL parsing (only letters, digits, _ - /: the path is the pathname as is)
    const plain = FAST_PATH.test(raw);
    // an API call answers with send/sendJsonText only, which give the CORS headers themselves
    if (!(plain && raw.startsWith('/api/')) || req.method === 'OPTIONS') {
      for (const k of Object.keys(CORS) as Array<keyof typeof CORS>) res.setHeader(k, CORS[k]);
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return res.end();
    }
    const url = plain ? null : new URL(raw, 'http://local');
    const p = url ? url.pathname : raw;
    const started = Date.now();
    if (opts.logRequests) res.on('finish', () => cloud.log(`${req.method} ${p} ${res.statusCode} ${Date.now() - started}ms`));
    const done = (e: unknown) => {
      if (e instanceof BodyTooLarge) return refuseTooLarge(req, res);
      cloud.log(`[localcloud] ${req.method} ${p}: ${(e as Error)?.stack ?? e}`);
      if (!res.headersSent) {
        if (e instanceof SyntaxError) fail(res, 400, 'BAD_REQUEST', '请求体不是合法的 JSON');
        else if (e instanceof URIError) fail(res, 400, 'BAD_REQUEST', '请求路径不正确');
        else fail(res, 500, 'INTERNAL', '服务暂时不可用，请稍后再试');
      }
    };
    try {
      if (p.startsWith('/api/')) return void handleApi(req, res, decodeURIComponent(p.slice(5))).catch(done);
      if (p.startsWith('/__local/')) return void handleLocal(req, res, p.slice('/__local/'.length), url ?? new URL(raw, 'http://local')).catch(done);
      if (p.startsWith('/files/')) {
        let file: string;
        try {
          file = cloud.files.diskPath(decodeURIComponent(p.slice('/files/'.length)));
        } catch {
          return fail(res, 400, 'BAD_REQUEST', 'bad path');
        }
        if (!fs.existsSync(file)) return fail(res, 404, 'NOT_FOUND', 'no such file');
        return serveFile(res, file);
      }
      return handleStatic(req, res, p);
    } catch (e) {
      done(e);
    }
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  cloud.baseUrl = url;
  return {
    server,
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
