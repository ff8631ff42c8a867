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
}

type G = { __localcloudALS?: AsyncLocalStorage<Invocation>; __localcloudRuntime?: LocalCloud | null };
const g = globalThis as G;

export const invocationStorage: AsyncLocalStorage<Invocation> = g.__localcloudALS ?? (g.__localcloudALS = new AsyncLocalStorage<Invocation>());

export function currentInvocation(): Invocation | undefined {
  return invocationStorage.getStore();
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
