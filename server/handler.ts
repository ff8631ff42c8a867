import cloud from 'wx-server-sdk';
import { DomainError, isDomainError } from '../shared/errors';
import { checkEventShape } from './validate';

/** Who is calling, as WeChat says it: never taken from the event. */
export interface Caller {
  openid: string;
  source: string;
}

export type Action = (payload: Record<string, unknown>, caller: Caller) => Promise<unknown>;

export interface HandlerOptions {
  /** Actions that may run without a user (timers, payment notifications); all others need an OPENID. */
  anonymous?: string[];
}

/**
 * A cloud function's entry: routes `event.action` to its action, takes identity from the cloud context and
 * turns the outcome into `{ ok, data }` / `{ ok: false, error }`. An event deeper or larger than any real request
 * is refused (BAD_REQUEST) before anything else. An unexpected error is logged with its
 * stack and reported by code only, so internals never reach a user.
 */
export function handler(actions: Record<string, Action>, options: HandlerOptions = {}) {
  return async function main(event: unknown): Promise<unknown> {
    try {
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        throw new DomainError('BAD_REQUEST', '请求格式不正确');
      }
      checkEventShape(event); // before any work: depth and size bounded
      const { action, ...payload } = event as Record<string, unknown>;
      if (typeof action !== 'string' || !Object.prototype.hasOwnProperty.call(actions, action)) {
        throw new DomainError('UNKNOWN_ACTION', `不支持的操作：${String(action)}`);
      }
      const ctx = cloud.getWXContext();
      const caller: Caller = { openid: ctx.OPENID ?? '', source: ctx.SOURCE ?? '' };
      if (!caller.openid && !(options.anonymous ?? []).includes(action)) {
        throw new DomainError('UNAUTHENTICATED', '请先登录微信');
      }
      const data = await actions[action](payload, caller);
      return { ok: true, data };
    } catch (e) {
      if (isDomainError(e)) return { ok: false, error: { code: e.code, message: e.message } };
      console.error('[cloud function] unexpected failure', e);
      return { ok: false, error: { code: 'INTERNAL', message: '服务暂时不可用，请稍后再试' } };
    }
  };
}
