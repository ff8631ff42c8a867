/**
 * Transfers (转赠, SPEC §8): a user gives available points to another user, found by user number.
 * Immediate and final: one ledger entry `user:<me>:available → user:<them>:available`, keyed
 * `transfer:<openid>:<requestId>`, so a replay of the same request returns the first result and moves nothing.
 * That key names the sender, so it never leaves the server: the `transferId` returned is `publicEntryId(key)`,
 * the same id the entry has in both users' ledger history (server/users.ts), and the memo names user numbers only.
 * Refused: ≤ 0 or more than 2 decimals, an unknown number, oneself, more than one's available points.
 */
import { D, formatPointsText, parseAmount } from '../shared/decimal';
import { DomainError } from '../shared/errors';
import type { UserApi } from '../shared/api';
import type { Caller } from './handler';
import { getDb, readDoc, runTx } from './db';
import { settleFirst, userHolderId } from './svView';
import { LEDGER_COLL, LedgerEntry, balanceIn, postEntry, publicEntryId, registerLedgerKind, userAvailable } from './ledger';
import { requireUser, userNoDoc } from './users';

registerLedgerKind('transfer', '转赠');

type TransferRes = UserApi['transfer']['res'];

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function transferKey(openid: string, requestId: string): string {
  return `transfer:${openid}:${requestId}`;
}

/** A replay must name the same recipient (the entry's `ref` is their user number) and amount. */
function replayOf(entry: LedgerEntry, toUserNo: string, amount: string): TransferRes {
  if (entry.ref !== toUserNo || !D(entry.amount).eq(amount)) {
    throw new DomainError('REQUEST_ID_REUSED', '该请求编号已用于另一笔不同的转赠，请勿重复提交');
  }
  return { transferId: publicEntryId(entry._id), available: entry.debitAfter ?? '0.00' };
}

/** UserApi.transfer */
export async function transfer(payload: Record<string, unknown>, caller: Caller): Promise<TransferRes> {
  const openid = caller.openid;
  const requestId = payload.requestId;
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
    throw new DomainError('INVALID_REQUEST_ID', 'requestId 缺失或格式不正确（8–64 位字母、数字、_ 或 -）');
  }
  const key = transferKey(openid, requestId);
  const toUserNo = typeof payload.toUserNo === 'number' ? String(payload.toUserNo) : payload.toUserNo;
  if (typeof toUserNo !== 'string' || !/^\d{4,12}$/.test(toUserNo.trim())) {
    throw new DomainError('BAD_USER_NO', '请输入对方的用户编号（数字）');
  }
  const amount = parseAmount(payload.points, { field: '转赠积分', code: 'INVALID_POINTS', allowZero: false, maxDecimals: 2, max: '100000000' });
  let memo = '';
  if (payload.memo !== undefined && payload.memo !== null) {
    if (typeof payload.memo !== 'string' || payload.memo.trim().length > 50) throw new DomainError('BAD_MEMO', '留言不超过 50 字');
    memo = payload.memo.trim();
  }

  const first = await readDoc<LedgerEntry>(getDb(), LEDGER_COLL, key);
  if (first) return replayOf(first, toUserNo.trim(), amount.toFixed(2));

  const me = await requireUser(openid);
  return runTx(async (tx) => {
    const again = await readDoc<LedgerEntry>(tx, LEDGER_COLL, key);
    if (again) return replayOf(again, toUserNo.trim(), amount.toFixed(2));
    const to = await userNoDoc(tx, toUserNo.trim());
    if (!to) throw new DomainError('USER_NOT_FOUND', `找不到用户编号为 ${toUserNo.trim()} 的用户`);
    if (to.openid === openid) throw new DomainError('SELF_TRANSFER', '不能转赠给自己');
    await settleFirst(tx, userHolderId(openid)); // released points are transferable at once (SPEC §5)
    const available = await balanceIn(tx, userAvailable(openid));
    if (available.lt(amount)) {
      throw new DomainError('INSUFFICIENT_POINTS', `可用积分不足：可用 ${formatPointsText(available)}，转赠 ${formatPointsText(amount)}`);
    }
    await postEntry(tx, {
      key,
      kind: 'transfer',
      debit: userAvailable(openid),
      credit: userAvailable(to.openid),
      amount,
      ref: toUserNo.trim(),
      memo: `${me.userNo} 转赠给 ${toUserNo.trim()}${memo ? `：${memo}` : ''}`,
    });
    return { transferId: publicEntryId(key), available: available.minus(amount).toFixed(2) };
  });
}
