/**
 * Who invoked a cloud function, as the cloud says it (`getWXContext().SOURCE`, e.g. `wx_client`, `wx_trigger`,
 * `wx_paycallback`, `wx_http`; a call from another function appends `,scf`). Never taken from the event: anyone
 * can send `{ "Type": "timer" }` or a payment notification, only the cloud sets SOURCE.
 */
import { DomainError } from '../shared/errors';

export function sourcesOf(source: string): string[] {
  return String(source ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Fired by a timer trigger (or a function such a run called). */
export function isTimerSource(source: string): boolean {
  return sourcesOf(source)[0] === 'wx_trigger';
}

/** Sent by WeChat Pay (the payment notification). */
export function isPayCallbackSource(source: string): boolean {
  return sourcesOf(source)[0] === 'wx_paycallback';
}

/** Called by another cloud function (`…,scf`). */
export function isChainedCall(source: string): boolean {
  return sourcesOf(source).includes('scf');
}

/** The refusal of an entry called from a source it does not serve (a clear code, never a throw). */
export function wrongSource(what: string): DomainError {
  return new DomainError('WRONG_SOURCE', `${what}只接受来自平台的调用`);
}
