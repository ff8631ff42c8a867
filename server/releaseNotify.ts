/**
 * The release notice: users who opted in (server/statements.ts setReleaseSubscription) get a subscribe
 * message with what the day's release gave them.
 *
 * The release itself never writes per holder, so the notices are sent after it, lazily, in bounded
 * batches: `sendReleaseNotices` pages the opted-in users (`subscriptions`, credits > 0) after a cursor
 * (`release/notice`), works out each one's points for the day read-only from its snapshot and the day
 * record, and sends. Each user/day gets one `notifications/release:<day>:<openid>` record, written (and
 * the user's one-time permission used) in a transaction before the message goes out, so a retried or
 * concurrent batch never sends twice (at most once: a crash between the record and the send loses that
 * notice rather than repeating it). The `release` function runs a batch after each release; the
 * `timeouts` function (every minute) runs the next batches until the day's notices are done. Only the
 * latest released day is notified: when a newer day is released the older day's remaining notices are
 * dropped (old news).
 */
import { formatPoints, ZERO } from '../shared/decimal';
import { holderStatement } from '../shared/release';
import { now } from './clock';
import { getCloud, getDb, readDoc, runTx, writeDoc } from './db';
import { HolderHistoryDoc, readHolder, readReleaseState, RELEASE_COLL, userHolderId } from './holders';
import { getReleaseDay, ReleaseDayDoc } from './release';
import { SUBSCRIPTIONS_COLL, SubscriptionDoc } from './statements';
import { templateId } from './templates';
import { TEMPLATES } from '../shared/templates';

export const NOTIFICATIONS_COLL = 'notifications';
export const NOTICE_CURSOR_ID = 'notice';

/** The subscribe-message template (shared/templates.ts releaseNotice; keys date1, number2, thing3). */
export function releaseTemplateId(): string {
  return templateId('releaseNotice');
}

interface NoticeCursor {
  day: string;
  /** Last subscription _id handled. */
  after: string;
  done: boolean;
  sent: number;
  updatedAt: number;
}

export interface NoticeResult {
  day: string | null;
  sent: number;
  skipped: number;
  done: boolean;
}

/** Points the release of `rec` gave the holder, read-only (no settlement). */
export async function pointsOfDay(holderId: string, rec: ReleaseDayDoc) {
  const holder = await readHolder(getDb(), holderId);
  if (!holder) return null;
  let snap: HolderHistoryDoc | (typeof holder) | null = holder;
  if ((holder.seq0 ?? 0) >= rec.seq) {
    // the holder changed since that release: the snapshot in force then is in its history
    const db = getDb();
    const _ = db.command;
    const res = await db.collection('holderHistory').where({ holderId, seq0: _.lt(rec.seq) }).orderBy('n', 'desc').limit(1).get();
    snap = ((res.data ?? [])[0] as HolderHistoryDoc | undefined) ?? null;
  }
  if (!snap) return null;
  const [line] = holderStatement([snap], [{ ...rec }]);
  return line ?? null;
}

function shanghaiDate(day: string): string {
  return `${day} 22:00`;
}

/** One bounded batch of release notices for the latest released day. Safe to run concurrently and repeatedly. */
export async function sendReleaseNotices(opts: { budgetMs?: number; maxUsers?: number } = {}): Promise<NoticeResult> {
  const started = Date.now();
  const budgetMs = opts.budgetMs ?? 15_000;
  const maxUsers = opts.maxUsers ?? 1000;
  const db = getDb();
  const _ = db.command;
  const state = await readReleaseState(db);
  const day = state?.lastReleasedDay ?? null;
  if (!day) return { day: null, sent: 0, skipped: 0, done: true };
  const stored = await readDoc<NoticeCursor>(db, RELEASE_COLL, NOTICE_CURSOR_ID);
  if (stored && stored.day === day && stored.done) return { day, sent: 0, skipped: 0, done: true };
  const cursor: NoticeCursor =
    stored && stored.day === day
      ? { day, after: stored.after, done: false, sent: stored.sent, updatedAt: stored.updatedAt }
      : { day, after: '', done: false, sent: 0, updatedAt: now() };
  const rec = await getReleaseDay(day);
  if (!rec || !(Number(rec.released) > 0)) {
    await writeDoc(db, RELEASE_COLL, NOTICE_CURSOR_ID, { ...cursor, done: true, updatedAt: now() });
    return { day, sent: 0, skipped: 0, done: true };
  }

  let sent = 0;
  let skipped = 0;
  let handled = 0;
  let after = cursor.after;
  for (;;) {
    if (handled >= maxUsers || Date.now() - started > budgetMs) {
      await writeDoc(db, RELEASE_COLL, NOTICE_CURSOR_ID, { ...cursor, after, sent: cursor.sent + sent, updatedAt: now() });
      return { day, sent, skipped, done: false };
    }
    const res = await db
      .collection(SUBSCRIPTIONS_COLL)
      .where({ topic: 'release', enabled: true, credits: _.gt(0), _id: _.gt(after) })
      .orderBy('_id', 'asc')
      .limit(100)
      .get();
    const subs = (res.data ?? []) as (SubscriptionDoc & { _id: string })[];
    for (const sub of subs) {
      // the budget is checked per user (not per page): a page of 100 notices can take seconds
      if (handled >= maxUsers || Date.now() - started > budgetMs) {
        await writeDoc(db, RELEASE_COLL, NOTICE_CURSOR_ID, { ...cursor, after, sent: cursor.sent + sent, updatedAt: now() });
        return { day, sent, skipped, done: false };
      }
      after = sub._id;
      handled++;
      if (await noticeOne(sub.openid, rec)) sent++;
      else skipped++;
    }
    if (subs.length < 100) break;
  }
  await writeDoc(db, RELEASE_COLL, NOTICE_CURSOR_ID, { ...cursor, after, done: true, sent: cursor.sent + sent, updatedAt: now() });
  return { day, sent, skipped, done: true };
}

async function noticeOne(openid: string, rec: ReleaseDayDoc): Promise<boolean> {
  const line = await pointsOfDay(userHolderId(openid), rec);
  if (!line || line.points.lte(ZERO) || formatPoints(line.points) === '0.00') return false;
  const id = `release:${rec.day}:${openid}`;
  const claimed = await runTx(async (tx) => {
    if (await readDoc(tx, NOTIFICATIONS_COLL, id)) return false;
    const sub = await readDoc<SubscriptionDoc>(tx, SUBSCRIPTIONS_COLL, `release:${openid}`);
    if (!sub || !sub.enabled || !(sub.credits > 0)) return false;
    await writeDoc(tx, SUBSCRIPTIONS_COLL, `release:${openid}`, { ...sub, _id: undefined, credits: sub.credits - 1, updatedAt: now() });
    await writeDoc(tx, NOTIFICATIONS_COLL, id, { openid, topic: 'release', day: rec.day, status: 'sending', points: formatPoints(line.points), at: now() });
    return true;
  });
  if (!claimed) return false;
  let status = 'sent';
  let error: string | null = null;
  try {
    await getCloud().openapi.subscribeMessage.send({
      touser: openid,
      templateId: releaseTemplateId(),
      page: TEMPLATES.releaseNotice.page, // the daily release statements are on the assets page
      data: {
        date1: { value: shanghaiDate(rec.day) },
        number2: { value: formatPoints(line.points) },
        thing3: { value: `共享值剩余${formatPoints(line.svAfter)}`.slice(0, 20) },
      },
      miniprogramState: 'formal',
    });
  } catch (e) {
    status = 'failed';
    error = String((e as Error)?.message ?? e).slice(0, 300);
    console.warn('[release] notice not sent', openid, rec.day, error);
  }
  await writeDoc(getDb(), NOTIFICATIONS_COLL, id, { openid, topic: 'release', day: rec.day, status, error, points: formatPoints(line.points), at: now() });
  return status === 'sent';
}
