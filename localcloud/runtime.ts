/**
 * The local cloud: one object owning the SQLite store, the clock, the registered cloud functions and the
 * simulated WeChat services. The wx-server-sdk emulation (localcloud/sdk) talks to the current one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { Engine, Faults } from './db/engine';
import { IndexConfig } from './db/store';
import { Database, DatabaseOptions, EngineAccess } from './db/api';
import { LocalClock } from './clock';
import { invocationStorage, setCurrentRuntime, WXContext, currentInvocation, Life, checkAlive } from './context';
import { CloudProfile, ProfileOption, resolveProfile, roundTrip } from './profile';
import { CloudError } from './errors';
import { PaySimulator } from './pay';
import { OpenApi } from './openapi';
import { FileStorage } from './storage';
import { TimerScheduler, FunctionConfig, readFunctionConfigs } from './timers';

/** A cloud function's entry point: exports.main. */
export type CloudFunctionMain = (event: any, context: any) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface LocalCloudOptions {
  /** Folder for the SQLite file and stored files (created if missing). */
  dataDir: string;
  /** name → main. Default: none (the gateway passes localcloud/functions.ts). */
  functions?: Record<string, CloudFunctionMain>;
  /** name → config.json content. Default: read cloudfunctions/<name>/config.json for each function. */
  functionConfigs?: Record<string, FunctionConfig>;
  /** Collections and their indexes. Default: localcloud/indexes.json. */
  indexes?: IndexConfig;
  /** Extra collections to create (tests). */
  collections?: string[];
  /** Refuse collections that were never created (as the cloud does). Default true. */
  strictCollections?: boolean;
  env?: string;
  appid?: string;
  /** Start the clock at this time (epoch ms). */
  now?: number;
  /** Freeze the clock (it only moves when told). */
  frozenClock?: boolean;
  /** Make this the process's current local cloud (what wx-server-sdk uses outside invocations). Default true. */
  setCurrent?: boolean;
  /** Base URL of the gateway (for temp file URLs); set by the gateway when it listens. */
  baseUrl?: string;
  /** Log lines (default console). */
  log?: (line: string) => void;
  /**
   * Longest a function may run (ms) when the profile gives every function the same limit (local: 60 000, the
   * cloud's maximum). Under the cloudbase profile, each function's config.json `timeout` rules (3 s when unset).
   */
  functionTimeoutMs?: number;
  /** 'local' (default, or CLOUD_PROFILE) or 'cloudbase', optionally with settings (profile.ts). */
  profile?: ProfileOption;
}

export interface InvokeContext extends WXContext {
  /** Internal: the invocation that made this call (callFunction). */
  parent?: string;
}

export const REPO_ROOT = findRepoRoot();

function findRepoRoot(): string {
  // set by scripts/run-ts.cjs: a bundle under a symlinked node_modules/.cache would find another checkout
  const env = process.env.REPO_ROOT;
  if (env && fs.existsSync(path.join(env, 'localcloud', 'indexes.json'))) return path.resolve(env);
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(d, 'localcloud', 'indexes.json'))) return d;
    d = path.dirname(d);
  }
  return process.cwd();
}

export function loadIndexConfig(): IndexConfig {
  const p = path.join(REPO_ROOT, 'localcloud', 'indexes.json');
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8')) as IndexConfig;
  } catch {
    return {};
  }
}

/**
 * The V8 flags the gateway process runs with (`npm start` in package.json, and proof/child.ts for the SIGKILL
 * suite and the settlement benchmark: keep them the same). A young generation of 32 MB semi-spaces (Node's
 * default is 16 MB): a request allocates many short-lived objects (documents copied in and out, JSON), and with
 * the bigger nursery fewer of them survive a scavenge into the old generation — about a tenth less CPU an order
 * under load (bench:settlement).
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=32'];

let requestCounter = 0;
const requestSalt = randomBytes(4).toString('hex');

export class LocalCloud {
  readonly engine: Engine;
  readonly clock = new LocalClock();
  readonly env: string;
  readonly appid: string;
  readonly dataDir: string;
  readonly functions: Record<string, CloudFunctionMain>;
  readonly functionConfigs: Record<string, FunctionConfig>;
  readonly pay: PaySimulator;
  readonly openapi: OpenApi;
  readonly files: FileStorage;
  readonly timers: TimerScheduler;
  baseUrl: string;
  readonly log: (line: string) => void;
  readonly functionTimeoutMs: number;
  readonly profile: CloudProfile;
  private closed = false;
  private warnedOpenapi = new Set<string>();
  private access: EngineAccess;

  constructor(opts: LocalCloudOptions) {
    this.dataDir = path.resolve(opts.dataDir);
    this.env = opts.env ?? 'local-env';
    this.appid = opts.appid ?? 'wxlocalappid000000';
    this.log = opts.log ?? ((l) => console.log(l));
    this.profile = resolveProfile(opts.profile);
    this.functionTimeoutMs = opts.functionTimeoutMs ?? this.profile.defaultFunctionTimeoutMs;
    this.baseUrl = opts.baseUrl ?? 'http://127.0.0.1';
    if (opts.now !== undefined) this.clock.set(opts.now, !!opts.frozenClock);
    else if (opts.frozenClock) this.clock.freeze();
    this.engine = new Engine(this.dataDir, opts.indexes ?? loadIndexConfig(), () => this.clock.now());
    this.engine.strictCollections = opts.strictCollections ?? true;
    this.engine.profile = this.profile;
    this.engine.txTimeLimitMs = this.profile.txTimeLimitMs;
    for (const c of opts.collections ?? []) this.engine.createCollection(c);
    this.functions = { ...(opts.functions ?? {}) };
    this.functionConfigs = opts.functionConfigs ?? readFunctionConfigs(REPO_ROOT, Object.keys(this.functions));
    this.access = { engine: () => this.engine, now: () => this.clock.now() };
    this.pay = new PaySimulator(this);
    this.openapi = new OpenApi(this);
    this.files = new FileStorage(this);
    this.timers = new TimerScheduler(this);
    if (opts.setCurrent ?? true) this.makeCurrent();
  }

  /** Make this the process's current local cloud and install its clock for server/clock.ts. */
  makeCurrent(): void {
    setCurrentRuntime(this);
    (globalThis as { __localcloudClock?: unknown }).__localcloudClock = this.clock;
  }

  /** The wx-server-sdk database of this cloud (for seeding and assertions). */
  database(opts?: DatabaseOptions): Database {
    return new Database(this.access, opts);
  }

  /** Insert many documents at once (benchmarks, big seeds): one SQLite transaction per 10 000; returns the ids. */
  bulkInsert(collection: string, docs: Array<Record<string, unknown>>): string[] {
    return this.engine.bulkInsert(collection, docs);
  }

  setFaults(f: Faults): void {
    this.engine.faults = { conflictRate: f.conflictRate ?? 0, failRate: f.failRate ?? 0 };
  }

  /**
   * How long `name` may run (ms): its config.json `timeout` (seconds) under a profile that reads it (cloudbase),
   * else functionTimeoutMs (3 s under cloudbase when config.json sets none, as the platform; 60 s locally).
   */
  timeoutFor(name: string): number {
    if (this.profile.functionTimeout === 'config') {
      const t = Number(this.functionConfigs[name]?.timeout);
      if (Number.isFinite(t) && t > 0) return t * 1000;
    }
    return this.functionTimeoutMs;
  }

  /**
   * A call of cloud.openapi.<api> (e.g. 'subscribeMessage.send') from the current function: the permission its
   * config.json must declare (`permissions.openapi`: enforced under cloudbase with WeChat's -604101, logged once
   * locally) and the call's latency.
   */
  openapiCall<T>(api: string, fn: () => Promise<T>): Promise<T> {
    return roundTrip(this.profile.openapiMs, () => {
      const inv = currentInvocation();
      const mode = this.profile.openapiPermissions;
      if (inv && mode !== 'off') {
        const declared = (this.functionConfigs[inv.functionName] as { permissions?: { openapi?: unknown } } | undefined)?.permissions?.openapi;
        if (!Array.isArray(declared) || !declared.includes(api)) {
          const msg = `openapi.${api}:fail -604101 function has no permission to call this API (declare "${api}" in cloudfunctions/${inv.functionName}/config.json permissions.openapi)`;
          if (mode === 'enforce') throw new CloudError('OPENAPI_PERMISSION_DENIED', -604101, msg);
          const k = `${inv.functionName} ${api}`;
          if (!this.warnedOpenapi.has(k)) {
            this.warnedOpenapi.add(k);
            this.log(`[localcloud] ${msg} — the cloud refuses this call`);
          }
        }
      }
      return fn();
    }, checkAlive);
  }

  /** A call of cloud.cloudPay.*: its latency (a killed function's call fails). */
  cloudPayCall<T>(fn: () => Promise<T>): Promise<T> {
    return roundTrip(this.profile.cloudPayMs, fn, checkAlive);
  }

  hasFunction(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.functions, name);
  }

  /**
   * Invoke a cloud function as the cloud would: the event is JSON-serialized, getWXContext() returns `ctx`
   * (SOURCE defaults to wx_client), and the result comes back JSON-serialized. Rejects when the function throws.
   * `ownEvent`: as invokeJson's (the caller gives up an event that is already what JSON would make of it).
   */
  async invoke(name: string, event: unknown, ctx: InvokeContext = {}, ownEvent = false): Promise<unknown> {
    return JSON.parse(await this.invokeJson(name, event, ctx, ownEvent));
  }

  /**
   * As invoke, with the result as its JSON text (what invoke parses; the gateway sends it as it is).
   * `ownEvent`: the caller gives up `event`, a value fresh from JSON.parse, so no copy of it is made.
   */
  async invokeJson(name: string, event: unknown, ctx: InvokeContext = {}, ownEvent = false): Promise<string> {
    if (this.closed) throw new Error('the local cloud is closed');
    const main = this.hasFunction(name) ? this.functions[name] : undefined;
    if (!main) {
      throw new CloudError('FUNCTION_NOT_FOUND', -501000, `cloud.callFunction:fail -501000 FunctionName parameter could not be found: ${name}`);
    }
    // { APPID, ENV, SOURCE: 'wx_client', ...ctx } without `parent`, and without OPENID unless there is one
    // (built key by key: object rest and `delete` are slow paths)
    const wx: WXContext = { APPID: this.appid, ENV: this.env, SOURCE: 'wx_client' };
    for (const k of Object.keys(ctx) as Array<keyof InvokeContext>) {
      if (k === 'parent' || (k === 'OPENID' && !ctx.OPENID)) continue;
      (wx as Record<string, unknown>)[k] = ctx[k];
    }
    if ('OPENID' in wx && !wx.OPENID) delete wx.OPENID;
    const ev = event === undefined ? {} : ownEvent ? (event as Record<string, unknown>) : JSON.parse(JSON.stringify(event));
    if (wx.OPENID && ev && typeof ev === 'object' && !Array.isArray(ev) && String(wx.SOURCE).startsWith('wx_client')) {
      // the cloud injects userInfo into an event from the mini-program
      ev.userInfo = { appId: wx.APPID, openId: wx.OPENID };
    }
    const requestId = `${Date.now().toString(16)}-${requestSalt}-${(++requestCounter).toString(16)}`;
    const limitMs = this.timeoutFor(name);
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      memory_limit_in_mb: 256,
      time_limit_in_ms: limitMs,
      request_id: requestId,
      function_name: name,
      function_version: '$LATEST',
      namespace: this.env,
      environ: `WX_CONTEXT_KEYS=SOURCE,OPENID,APPID,ENV;SOURCE=${wx.SOURCE};ENV=${wx.ENV}`,
    };
    const started = Date.now();
    // a function called from a transaction's callback (callFunction) is still inside that transaction
    const outer = invocationStorage.getStore();
    const tx = outer?.tx;
    // killed past its timeout: every later SDK call of it (and of what it called) fails (context.ts checkAlive)
    const life: Life = outer?.life ? { parent: outer.life } : {};
    const run = invocationStorage.run({ runtime: this, wx, functionName: name, requestId, life, ...(tx ? { tx } : {}) }, () =>
      Promise.resolve().then(() => main(ev, context)),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new CloudError('FUNCTION_TIMEOUT', -504003, `Invoking task timed out after ${limitMs / 1000} seconds (${name})`);
        life.killed = e;
        run.catch(() => undefined); // what the killed function still does is nobody's business
        reject(e);
      }, limitMs);
      timer.unref?.();
    });
    const store = this.engine.store;
    const lost0 = store.lostGeneration;
    try {
      const result = await Promise.race([run, timeout]);
      // the answer leaves only once everything committed so far — every write of this function among it,
      // and whatever it read — is on disk (the SDK's writes inside an invocation do not wait themselves)
      await store.durable();
      if (store.lostGeneration !== lost0) {
        throw new CloudError('DATABASE_TRANSACTION_FAIL', 'DATABASE_TRANSACTION_FAIL', `${name}: writes could not be saved to disk while it ran; nothing of them is`);
      }
      const took = Date.now() - started;
      if (took > 3000 && this.profile.functionTimeout === 'fixed') this.log(`[localcloud] ${name} took ${took} ms: the cloud's default timeout is 3 s — set the function's timeout (up to 60 s) in the console`);
      if (result === undefined) return 'null';
      const text = JSON.stringify(result);
      // not JSON (a function, a symbol): refused as invoke always has (JSON.parse of nothing)
      if (text === undefined) JSON.parse(text as unknown as string);
      return text;
    } finally {
      clearTimeout(timer);
    }
  }

  /** callFunction from inside a function: keeps the caller's identity; SOURCE gains ",scf". */
  async callFromFunction(name: string, data: unknown): Promise<{ result: unknown; errMsg: string; requestID: string }> {
    checkAlive();
    const inv = currentInvocation();
    const wx = inv?.wx ?? {};
    const ctx: InvokeContext = { ...wx, SOURCE: wx.SOURCE ? `${wx.SOURCE},scf` : 'scf' };
    let result: unknown;
    try {
      result = await this.invoke(name, data, ctx);
    } catch (e) {
      if (e instanceof CloudError && e.code === 'FUNCTION_NOT_FOUND') throw e;
      const err = new CloudError('FUNCTION_EXECUTE_FAIL', -504002, `cloud.callFunction:fail -504002 functions execute fail. ${(e as Error)?.stack ?? e}`);
      throw err;
    }
    return { result, errMsg: 'cloud.callFunction:ok', requestID: Math.random().toString(16).slice(2) };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.stop();
    this.pay.stop();
    this.engine.close();
    const g = globalThis as { __localcloudRuntime?: unknown; __localcloudClock?: unknown };
    if (g.__localcloudRuntime === this) {
      setCurrentRuntime(null);
      if (g.__localcloudClock === this.clock) delete g.__localcloudClock;
    }
  }
}

export function createLocalCloud(opts: LocalCloudOptions): LocalCloud {
  return new LocalCloud(opts);
}
