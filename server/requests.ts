/**
 * Client idempotency keys (docs/architecture.md: every mutating action takes a `requestId`; a replay returns
 * the first result and changes nothing). Collection `requests`, `_id` = `<scope>:<openid>:<requestId>`,
 * written in the same transaction as the change it guards, so two concurrent replays conflict and the
 * loser sees the winner's record. The same requestId with a different payload is refused (REQUEST_ID_REUSED).
 */
import { DomainError } from '../shared/errors';
import { now } from './clock';
import { Tx, readDoc, writeDoc } from './db';

export const REQUESTS_COLL = 'requests';

interface RequestDoc {
  scope: string;
  openid: string;
  requestId: string;
  fingerprint: string;
  result: unknown;
  at: number;
}

function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}

export function fingerprintOf(payload: Record<string, unknown>): string {
  const { requestId: _r, ...rest } = payload; // eslint-disable-line @typescript-eslint/no-unused-vars
  return stable(rest);
}

export function requestKey(scope: string, openid: string, requestId: string): string {
  return `${scope}:${openid}:${requestId}`;
}

/**
 * Inside a transaction: if this request was done, return `{ replay: true, result }` (or refuse a different
 * payload under the same id); otherwise `{ replay: false, record(result) }` to call before the transaction ends.
 */
export async function checkRequest<T>(
  tx: Tx,
  scope: string,
  openid: string,
  requestId: string,
  payload: Record<string, unknown>,
): Promise<{ replay: true; result: T } | { replay: false; record: (result: T) => Promise<void> }> {
  const key = requestKey(scope, openid, requestId);
  const fingerprint = fingerprintOf(payload);
  const doc = await readDoc<RequestDoc>(tx, REQUESTS_COLL, key);
  if (doc) {
    if (doc.fingerprint !== fingerprint) {
      throw new DomainError('REQUEST_ID_REUSED', '该请求编号已用于另一笔不同的操作，请勿重复提交');
    }
    return { replay: true, result: doc.result as T };
  }
  return {
    replay: false,
    record: async (result: T) => {
      const rec: RequestDoc = { scope, openid, requestId, fingerprint, result: JSON.parse(JSON.stringify(result ?? null)), at: now() };
      await writeDoc(tx, REQUESTS_COLL, key, rec);
    },
  };
}
