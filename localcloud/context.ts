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
  /** Whether the invocation (or the one that called it) was killed (past its timeout). */
  life?: Life;
}

/** An invocation's life: `killed` once it ran past its timeout; `parent` the invocation that called it. */
export interface Life {
  killed?: Error;
  parent?: Life;
}

/**
 * The async context's store: an invocation (possibly inside a transaction's callback), or only a transaction
 * (a callback run outside any invocation). One AsyncLocalStorage for both: each one costs a hook on every
 * promise created.
 */
export type ContextStore = Invocation | { tx: unknown; runtime?: undefined; wx?: undefined; life?: undefined };

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

/**
 * Throw when the current invocation (or one up its callFunction chain) was killed: the platform stops a function
 * past its timeout, so nothing it would still do reaches the database or WeChat.
 */
export function checkAlive(): void {
  let l = invocationStorage.getStore()?.life;
  while (l) {
    if (l.killed) throw l.killed;
    l = l.parent;
  }
}

/** The current invocation's life, if any. */
export function currentLife(): Life | undefined {
  return invocationStorage.getStore()?.life;
}
