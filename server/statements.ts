/**
 * What a holder sees of the release (SPEC §5: "each holder can see, day by day, what they received,
 * the SV it consumed, and the day's T, R and P"), and its opt-in to the release notice.
 *
 * - `statementsOf(holderId, days)`: from the per-day records (`releaseDays`) and the holder's snapshot
 *   history (`holderHistory`, one record per holder write, never per release): the snapshot in force
 *   for a release is the latest taken before it (shared/release.ts holderStatement).
 * - settle-on-read for `assets` ("when they look at them") is server/svView.ts settleAndView → holders.settleHolderNow.
 * - `setReleaseSubscription(openid, accepted)`: the user's answer to wx.requestSubscribeMessage for the
 *   release notice; each acceptance allows one message (WeChat's one-time subscription).
 */
import type { ReleaseStatement } from '../shared/api';
import { ceil2, dec, formatPoints, toAmountString } from '../shared/decimal';
import { DomainError } from '../shared/errors';
import { HolderSnapshot, holderStatement, JoinPoint, joinSnapshot, StatementDay, StatementSnapshot, svShown } from '../shared/release';
import { now } from './clock';
import { getDb, readDoc, runTx, writeDoc } from './db';
import { HOLDER_HISTORY_COLL, HolderHistoryDoc, userHolderId } from './holders';
import { recentReleaseDays, RELEASE_DAYS_COLL, ReleaseDayDoc } from './release';
import { Payload, optInt, bool } from './validate';
import { requireUser } from './users';

export const SUBSCRIPTIONS_COLL = 'subscriptions';

/** Beyond this many history records in the statement's range, the snapshots are looked up day by day. */
const HISTORY_SCAN_LIMIT = 300;

function statementDay(d: ReleaseDayDoc): StatementDay {
  return {
    seq: d.seq,
    day: d.day,
    T: d.T,
    R: d.R,
    P: d.P,
    released: d.released,
    epochBefore: d.epochBefore,
    productBefore: d.productBefore,
    productAfter: d.productAfter,
    newEpoch: d.newEpoch,
  };
}

/** The snapshot in force for the release numbered `seq`: the holder's latest record taken before it. */
async function snapshotBefore(holderId: string, seq: number): Promise<HolderHistoryDoc | null> {
  const db = getDb();
  const _ = db.command;
  const res = await db.collection(HOLDER_HISTORY_COLL).where({ holderId, seq0: _.lt(seq) }).orderBy('n', 'desc').limit(1).get();
  return ((res.data ?? [])[0] as HolderHistoryDoc | undefined) ?? null;
}

/** The snapshots statements of the releases `days` need, oldest first (by write order). */
export async function snapshotsFor(holderId: string, days: ReleaseDayDoc[]): Promise<HolderSnapshot[]> {
  if (days.length === 0) return [];
  const db = getDb();
  const _ = db.command;
  const seqs = days.map((d) => d.seq);
  const minSeq = Math.min(...seqs);
  const maxSeq = Math.max(...seqs);
  const first = await snapshotBefore(holderId, minSeq);
  const later: HolderHistoryDoc[] = [];
  for (let skip = 0; ; skip += 100) {
    const res = await db
      .collection(HOLDER_HISTORY_COLL)
      .where({ holderId, seq0: _.gte(minSeq).and(_.lt(maxSeq)) })
      .orderBy('n', 'asc')
      .skip(skip)
      .limit(100)
      .get();
    const page = (res.data ?? []) as HolderHistoryDoc[];
    later.push(...page);
    if (page.length < 100) break;
    if (later.length >= HISTORY_SCAN_LIMIT) {
      // a busy holder (a merchant with many sales a day): one lookup per day instead
      const perDay = await Promise.all(days.map((d) => snapshotBefore(holderId, d.seq)));
      const byN = new Map<number, HolderHistoryDoc>();
      for (const s of perDay) if (s) byN.set(s.n, s);
      return [...byN.values()].sort((x, y) => x.n - y.n);
    }
  }
  return [...(first ? [first] : []), ...later.sort((x, y) => x.n - y.n)];
}

/** Each snapshot's pending credits (SV credited while a release was late) as the snapshots they join as. */
async function withJoins(snaps: HolderSnapshot[]): Promise<StatementSnapshot[]> {
  const points = new Map<string, JoinPoint | null>();
  const out: StatementSnapshot[] = [];
  for (const s of snaps) {
    const pending = (s as HolderHistoryDoc).pending ?? [];
    const joins: HolderSnapshot[] = [];
    for (const p of pending) {
      if (!points.has(p.day)) points.set(p.day, (await readDoc<ReleaseDayDoc>(getDb(), RELEASE_DAYS_COLL, p.day))?.after ?? null);
      const at = points.get(p.day);
      if (at) joins.push(joinSnapshot(p.sv, at)); // not released yet: no statement line needs it
    }
    out.push(joins.length ? { ...s, joins } : s);
  }
  return out;
}

/** A holder's statement for the last `days` releases, newest first; days it held no SV are left out. */
export async function statementsOf(holderId: string, days = 30): Promise<ReleaseStatement[]> {
  const recs = await recentReleaseDays(days);
  const snaps = await withJoins(await snapshotsFor(holderId, recs));
  const lines = holderStatement(snaps, recs.map(statementDay));
  const byDay = new Map(recs.map((r) => [r.seq, r]));
  return lines
    .filter((l) => l.svBefore.gt(0))
    .sort((a, b) => b.seq - a.seq)
    .map((l) => {
      const rec = byDay.get(l.seq)!;
      return {
        day: rec.day,
        // what the day gave (credited, summed over days, floored at the next settlement)
        pointsReceived: formatPoints(l.points),
        // consumed is a charge: shown rounded up; what is left is shown rounded down
        svConsumed: toAmountString(ceil2(l.svConsumed)),
        svAfter: svShown(l.svAfter),
        totalSv: formatPoints(rec.T),
        released: dec(rec.released).toFixed(2),
        guidePriceFen: rec.guidePriceFen,
      };
    });
}

// ------------------------------------------------------------------ the release notice opt-in

export interface SubscriptionDoc {
  _id?: string;
  openid: string;
  topic: 'release';
  /** Messages the user has allowed (one per acceptance of the one-time subscription). */
  credits: number;
  enabled: boolean;
  updatedAt: number;
}

export function subscriptionId(openid: string): string {
  return `release:${openid}`;
}

/** Keep at most this many pending one-time permissions (WeChat keeps them for the user). */
const MAX_CREDITS = 100;

/** The user accepted (one more message allowed) or refused / turned off (no more messages) the release notice. */
export async function setReleaseSubscription(openid: string, accepted: boolean): Promise<{ enabled: boolean; credits: number }> {
  if (!openid) throw new DomainError('UNAUTHENTICATED', '请先登录微信');
  return runTx(async (tx) => {
    const id = subscriptionId(openid);
    const cur = await readDoc<SubscriptionDoc>(tx, SUBSCRIPTIONS_COLL, id);
    const credits = accepted ? Math.min((cur?.credits ?? 0) + 1, MAX_CREDITS) : 0;
    const doc: SubscriptionDoc = { openid, topic: 'release', credits, enabled: accepted, updatedAt: now() };
    await writeDoc(tx, SUBSCRIPTIONS_COLL, id, doc);
    return { enabled: doc.enabled, credits: doc.credits };
  });
}

export async function getReleaseSubscription(openid: string): Promise<{ enabled: boolean; credits: number }> {
  const cur = await readDoc<SubscriptionDoc>(getDb(), SUBSCRIPTIONS_COLL, subscriptionId(openid));
  return { enabled: !!cur?.enabled && (cur?.credits ?? 0) > 0, credits: cur?.credits ?? 0 };
}

// ------------------------------------------------------------------ actions (cloudfunctions/user)

export const statementActions = {
  /** UserApi.statements: the last `days` (1–100, default 30) releases, newest first. */
  async statements(p: Payload, caller: { openid: string }): Promise<{ items: ReleaseStatement[] }> {
    await requireUser(caller.openid);
    const days = optInt(p, 'days', { min: 1, max: 100, label: '天数' }) ?? 30;
    return { items: await statementsOf(userHolderId(caller.openid), days) };
  },
  /** The answer of wx.requestSubscribeMessage for the release notice: { accepted: boolean }. */
  async subscribeRelease(p: Payload, caller: { openid: string }): Promise<{ enabled: boolean; credits: number }> {
    await requireUser(caller.openid);
    return setReleaseSubscription(caller.openid, bool(p, 'accepted', '是否订阅'));
  },
};

