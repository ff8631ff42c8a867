/**
 * Issue 15, 我邀请的人: the users the caller referred, one level only. SPEC forbids more (and the 2018 warnings
 * on rebate schemes): nobody sees who their invitees invited, and nothing here pays for a referral.
 *
 * Reads `users` by `referrerOpenid` (index [referrerOpenid, createdAt]), newest first, 20 a page; the cursor is
 * `<createdAt>|<userNo>` so that no openid leaves the server.
 */
import type { Invitee, Page } from '../shared/api';
import { DomainError } from '../shared/errors';
import { AnyDoc, getDb } from './db';
import { USERS_COLL, UserDoc, requireUser } from './users';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, limit as limitOf } from './validate';

export async function listInvitees(referrerOpenid: string, cur: string | null, pageSize: number): Promise<Page<Invitee>> {
  const db = getDb();
  const _ = db.command;
  const base: AnyDoc = { referrerOpenid };
  let where: AnyDoc = base;
  if (cur) {
    const m = /^(\d+)\|(\d+)$/.exec(cur);
    if (!m) throw new DomainError('BAD_CURSOR', '翻页参数无效');
    const at = Number(m[1]);
    where = _.and([base, _.or([{ createdAt: _.lt(at) }, { createdAt: at, userNo: _.lt(m[2]) }])]);
  }
  const res = await db.collection(USERS_COLL).where(where).orderBy('createdAt', 'desc').orderBy('userNo', 'desc').limit(pageSize + 1).get();
  const list = (res.data ?? []) as UserDoc[];
  const page = list.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    items: page.map((u) => ({ userNo: u.userNo, nickname: u.nickname, avatarUrl: u.avatarUrl ?? '', joinedAt: u.createdAt, via: u.referredVia === 'merchant' ? 'merchant' : 'user' })),
    nextCursor: list.length > pageSize && last ? `${last.createdAt}|${last.userNo}` : null,
  };
}

export const inviteeActions = {
  async invitees(p: Payload, caller: { openid: string }): Promise<Page<Invitee>> {
    const cur = cursorOf(p, CURSOR_SHAPES.inviteeAt);
    const pageSize = limitOf(p, 20, 50);
    await requireUser(caller.openid);
    return listInvitees(caller.openid, cur, pageSize);
  },
};
