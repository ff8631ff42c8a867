/**
 * A local cloud for tests: a fresh temporary data folder, the registered cloud functions (localcloud/functions.ts)
 * or your own, and the gateway on a random port.
 *
 *   const tc = await startTestCloud({ now: Date.UTC(2026, 2, 2, 2) });
 *   const r = await tc.call('order', 'o_alice', { action: 'create', ... });   // through HTTP, as the h5 app
 *   await tc.pay(outTradeNo);                                                  // the user pays
 *   await tc.clock.advance(31 * 60_000); await tc.fireTimer('timeouts');
 *   await tc.close();
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud, LocalCloud, CloudFunctionMain, InvokeContext } from './runtime';
import { startGateway, Gateway } from './gateway';
import type { Database } from './db/api';
import type { IndexConfig } from './db/store';
import type { FunctionConfig, TimerRun } from './timers';
import type { PayOrder } from './pay';
import type { SentMessage } from './openapi';
import type { Faults } from './db/engine';
import { functions as registry } from './functions';
import type { ProfileOption } from './profile';

export interface TestCloudOptions {
  /** Functions to serve (default: localcloud/functions.ts). */
  functions?: Record<string, CloudFunctionMain>;
  /** Timer configs (default: cloudfunctions/<name>/config.json). */
  functionConfigs?: Record<string, FunctionConfig>;
  /** Collections and indexes (default: localcloud/indexes.json). */
  indexes?: IndexConfig;
  /** Extra collections to create. */
  collections?: string[];
  /** Refuse undeclared collections (default true, as the cloud). */
  strictCollections?: boolean;
  /** Start time (epoch ms). The clock then flows, unless frozenClock. */
  now?: number;
  frozenClock?: boolean;
  /** Fire timers automatically as the clock reaches them (default false: use fireTimer). */
  timers?: boolean;
  /** Serve HTTP (default true; call() needs it). */
  http?: boolean;
  /** Use this data folder instead of a fresh temporary one (kept on close). */
  dataDir?: string;
  /** Seed with localcloud/demo.ts's seedDemoWorld (default false). */
  seed?: boolean;
  /** Log lines from the runtime (default: silent except function failures go to console.error). */
  log?: (line: string) => void;
  /** 'local' or 'cloudbase' (with settings), default CLOUD_PROFILE or local (localcloud/profile.ts). */
  profile?: ProfileOption;
  /** The limit of every function (ms) when the profile does not read config.json (runtime.ts). */
  functionTimeoutMs?: number;
}

export interface TestCloud {
  /** Base URL of the gateway (http://127.0.0.1:<port>). */
  url: string;
  cloud: LocalCloud;
  /** The sdk database (throwOnNotFound: false) for seeding and assertions. */
  db: Database;
  /** Call a function through HTTP as the h5 app does (x-openid = openid); resolves the JSON body. */
  call(fn: string, openid: string, event?: Record<string, unknown>): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Same, with the HTTP status. */
  callRaw(fn: string, openid: string | null, event?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Invoke in-process with any context (a string = OPENID with SOURCE wx_client). Rejects if the function throws. */
  invoke(fn: string, event?: unknown, ctx?: InvokeContext | string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The user completes the simulated payment: marks it paid and notifies the callback `times` times. */
  pay(outTradeNo: string, opts?: { times?: number; openid?: string }): Promise<{ order: PayOrder; results: unknown[] }>;
  /** Resend the payment notification of a paid order. */
  notify(outTradeNo: string): Promise<unknown>;
  /** The notification event WeChat would send for an order (to forge or replay in tests). */
  payNotificationEvent(outTradeNo: string): Record<string, unknown>;
  /** A cloudPay order as the simulator holds it. */
  payOrder(outTradeNo: string): PayOrder | undefined;
  /** Fire a function's timer now (SOURCE wx_trigger, with the cloud's 2 retries on a throw). */
  fireTimer(fn: string): Promise<TimerRun>;
  clock: {
    now(): number;
    /** Move time; timers that came due run when auto timers are on. */
    advance(ms: number): Promise<number>;
    set(ms: number, frozen?: boolean): Promise<number>;
    freeze(): void;
  };
  /** Subscribe messages sent so far (optionally to one user). */
  messages(touser?: string): SentMessage[];
  /** Make transactions randomly conflict or fail (load tests). */
  setFaults(f: Faults): void;
  close(): Promise<void>;
}

export async function startTestCloud(opts: TestCloudOptions = {}): Promise<TestCloud> {
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'localcloud-test-'));
  const cloud = createLocalCloud({
    dataDir,
    functions: opts.functions ?? registry,
    functionConfigs: opts.functionConfigs,
    indexes: opts.indexes,
    collections: opts.collections,
    strictCollections: opts.strictCollections,
    now: opts.now,
    frozenClock: opts.frozenClock,
    profile: opts.profile,
    functionTimeoutMs: opts.functionTimeoutMs,
    log: opts.log ?? ((l) => { if (/failed|threw|did not return/.test(l)) console.error(l); }),
  });
  cloud.timers.retryDelayMs = 0;
  if (opts.seed) {
    const { seedDemoWorld } = await import('./demo');
    await seedDemoWorld(cloud);
  }
  let gw: Gateway | null = null;
  if (opts.http ?? true) gw = await startGateway(cloud, { h5Dir: null });
  if (opts.timers) cloud.timers.start();
  const url = gw?.url ?? '';

  async function callRaw(fn: string, openid: string | null, event: unknown = {}) {
    if (!gw) throw new Error('startTestCloud({ http: false }): call() needs the gateway');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (openid) headers['x-openid'] = openid;
    const res = await fetch(`${url}/api/${encodeURIComponent(fn)}`, { method: 'POST', headers, body: JSON.stringify(event ?? {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  const tc: TestCloud = {
    url,
    cloud,
    db: cloud.database({ throwOnNotFound: false }),
    callRaw,
    async call(fn, openid, event = {}) {
      return (await callRaw(fn, openid, event)).body;
    },
    invoke(fn, event = {}, ctx = {}) {
      const c: InvokeContext = typeof ctx === 'string' ? { OPENID: ctx, SOURCE: 'wx_client' } : ctx;
      return cloud.invoke(fn, event, c);
    },
    pay: (outTradeNo, o) => cloud.pay.confirm(outTradeNo, o),
    notify: (outTradeNo) => cloud.pay.notify(outTradeNo),
    payNotificationEvent(outTradeNo) {
      const o = cloud.pay.get(outTradeNo);
      if (!o) throw new Error(`no cloudPay order ${outTradeNo}`);
      return cloud.pay.notificationEvent(o);
    },
    payOrder: (outTradeNo) => cloud.pay.get(outTradeNo),
    fireTimer: (fn) => cloud.timers.fire(fn),
    clock: {
      now: () => cloud.clock.now(),
      async advance(ms) {
        cloud.clock.advance(ms);
        if (opts.timers) await cloud.timers.tick();
        return cloud.clock.now();
      },
      async set(ms, frozen) {
        cloud.clock.set(ms, frozen);
        if (opts.timers) await cloud.timers.tick();
        return cloud.clock.now();
      },
      freeze: () => cloud.clock.freeze(),
    },
    messages: (touser) => cloud.openapi.messages().filter((m) => !touser || m.touser === touser),
    setFaults: (f) => cloud.setFaults(f),
    async close() {
      await gw?.close();
      await cloud.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return tc;
}
