/**
 * The request context of a cloud-function invocation (what getWXContext() reads) and the current local
 * cloud. Both live on globalThis so that every copy of these modules (jest module registries, bundles)
 * shares them.
 */
import { AsyncLocalStorage } from 'async_hooks';
import type { LocalCloud } from './runtime';

export interface WXContext {
  OPENID?: string;
  APPID?: string;
  UNIONID?: string;
  ENV?: string;
  SOURCE?: string;
  CLIENTIP?: string;
  CLIENTIPV6?: string;
  FROM_OPENID?: string;
  FROM_APPID?: string;
  FROM_UNIONID?: string;
}

export interface Invocation {
  runtime: LocalCloud;
  wx: WXContext;
  functionName: string;
  requestId: string;
  /** The database transaction whose callback this code runs in, if any (db/engine.ts runInTx). */
  tx?: unknown;
}

/**
 * The async context's store: an invocation (possibly inside a transaction's callback), or only a transaction
 * (a callback run outside any invocation). One AsyncLocalStorage for both: each one costs a hook on every
 * promise created.
 */
export type ContextStore = Invocation | { tx: unknown; runtime?: undefined; wx?: undefined };

type G = { __localcloudALS?: AsyncLocalStorage<ContextStore>; __localcloudRuntime?: LocalCloud | null };
const g = globalThis as G;

export const invocationStorage: AsyncLocalStorage<ContextStore> = g.__localcloudALS ?? (g.__localcloudALS = new AsyncLocalStorage<ContextStore>());

export function currentInvocation(): Invocation | undefined {
  const s = invocationStorage.getStore();
  return s && s.wx ? (s as Invocation) : undefined;
}

/** The transaction whose callback is running here, if any. */
export function currentTx(): unknown {
  return invocationStorage.getStore()?.tx;
}

/** Run fn with `tx` as the current transaction (keeping the invocation, if any). */
export function runWithTx<T>(tx: unknown, fn: () => T): T {
  const cur = invocationStorage.getStore();
  return invocationStorage.run(cur ? { ...cur, tx } : { tx }, fn);
}

export function setCurrentRuntime(rt: LocalCloud | null): void {
  g.__localcloudRuntime = rt;
}

/** The local cloud of the current invocation, else the process's current one. */
export function currentRuntime(): LocalCloud {
  const rt = invocationStorage.getStore()?.runtime ?? g.__localcloudRuntime;
  if (!rt) {
    throw new Error(
      'wx-server-sdk (local runtime): no local cloud is running in this process. ' +
        'In tests call startTestCloud() from localcloud/testing; the gateway starts one itself.',
    );
  }
  return rt;
}

export function hasRuntime(): boolean {
  return !!(invocationStorage.getStore()?.runtime ?? g.__localcloudRuntime);
}
