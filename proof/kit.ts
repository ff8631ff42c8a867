/**
 * Shared pieces of the proof suites (load, faults, bad input, roles, kill) and the gateway benchmark:
 * an HTTP client for the local gateway that records latency and outcome per action, the set of error
 * codes the product defines (read from its source), a world builder that uses only the API, the
 * workload's actors, and the end-of-run checks (ledger, conservation, exactly-once).
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The repository (found from here upwards: this file may run from a bundle in node_modules/.cache). */
export const ROOT = ((): string => {
  // set by scripts/run-ts.cjs (a bundle under a symlinked node_modules/.cache would find another checkout)
  const env = process.env.REPO_ROOT;
  if (env && fs.existsSync(path.join(env, 'localcloud', 'indexes.json')) && fs.existsSync(path.join(env, 'shared', 'api.ts'))) return path.resolve(env);
  let d = __dirname;
  for (let i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(d, 'localcloud', 'indexes.json')) && fs.existsSync(path.join(d, 'shared', 'api.ts'))) return d;
    d = path.dirname(d);
  }
  return process.cwd();
})();
export const ADMIN = 'o_proof_admin';
export const T0 = Date.UTC(2026, 2, 2, 2); // 2026-03-02 10:00 Asia/Shanghai

// ------------------------------------------------------------------ error codes

/**
 * Every error code the product can answer with: the codes of `new DomainError('X'` in the product's source
 * and the gateway's own refusals. INTERNAL is not one of them: it means something broke.
 */
export function knownCodes(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.test\.ts$|testutil/.test(e.name)) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/DomainError\(\s*'([A-Z][A-Z0-9_]+)'/g)) out.add(m[1]);
        for (const m of text.matchAll(/\bcode:\s*'([A-Z][A-Z0-9_]+)'/g)) out.add(m[1]);
        for (const m of text.matchAll(/fail\(res,\s*\d+,\s*'([A-Z][A-Z0-9_]+)'/g)) out.add(m[1]);
      }
    }
  };
  for (const d of ['shared', 'server', 'cloudfunctions']) walk(path.join(ROOT, d));
  const gw = fs.readFileSync(path.join(ROOT, 'localcloud', 'gateway.ts'), 'utf8');
  for (const m of gw.matchAll(/fail\(res,\s*\d+,\s*'([A-Z][A-Z0-9_]+)'/g)) out.add(m[1]);
  out.delete('INTERNAL');
  return out;
}

/** A Chinese sentence a user can read. */
export const CHINESE = /[\u4e00-\u9fa5]/;

// ------------------------------------------------------------------ statistics

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface Outcome {
  label: string;
  ms: number;
  status: number;
  ok: boolean;
  code: string | null;
  message: string | null;
}

export class Stats {
  readonly outcomes: Outcome[] = [];
  /** The first few answers that were not business refusals, with their request. */
  readonly broken: Array<{ label: string; status: number; body: unknown; event: unknown }> = [];
  private readonly known = knownCodes();

  add(o: Outcome, body: unknown, event: unknown): void {
    this.outcomes.push(o);
    if (!o.ok && (o.status !== 200 || !o.code || !this.known.has(o.code) || !CHINESE.test(o.message ?? ''))) {
      if (this.broken.length < 20) this.broken.push({ label: o.label, status: o.status, body, event });
    }
  }

  /** Failures that are not a business refusal with a known code and a sentence (the load suite asserts none). */
  notBusiness(): Outcome[] {
    return this.outcomes.filter((o) => !o.ok && (o.status !== 200 || !o.code || !this.known.has(o.code) || !CHINESE.test(o.message ?? '')));
  }

  codes(): Record<string, number> {
    const c: Record<string, number> = {};
    for (const o of this.outcomes) if (!o.ok) c[`${o.label}:${o.code}`] = (c[`${o.label}:${o.code}`] ?? 0) + 1;
    return c;
  }

  latency(filter?: (o: Outcome) => boolean): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } {
    const xs = this.outcomes.filter(filter ?? (() => true)).map((o) => o.ms).sort((a, b) => a - b);
    const mean = xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
    return { n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99), max: xs[xs.length - 1] ?? NaN, mean };
  }

  byLabel(): Record<string, { n: number; failed: number; p50: number; p95: number; p99: number }> {
    const labels = [...new Set(this.outcomes.map((o) => o.label))].sort();
    const out: Record<string, { n: number; failed: number; p50: number; p95: number; p99: number }> = {};
    for (const l of labels) {
      const lat = this.latency((o) => o.label === l);
      out[l] = { n: lat.n, failed: this.outcomes.filter((o) => o.label === l && !o.ok).length, p50: r1(lat.p50), p95: r1(lat.p95), p99: r1(lat.p99) };
    }
    return out;
  }
}

const r1 = (x: number) => Math.round(x * 10) / 10;

// ------------------------------------------------------------------ HTTP client

export interface Answer {
  status: number;
  body: any;
  ms: number;
}

/** A client of the local gateway: POST /api/<fn> with x-openid, and the developer endpoints (/__local/...). */
export class Gateway {
  readonly agent: http.Agent;
  readonly host: string;
  readonly port: number;
  stats: Stats | null = null;

  constructor(readonly url: string, opts: { maxSockets?: number } = {}) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 128 });
  }

  close(): void {
    this.agent.destroy();
  }

  raw(method: 'GET' | 'POST', p: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path: p,
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const s = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = s;
            try {
              parsed = s ? JSON.parse(s) : null;
            } catch {
              /* not JSON: kept as text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - t0 });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  /** Call a cloud function as `openid` (null: no x-openid header). Records the outcome under `fn.action`. */
  async call(fn: string, openid: string | null, event: Record<string, unknown>, label?: string): Promise<Answer> {
    const a = await this.raw('POST', `/api/${fn}`, event, openid ? { 'x-openid': openid } : {});
    if (this.stats) {
      const b = a.body ?? {};
      this.stats.add(
        { label: label ?? `${fn}.${String(event.action)}`, ms: a.ms, status: a.status, ok: a.status === 200 && b.ok === true, code: b?.error?.code ?? null, message: b?.error?.message ?? null },
        a.body,
        event,
      );
    }
    return a;
  }

  /** The call's data; throws with the answer when it is refused. */
  async ok(fn: string, openid: string, event: Record<string, unknown>): Promise<any> {
    const a = await this.call(fn, openid, event);
    if (a.status !== 200 || a.body?.ok !== true) throw new Error(`${fn}.${String(event.action)} as ${openid}: ${a.status} ${JSON.stringify(a.body)}`);
    return a.body.data;
  }

  /**
   * The user completes a WeChat Pay payment (the simulator notifies the payment function: before it answers, or,
   * with `notify: 'later'`, on its own right after, as WeChat Pay does).
   */
  async pay(outTradeNo: string, openid?: string, times?: number, notify?: 'later'): Promise<Answer> {
    const a = await this.raw('POST', '/__local/pay', { outTradeNo, times, notify }, openid ? { 'x-openid': openid } : {});
    if (this.stats) {
      const ok = a.status === 200 && a.body?.ok === true;
      this.stats.add({ label: 'pay', ms: a.ms, status: a.status, ok, code: a.body?.error?.code ?? null, message: a.body?.error?.message ?? null }, a.body, { outTradeNo });
    }
    return a;
  }

  async timer(fn: string): Promise<any> {
    return (await this.raw('POST', `/__local/timer/${fn}`, {})).body;
  }

  async clock(body: { advanceMs?: number; setMs?: number; frozen?: boolean }): Promise<any> {
    return (await this.raw('POST', '/__local/clock', body)).body;
  }
}

// ------------------------------------------------------------------ ids

let seq = 0;
const runTag = Date.now().toString(36).slice(-6);
/** A fresh requestId (8–64 of [A-Za-z0-9_-]). */
export function rid(tag = 'r'): string {
  seq += 1;
  return `${tag}-${runTag}-${seq}`;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ------------------------------------------------------------------ the world, through the API only

export interface Merchant {
  id: string;
  owner: string;
  productId: string;
}
export interface User {
  openid: string;
  userNo: string;
}
export interface World {
  merchants: Merchant[];
  users: User[];
  /** Setup answers that were retried (BUSY / INTERNAL, by `fn.action:code`): 0 when the design copes with the arrivals. */
  setupRetries: Record<string, number>;
}

const SETUP_ATTEMPTS = 8;

/**
 * One setup step of a world built concurrently (merchants and users arriving at once, as in a real launch): an
 * answer refused BUSY or INTERNAL is sent again, the same event (so the same requestId), up to 8 times, each retry
 * counted in `retries`. Other refusals, or the last attempt's, throw.
 */
async function setupOk(
  gw: Gateway,
  retries: Record<string, number>,
  fn: string,
  openid: string,
  event: Record<string, unknown>,
  /** After a retry: the refusal that says the first attempt did happen (its answer was lost) → the result. */
  recover?: (code: string) => Promise<any>,
): Promise<any> {
  for (let i = 1; ; i++) {
    const a = await gw.call(fn, openid, event);
    if (a.status === 200 && a.body?.ok === true) return a.body.data;
    const code = a.body?.error?.code ?? `HTTP${a.status}`;
    if (i > 1 && recover) {
      const r = await recover(code);
      if (r !== undefined) return r;
    }
    if (i >= SETUP_ATTEMPTS || (code !== 'BUSY' && code !== 'INTERNAL')) {
      throw new Error(`${fn}.${String(event.action)} as ${openid}: ${a.status} ${JSON.stringify(a.body)} (attempt ${i})`);
    }
    const k = `${fn}.${String(event.action)}:${code}`;
    retries[k] = (retries[k] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 20 * i + Math.random() * 30 * i));
  }
}

export function application(name: string) {
  return {
    name,
    category: '餐饮美食',
    address: `东莞市松山湖 ${name} 1号`,
    contact: '13800000000',
    licenseImage: 'cloud://env/license.png',
    subMchId: '1230000001',
    description: `${name}的介绍`,
  };
}

/**
 * Run `fn` (deposit purchases) with the deposit value raised to what `points` are worth at the guide price, then
 * put it back: the treasury sells a store only up to its deposit value (SPEC §6.3), and a test world gives its
 * stores more than that to share out. Done by the admin through the API (both changes audited), as an operator
 * seeding a world would.
 */
export async function withDepositValueFor<T>(gw: Gateway, points: string, fn: () => Promise<T>): Promise<T> {
  const { params } = await gw.ok('admin', ADMIN, { action: 'params' });
  const { guidePriceFen } = await gw.ok('admin', ADMIN, { action: 'dashboard' });
  const was = params.merchantDepositValueFen as number;
  const need = Math.ceil(Number(points) * guidePriceFen);
  if (need <= was) return fn();
  await gw.ok('admin', ADMIN, { action: 'setParam', name: 'merchantDepositValueFen', value: need, reason: '测试数据：商家多买积分' });
  try {
    return await fn();
  } finally {
    await gw.ok('admin', ADMIN, { action: 'setParam', name: 'merchantDepositValueFen', value: was, reason: '测试数据：恢复保证金' });
  }
}

/**
 * Merchants (applied, approved by the admin, deposit bought and paid) and users (logged in), built through the
 * gateway only. `depositPoints` per merchant; `userPoints`: each merchant moves what it holds above the deposit
 * requirement to its owner's available points and transfers it to the users in equal parts.
 */
export async function buildWorld(
  gw: Gateway,
  opts: {
    prefix: string;
    merchants: number;
    users: number;
    depositPoints?: string;
    userPoints?: number;
    stock?: number;
    /** How many merchants, and users, arrive at once (default: all). */
    merchantConcurrency?: number;
    userConcurrency?: number;
  },
): Promise<World> {
  const p = opts.prefix;
  const retries: Record<string, number> = {};
  const ok = (fn: string, openid: string, event: Record<string, unknown>, recover?: (code: string) => Promise<any>) =>
    setupOk(gw, retries, fn, openid, event, recover);
  // a step killed after its commit (the cloudbase profile's timeouts) answers INTERNAL, and its retry is refused
  // as already done: then the merchant as it is now is the answer
  const mine = async (owner: string, status: string) => {
    const m = (await gw.call('merchant', owner, { action: 'mine' })).body?.data;
    return m && (status === '*' || status.split('|').includes(m.status)) ? m : undefined;
  };
  await ok('user', ADMIN, { action: 'login' });
  const oneMerchant = async (i: number): Promise<Merchant> => {
      const owner = `${p}_m${i}`;
      await ok('user', owner, { action: 'login' });
      const m = await ok('merchant', owner, { action: 'apply', requestId: rid('apply'), ...application(`${p}店${i}`) }, (code) =>
        code === 'ALREADY_APPLIED' ? mine(owner, '*') : Promise.resolve(undefined),
      );
      await ok('admin', ADMIN, { action: 'approveMerchant', merchantId: m.id }, (code) =>
        code === 'INVALID_STATE' ? mine(owner, 'approved|active') : Promise.resolve(undefined),
      );
      const d = await ok('merchant', owner, { action: 'buyDeposit', points: opts.depositPoints ?? '1000', requestId: rid('dep') });
      for (let k = 1; ; k++) {
        // the notification is acknowledged or not; WeChat Pay would send it again (here: up to 8 times)
        const paid = await gw.pay(d.pay.outTradeNo, owner);
        if (paid.body?.ok === true && (paid.body.data?.callbackResults?.[0] as any)?.errcode === 0) break;
        if (k >= SETUP_ATTEMPTS) throw new Error(`deposit payment failed: ${JSON.stringify(paid.body)}`);
        retries['pay.deposit'] = (retries['pay.deposit'] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 20 * k));
      }
      const prod = await ok('merchant', owner, {
        action: 'saveProduct',
        requestId: rid('prod'),
        title: `${p}商品${i}`,
        priceFen: 990,
        stock: opts.stock ?? 1_000_000,
        images: ['https://example.com/a.png'],
        description: '货品',
      });
      return { id: m.id, owner, productId: prod.id };
  };
  const merchants: Merchant[] = [];
  const step = Math.max(1, opts.merchantConcurrency ?? opts.merchants);
  await withDepositValueFor(gw, opts.depositPoints ?? '1000', async () => {
    for (let at = 0; at < opts.merchants; at += step) {
      merchants.push(...(await Promise.all(Array.from({ length: Math.min(step, opts.merchants - at) }, (_x, k) => oneMerchant(at + k)))));
    }
  });
  const oneUser = async (i: number): Promise<User> => {
    const openid = `${p}_u${i}`;
    const me = await ok('user', openid, { action: 'login' });
    return { openid, userNo: me.userNo };
  };
  const users: User[] = [];
  const ustep = Math.max(1, opts.userConcurrency ?? opts.users);
  for (let at = 0; at < opts.users; at += ustep) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(ustep, opts.users - at) }, (_x, k) => oneUser(at + k)))));
  }
  if (opts.userPoints && opts.userPoints > 0) {
    // points for the users, by the product's own paths: the store's surplus → its owner → transfers
    await Promise.all(
      merchants.map(async (m, mi) => {
        const per = Math.ceil((users.length - mi) / merchants.length) * opts.userPoints!;
        if (per === 0) return;
        await ok('merchant', m.owner, { action: 'movePoints', direction: 'toAvailable', points: `${per}.00`, requestId: rid('move') });
        for (let ui = mi; ui < users.length; ui += merchants.length) {
          await ok('user', m.owner, { action: 'transfer', toUserNo: users[ui].userNo, points: `${opts.userPoints}.00`, requestId: rid('seed') });
        }
      }),
    );
  }
  return { merchants, users, setupRetries: retries };
}

// ------------------------------------------------------------------ workload actors

export type Pick = <T>(xs: readonly T[]) => T;

/** An in-store order (scan and pay): create → WeChat Pay → settled at once. Returns the order id if created. */
export async function instoreOrder(gw: Gateway, buyer: string, m: Merchant, amountFen: number, points?: string): Promise<{ id: string | null; settled: boolean }> {
  const c = await gw.call('order', buyer, { action: 'create', requestId: rid('o'), merchantId: m.id, amountFen, ...(points ? { points } : {}) });
  if (c.body?.ok !== true) return { id: null, settled: false };
  const { order, pay } = c.body.data;
  if (!pay) return { id: order.id, settled: order.status === 'completed' };
  const p = await gw.pay(pay.outTradeNo, buyer);
  return { id: order.id, settled: p.body?.ok === true };
}

/** Goods: create → pay → the merchant ships → the buyer confirms receipt (settlement). */
export async function goodsOrder(gw: Gateway, buyer: string, m: Merchant, qty: number): Promise<{ id: string | null; settled: boolean }> {
  const c = await gw.call('order', buyer, { action: 'create', requestId: rid('g'), merchantId: m.id, items: [{ productId: m.productId, quantity: qty }] });
  if (c.body?.ok !== true) return { id: null, settled: false };
  const { order, pay } = c.body.data;
  if (pay) {
    const p = await gw.pay(pay.outTradeNo, buyer);
    if (p.body?.ok !== true) return { id: order.id, settled: false };
  }
  const s = await gw.call('merchant', m.owner, { action: 'ship', orderId: order.id, trackingNo: 'SF1000' });
  if (s.body?.ok !== true) return { id: order.id, settled: false };
  const f = await gw.call('order', buyer, { action: 'confirm', orderId: order.id });
  return { id: order.id, settled: f.body?.ok === true };
}

/** An order created and then cancelled by the buyer before paying. */
export async function cancelledOrder(gw: Gateway, buyer: string, m: Merchant): Promise<void> {
  const c = await gw.call('order', buyer, { action: 'create', requestId: rid('c'), merchantId: m.id, items: [{ productId: m.productId, quantity: 1 }] });
  if (c.body?.ok !== true) return;
  await gw.call('order', buyer, { action: 'cancel', orderId: c.body.data.order.id });
}

/** A market round for one user: place an order at a price in the band, then settle its own live trades. */
export async function marketStep(gw: Gateway, openid: string, side: 'buy' | 'sell', rnd: () => number): Promise<void> {
  const priceFen = 195 + Math.floor(rnd() * 11); // within ±10% of ¥2.00
  const quantity = `${1 + Math.floor(rnd() * 4)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`;
  await gw.call('market', openid, { action: 'place', side, priceFen, quantity, requestId: rid('mo') });
  const trades = await gw.call('market', openid, { action: 'myTrades' });
  for (const t of trades.body?.data?.items ?? []) {
    if (t.role === 'buyer' && t.status === 'awaiting_payment') await gw.call('market', openid, { action: 'markPaid', tradeId: t.id });
    else if (t.role === 'seller' && t.status === 'paid') await gw.call('market', openid, { action: 'confirm', tradeId: t.id });
  }
  if (rnd() < 0.15) {
    const mine = await gw.call('market', openid, { action: 'myOrders', status: 'open' });
    const o = (mine.body?.data?.items ?? [])[0];
    if (o) await gw.call('market', openid, { action: 'cancel', orderId: o.id });
  }
}

/** Settle every live trade: buyers mark paid, sellers confirm. */
export async function drainTrades(gw: Gateway, openids: string[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (const u of openids) {
      const trades = await gw.call('market', u, { action: 'myTrades' });
      for (const t of trades.body?.data?.items ?? []) {
        if (t.role === 'buyer' && t.status === 'awaiting_payment') await gw.call('market', u, { action: 'markPaid', tradeId: t.id });
      }
    }
    for (const u of openids) {
      const trades = await gw.call('market', u, { action: 'myTrades' });
      for (const t of trades.body?.data?.items ?? []) {
        if (t.role === 'seller' && (t.status === 'paid' || t.status === 'awaiting_payment')) await gw.call('market', u, { action: 'confirm', tradeId: t.id });
      }
    }
  }
}

/** Run `workers` loops of `step` until `ms` have passed. */
export async function runFor(ms: number, workers: number, step: (w: number, i: number) => Promise<void>): Promise<number> {
  const end = Date.now() + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_x, w) => {
      for (let i = 0; Date.now() < end; i++) {
        await step(w, i);
        n++;
      }
    }),
  );
  return n;
}
