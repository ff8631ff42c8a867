/**
 * Users (SPEC §1): the account is created by the first login, identified by the OPENID of the cloud
 * context. Collection `users` (`_id` = openid) and `userNos` (`_id` = the short user number → openid, so
 * a transaction can look a number up by id).
 *
 * User numbers are drawn at random and claimed by creating `userNos/<number>` (which fails if it is taken):
 * no counter that every registration writes (a link shared in a group of 500 brings hundreds of first logins in
 * a minute; one counter document would queue them all). A number also reveals nothing about how many users
 * there are. The referrer is recorded on the new user's own document only: the referrer's is read, never written.
 */
import { randomInt } from 'crypto';
import type { Assets, LedgerItem, Me, Page, Role } from '../shared/api';
import { DomainError } from '../shared/errors';
import { nextReleaseMoment, businessDay } from '../shared/time';
import { toAmountString, formatPoints } from '../shared/decimal';
import { svShown } from '../shared/release';
import { now } from './clock';
import { getGuidePriceFen, getParams, isAdmin } from './config';
import { AnyDoc, Tx, createDoc, getDb, readDoc, runTx, writeDoc } from './db';
import { LEDGER_KIND_LABELS, LedgerEntry, entriesOf, getBalance, merchantAccount, publicEntryId, userAvailable, userEscrow } from './ledger';
import { settleAndView } from './svView';
import { Payload, cursor, limit, optStr, str } from './validate';

export const USERS_COLL = 'users';
export const USERNOS_COLL = 'userNos';

export interface UserDoc {
  _id: string;
  openid: string;
  userNo: string;
  nickname: string;
  avatarUrl: string;
  merchantId: string | null;
  referrerOpenid: string | null;
  referrerUserNo: string | null;
  referredVia: 'user' | 'merchant' | null;
  referrerMerchantId: string | null;
  riskAccepted: boolean;
  riskAcceptedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export async function getUser(openid: string, tx?: Tx): Promise<UserDoc | null> {
  if (!openid) return null;
  return readDoc<UserDoc>(tx ?? getDb(), USERS_COLL, openid);
}

/** In a transaction: `{ _id: userNo, openid }` or null. */
export async function userNoDoc(tx: Tx | undefined, userNo: string): Promise<{ _id: string; openid: string } | null> {
  if (!/^\d{4,12}$/.test(userNo)) return null;
  return readDoc<{ openid: string }>(tx ?? getDb(), USERNOS_COLL, userNo);
}

export async function findUserByNo(userNo: string, tx?: Tx): Promise<UserDoc | null> {
  const ref = await userNoDoc(tx, String(userNo));
  if (!ref) return null;
  return getUser(ref.openid, tx);
}

/** The user must have logged in once. */
export async function requireUser(openid: string, tx?: Tx): Promise<UserDoc> {
  const u = await getUser(openid, tx);
  if (!u) throw new DomainError('NOT_REGISTERED', '请先登录');
  return u;
}

/** Draws of 6-digit numbers before a registration falls back to 8 digits (when 6-digit ones grow scarce). */
export const SHORT_USER_NO_DRAWS = 4;

/**
 * The candidate user number of draw `attempt`: 6 digits (100000–999999) for the first draws, then 8 digits. While
 * fewer than half the 900,000 short numbers are taken, a registration needs at most 4 draws with odds ≥ 15:16.
 */
export function drawUserNo(attempt: number): string {
  if (attempt < SHORT_USER_NO_DRAWS) return String(randomInt(100000, 1000000));
  return String(randomInt(10000000, 100000000));
}

export async function meOf(u: UserDoc): Promise<Me> {
  const roles: Role[] = ['user'];
  if (u.merchantId) {
    const m = await readDoc<AnyDoc>(getDb(), 'merchants', u.merchantId);
    if (m && (m.status === 'approved' || m.status === 'active' || m.status === 'suspended')) roles.push('merchant');
  }
  if (await isAdmin(u.openid)) roles.push('admin');
  return {
    openid: u.openid,
    userNo: u.userNo,
    nickname: u.nickname,
    avatarUrl: u.avatarUrl,
    roles,
    merchantId: u.merchantId ?? null,
    referrerUserNo: u.referrerUserNo ?? null,
    riskAccepted: !!u.riskAccepted,
    createdAt: u.createdAt,
  };
}

export interface LoginInput {
  referrerUserNo?: string;
  referrerMerchantId?: string;
  nickname?: string;
  avatarUrl?: string;
}

/** Create the account on the first call (recording the referrer once, never self); return it. */
export async function login(openid: string, input: LoginInput = {}): Promise<UserDoc> {
  const existing = await getUser(openid);
  if (existing) return existing;
  return runTx(async (tx) => {
    const again = await readDoc<UserDoc>(tx, USERS_COLL, openid);
    if (again) return again;
    // draw until a free number (a taken one, by another user or by hand in demo data, is drawn again); the
    // claim below is an add, so two registrations drawing the same number at once cannot both have it
    let userNo = drawUserNo(0);
    for (let i = 1; await readDoc(tx, USERNOS_COLL, userNo); i++) {
      if (i > 20) throw new Error('could not draw a free user number');
      userNo = drawUserNo(i);
    }

    let referrerOpenid: string | null = null;
    let referrerUserNo: string | null = null;
    let referredVia: UserDoc['referredVia'] = null;
    let referrerMerchantId: string | null = null;
    if (input.referrerUserNo) {
      const ref = await userNoDoc(tx, input.referrerUserNo);
      if (ref && ref.openid !== openid) {
        referrerOpenid = ref.openid;
        referrerUserNo = input.referrerUserNo;
        referredVia = 'user';
      }
    } else if (input.referrerMerchantId) {
      const m = await readDoc<AnyDoc>(tx, 'merchants', input.referrerMerchantId);
      if (m && m.ownerOpenid && m.ownerOpenid !== openid) {
        const owner = await readDoc<UserDoc>(tx, USERS_COLL, m.ownerOpenid);
        referrerOpenid = m.ownerOpenid;
        referrerUserNo = owner?.userNo ?? null;
        referredVia = 'merchant';
        referrerMerchantId = input.referrerMerchantId;
      }
    }
    const at = now();
    const doc: UserDoc = {
      _id: openid,
      openid,
      userNo,
      nickname: input.nickname ?? `用户${userNo.slice(-4)}`,
      avatarUrl: input.avatarUrl ?? '',
      merchantId: null,
      referrerOpenid,
      referrerUserNo,
      referredVia,
      referrerMerchantId,
      riskAccepted: false,
      riskAcceptedAt: null,
      createdAt: at,
      updatedAt: at,
    };
    // both created with add: the same openid logging in twice at once, or two users drawing one number, makes
    // one transaction run again (and find the account, or draw again)
    await Promise.all([createDoc(tx, USERS_COLL, openid, doc), createDoc(tx, USERNOS_COLL, userNo, { openid, at })]);
    return doc;
  });
}

export async function updateProfile(openid: string, patch: { nickname?: string; avatarUrl?: string }): Promise<UserDoc> {
  return runTx(async (tx) => {
    const u = await requireUser(openid, tx);
    const next: UserDoc = { ...u, updatedAt: now() };
    if (patch.nickname !== undefined) next.nickname = patch.nickname;
    if (patch.avatarUrl !== undefined) next.avatarUrl = patch.avatarUrl;
    await writeDoc(tx, USERS_COLL, openid, next);
    return next;
  });
}

export async function acceptRisk(openid: string): Promise<UserDoc> {
  return runTx(async (tx) => {
    const u = await requireUser(openid, tx);
    if (u.riskAccepted) return u;
    const next: UserDoc = { ...u, riskAccepted: true, riskAcceptedAt: now(), updatedAt: now() };
    await writeDoc(tx, USERS_COLL, openid, next);
    return next;
  });
}

export async function assetsOf(openid: string): Promise<Assets> {
  const sv = await settleAndView(`user:${openid}`); // settle-on-read: released points land in available
  const [available, escrow, guidePriceFen, params] = await Promise.all([
    getBalance(userAvailable(openid)),
    getBalance(userEscrow(openid)),
    getGuidePriceFen(),
    getParams(),
  ]);
  const t = now();
  return {
    sharedValue: svShown(sv.sharedValue),
    available: toAmountString(available),
    escrow: toAmountString(escrow),
    unsettled: formatPoints(sv.unsettled),
    guidePriceFen,
    businessDay: businessDay(t),
    nextReleaseAt: nextReleaseMoment(t, params.releaseHour),
  };
}

/**
 * One ledger entry as its owner sees it. Nothing in it may name another user: the id is the entry key's
 * one-way hash (`publicEntryId`; a transfer's key holds the sender's openid), and a memo that would contain
 * the openid of another owner of the entry falls back to the kind's label. User numbers may appear.
 */
/** My accounts in the business's words, for a move between two of them. */
export const ACCOUNT_WORDS: Record<string, string> = { available: '可用积分', escrow: '挂单冻结', merchant: '店铺积分' };

function ledgerItem(e: LedgerEntry, openid: string, merchantId: string | null, people: Map<string, PublicProfile> = new Map()): LedgerItem {
  const mine = (acc: string): string | null => {
    if (acc === userAvailable(openid)) return 'available';
    if (acc === userEscrow(openid)) return 'escrow';
    if (merchantId && acc === merchantAccount(merchantId)) return 'merchant';
    return null;
  };
  const d = mine(e.debit);
  const c = mine(e.credit);
  const label = LEDGER_KIND_LABELS[e.kind] ?? e.kind;
  const written = e.memo ? e.memo : e.ref ? `${label} ${e.ref}` : label;
  const foreign = (e.owners ?? []).filter((o) => o && o !== openid);
  let memo = foreign.some((o) => written.includes(o)) ? label : written;
  // a transfer names the other person (nickname and number), not two bare numbers
  const other = e.kind === 'transfer' && foreign[0] ? people.get(foreign[0]) : undefined;
  if (other) {
    const note = written.includes('：') ? written.slice(written.indexOf('：')) : '';
    memo = `${d ? `转赠给 ${other.nickname}（${other.userNo}）` : `${other.nickname}（${other.userNo}）转赠给我`}${note}`;
  }
  const id = publicEntryId(e._id);
  if (d && !c) return { id, kind: e.kind, amount: `-${e.amount}`, account: d, at: e.at, memo };
  if (c && !d) return { id, kind: e.kind, amount: `+${e.amount}`, account: c, at: e.at, memo };
  // between two of my own accounts: shown from the side it left
  const from = ACCOUNT_WORDS[d ?? ''] ?? '可用积分';
  const to = ACCOUNT_WORDS[c ?? ''] ?? '可用积分';
  return { id, kind: e.kind, amount: `-${e.amount}`, account: d ?? c ?? 'available', at: e.at, memo: `${memo}（${from}转入${to}）` };
}

export async function ledgerOf(openid: string, cur: string | null, lim: number): Promise<Page<LedgerItem>> {
  const u = await getUser(openid);
  const page = await entriesOf(openid, cur, lim);
  const people = await profilesOf(page.items.filter((e) => e.kind === 'transfer').flatMap((e) => (e.owners ?? []).filter((o) => o && o !== openid)));
  return { items: page.items.map((e) => ledgerItem(e, openid, u?.merchantId ?? null, people)), nextCursor: page.nextCursor };
}

// ---------------------------------------------------------------- actions (cloudfunctions/user)

const USER_NO = /^\d{4,12}$/;
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const userActions = {
  async login(p: Payload, caller: { openid: string }): Promise<Me> {
    const referrerUserNo = optStr(p, 'referrerUserNo', { label: '推荐人编号', max: 12 });
    const referrerMerchantId = optStr(p, 'referrerMerchantId', { label: '推荐商家', max: 64 });
    const u = await login(caller.openid, {
      referrerUserNo: referrerUserNo && USER_NO.test(referrerUserNo) ? referrerUserNo : undefined,
      referrerMerchantId: referrerMerchantId && MERCHANT_ID.test(referrerMerchantId) ? referrerMerchantId : undefined,
    });
    return meOf(u);
  },
  async updateProfile(p: Payload, caller: { openid: string }): Promise<Me> {
    const nickname = optStr(p, 'nickname', { label: '昵称', min: 1, max: 30 });
    let avatarUrl: string | undefined;
    if (p.avatarUrl !== undefined && p.avatarUrl !== null) {
      avatarUrl = str(p, 'avatarUrl', { label: '头像', min: 0, max: 500 });
      if (avatarUrl && !/^(cloud:\/\/|https?:\/\/|\/|data:image\/)/.test(avatarUrl)) throw new DomainError('INVALID_INPUT', '头像必须是云文件 ID 或 http(s) 地址');
    }
    if (nickname === undefined && avatarUrl === undefined) throw new DomainError('INVALID_INPUT', '没有要修改的资料');
    if (nickname !== undefined && nickname.length === 0) throw new DomainError('INVALID_INPUT', '昵称不能为空');
    return meOf(await updateProfile(caller.openid, { nickname, avatarUrl }));
  },
  async acceptRisk(_p: Payload, caller: { openid: string }): Promise<Me> {
    return meOf(await acceptRisk(caller.openid));
  },
  async assets(_p: Payload, caller: { openid: string }): Promise<Assets> {
    await requireUser(caller.openid);
    return assetsOf(caller.openid);
  },
  async ledger(p: Payload, caller: { openid: string }): Promise<Page<LedgerItem>> {
    await requireUser(caller.openid);
    return ledgerOf(caller.openid, cursor(p), limit(p, 20, 100));
  },
  /**
   * Who a user number belongs to, before a final transfer: the nickname and avatar only (never the openid).
   * Limited per caller (LOOKUP_LIMIT a window) so the numbers cannot be walked to list everyone.
   */
  async lookup(p: Payload, caller: { openid: string }): Promise<PublicProfile> {
    await requireUser(caller.openid);
    const userNo = str(p, 'userNo', { label: '用户号', pattern: USER_NO, max: 12, code: 'BAD_USER_NO' });
    await countLookup(caller.openid);
    const u = await findUserByNo(userNo);
    if (!u) throw new DomainError('USER_NOT_FOUND', `找不到用户号为 ${userNo} 的用户，请核对`);
    return publicProfile(u);
  },
};

export interface PublicProfile { userNo: string; nickname: string; avatarUrl: string }

/** What anyone may see of a user: number, nickname, avatar. */
export function publicProfile(u: Pick<UserDoc, 'userNo' | 'nickname' | 'avatarUrl'>): PublicProfile {
  return { userNo: u.userNo, nickname: u.nickname || `用户${u.userNo}`, avatarUrl: u.avatarUrl || '' };
}

/** Nicknames of several openids (one read each; lists are a page long), for histories and trades. */
export async function profilesOf(openids: string[]): Promise<Map<string, PublicProfile>> {
  const out = new Map<string, PublicProfile>();
  for (const id of [...new Set(openids.filter(Boolean))]) {
    const u = await getUser(id);
    if (u) out.set(id, publicProfile(u));
  }
  return out;
}

export const LOOKUP_LIMIT = 30;
export const LOOKUP_WINDOW_MS = 10 * 60_000;
/** The `counters` collection (localcloud/indexes.json) holds one small document per rate-limited caller. */
const COUNTERS_COLL = 'counters';

/** One counter document per caller in `counters` (`rate:lookup:<openid>`): a fixed window of LOOKUP_WINDOW_MS. */
async function countLookup(openid: string): Promise<void> {
  const key = `rate:lookup:${openid}`;
  await runTx(async (tx) => {
    const at = now();
    const c = await readDoc<{ windowStart: number; count: number }>(tx, COUNTERS_COLL, key);
    const fresh = !c || at - c.windowStart >= LOOKUP_WINDOW_MS;
    const count = fresh ? 1 : c!.count + 1;
    if (count > LOOKUP_LIMIT) throw new DomainError('RATE_LIMITED', '查询用户号太频繁，请 10 分钟后再试');
    await writeDoc(tx, COUNTERS_COLL, key, { windowStart: fresh ? at : c!.windowStart, count });
  });
}
