/**
 * How the local cloud behaves: `local` (the default: as fast as the machine allows, for development and tests)
 * or `cloudbase` (the costs and rules WeChat CloudBase documents, so a design can be measured against them).
 *
 *   CLOUD_PROFILE=cloudbase npm start
 *   CLOUD_PROFILE=cloudbase npx jest proof/load.test.ts
 *   startTestCloud({ profile: 'cloudbase' }), createLocalCloud({ profile: { name: 'cloudbase', dbRoundTripMs: 20 } })
 *
 * Each figure is a setting; an environment variable overrides it (docs/localcloud.md "Cloud profile").
 * - dbRoundTripMs (CLOUD_DB_RTT_MS, cloudbase 8): every database call of the SDK is a network round trip: half of
 *   it before the server acts (takes a lock, applies a write, reads), half after. A transaction's begin, commit and
 *   rollback are round trips too. Real timers, so concurrent calls overlap as network I/O does.
 * - openapiMs (CLOUD_OPENAPI_MS, cloudbase 50) and cloudPayMs (CLOUD_PAY_MS, cloudbase 100): per call of
 *   cloud.openapi.* and cloud.cloudPay.*. WeChat publishes no figure for either; these are assumptions.
 * - isolation (CLOUD_ISOLATION): 'snapshot' (local: reads see the transaction's start, a write to a document
 *   changed since then conflicts) or 'weak' (cloudbase: the weakest the WeChat guide allows — a read returns the
 *   document as last committed, or as this transaction wrote it, and nothing checks at commit that what was read
 *   is still current; only locks protect). Locks are the same in both: a transaction's write locks the document
 *   until it commits or rolls back; another transaction's write to it fails at once with
 *   DATABASE_TRANSACTION_CONFLICT; an ordinary write waits for the lock.
 * - txTimeLimitMs (CLOUD_TX_LIMIT_MS, both 30 000): a transaction still open after this is rolled back.
 * - functionTimeout (CLOUD_FUNCTION_TIMEOUT_MS sets the default): 'config' (cloudbase: each function's
 *   config.json `timeout` in seconds, 3 s when unset, as the platform) or a fixed limit for every function (local:
 *   60 s, the platform's maximum). Past it the function is killed: its later SDK calls fail and its open
 *   transactions are never committed (they hold their locks until the transaction time limit rolls them back).
 * - openapiPermissions (CLOUD_OPENAPI_PERMISSIONS=enforce|warn|off): cloudbase 'enforce' — an openapi call from a
 *   function whose config.json does not list it in `permissions.openapi` fails with -604101, as on the platform;
 *   local 'warn' logs it once per function and API.
 */
export type ProfileName = 'local' | 'cloudbase';

export interface CloudProfile {
  name: ProfileName;
  dbRoundTripMs: number;
  openapiMs: number;
  cloudPayMs: number;
  isolation: 'snapshot' | 'weak';
  txTimeLimitMs: number;
  /** 'config': config.json `timeout` (s), else defaultFunctionTimeoutMs; 'fixed': defaultFunctionTimeoutMs for all. */
  functionTimeout: 'config' | 'fixed';
  defaultFunctionTimeoutMs: number;
  openapiPermissions: 'enforce' | 'warn' | 'off';
}

export const PROFILES: Record<ProfileName, CloudProfile> = {
  local: {
    name: 'local',
    dbRoundTripMs: 0,
    openapiMs: 0,
    cloudPayMs: 0,
    isolation: 'snapshot',
    txTimeLimitMs: 30_000,
    functionTimeout: 'fixed',
    defaultFunctionTimeoutMs: 60_000,
    openapiPermissions: 'warn',
  },
  cloudbase: {
    name: 'cloudbase',
    dbRoundTripMs: 8,
    openapiMs: 50,
    cloudPayMs: 100,
    isolation: 'weak',
    txTimeLimitMs: 30_000,
    functionTimeout: 'config',
    defaultFunctionTimeoutMs: 3_000,
    openapiPermissions: 'enforce',
  },
};

export type ProfileOption = ProfileName | (Partial<CloudProfile> & { name?: ProfileName });

function num(env: Record<string, string | undefined>, k: string): number | undefined {
  const v = env[k];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${k}=${v}: a number ≥ 0 is needed`);
  return n;
}

/**
 * The profile to run with: `opt` (a name or a name plus settings), else CLOUD_PROFILE, else local; the
 * environment's figures override (so `CLOUD_DB_RTT_MS=20` works with either).
 */
export function resolveProfile(opt?: ProfileOption, env: Record<string, string | undefined> = process.env): CloudProfile {
  const o = typeof opt === 'string' ? { name: opt } : opt ?? {};
  const name = (o.name ?? env.CLOUD_PROFILE ?? 'local') as ProfileName;
  const base = PROFILES[name];
  if (!base) throw new Error(`CLOUD_PROFILE=${name}: the profiles are ${Object.keys(PROFILES).join(', ')}`);
  const p: CloudProfile = { ...base };
  const set = <K extends keyof CloudProfile>(k: K, v: CloudProfile[K] | undefined) => {
    if (v !== undefined) p[k] = v;
  };
  set('dbRoundTripMs', num(env, 'CLOUD_DB_RTT_MS'));
  set('openapiMs', num(env, 'CLOUD_OPENAPI_MS'));
  set('cloudPayMs', num(env, 'CLOUD_PAY_MS'));
  set('txTimeLimitMs', num(env, 'CLOUD_TX_LIMIT_MS'));
  set('defaultFunctionTimeoutMs', num(env, 'CLOUD_FUNCTION_TIMEOUT_MS'));
  const iso = env.CLOUD_ISOLATION;
  if (iso) {
    if (iso !== 'snapshot' && iso !== 'weak') throw new Error(`CLOUD_ISOLATION=${iso}: snapshot or weak`);
    p.isolation = iso;
  }
  const perm = env.CLOUD_OPENAPI_PERMISSIONS;
  if (perm) {
    if (perm !== 'enforce' && perm !== 'warn' && perm !== 'off') throw new Error(`CLOUD_OPENAPI_PERMISSIONS=${perm}: enforce, warn or off`);
    p.openapiPermissions = perm;
  }
  // explicit settings (tests, benchmarks) win over the environment
  for (const k of Object.keys(o) as Array<keyof CloudProfile>) if (k !== 'name' && o[k] !== undefined) (p as unknown as Record<string, unknown>)[k] = o[k];
  return p;
}

/** `--profile cloudbase` (or `--profile=cloudbase`) from argv, else undefined. */
export function profileFromArgv(argv: string[] = process.argv): ProfileName | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--profile' && argv[i + 1]) return argv[i + 1] as ProfileName;
    if (a.startsWith('--profile=')) return a.slice('--profile='.length) as ProfileName;
  }
  return undefined;
}

/** A real timer wait (network time: other requests run meanwhile). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * One network round trip around `op`: half the latency on the way there, the server's work (`op`, which takes
 * locks and applies writes at that moment), half on the way back. `alive()` (the calling function was not killed)
 * is checked before the server acts and before the answer is used.
 */
export function roundTrip<T>(ms: number, op: () => T | Promise<T>, alive: () => void): Promise<T> {
  if (!ms) {
    try {
      alive();
      return Promise.resolve(op());
    } catch (e) {
      return Promise.reject(e);
    }
  }
  // timers and callbacks rather than an async function awaiting two sleeps: a round trip is the cloud profile's
  // commonest step, and each promise costs the async-context hooks (a timer keeps its caller's context)
  return new Promise<T>((resolve, reject) => {
    const back = (r: T) =>
      setTimeout(() => {
        try {
          alive();
          resolve(r);
        } catch (e) {
          reject(e);
        }
      }, ms / 2);
    setTimeout(() => {
      try {
        alive();
        const r = op();
        if (r && typeof (r as PromiseLike<T>).then === 'function') (r as PromiseLike<T>).then(back, reject);
        else back(r as T);
      } catch (e) {
        reject(e);
      }
    }, ms / 2);
  });
}
