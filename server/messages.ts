/**
 * The message centre (issue 15): what happened to a user's orders, trades, releases, appeals and store
 * application, kept as one document per message (`messages`, `_id` = `<openid>|<event key>`).
 *
 * Messages are derived data (DESIGN "Rules for running at the platform's scale" 3): they are written after
 * the commit of the action that causes them, never inside its transaction — in particular never inside the
 * payment transaction — and a failure to write one is logged and never undoes or fails the action. The id is
 * the event, so a retried action or a twice-fired timer writes the same message once.
 *
 * Release messages are not written by the release (it must not write per holder): the first time a user
 * looks at their messages after a release, the message for that day is made from their statement
 * (`syncReleaseMessage`), once per user and day.
 *
 * Unread counts come from count() queries over the user's own messages (no counter document that every
 * event would write).
 */
import type { Message, MessageKind, Page, UnreadCounts } from '../shared/api';
import { DomainError } from '../shared/errors';
import { formatPoints } from '../shared/decimal';
import { now } from './clock';
import { getDb, isDuplicateKey, patchDoc, readDoc, runTx, writeDoc } from './db';
import { readReleaseState } from './holders';
import { pointsOfDay } from './releaseNotify';
import { getReleaseDay } from './release';
import { userHolderId } from './holders';
import { requireUser } from './users';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, optStr } from './validate';

export const MESSAGES_COLL = 'messages';
export const MESSAGE_STATE_COLL = 'messageState';

export const MESSAGE_KINDS: readonly MessageKind[] = ['order', 'trade', 'release', 'appeal', 'approval'];

interface MessageDoc extends Omit<Message, 'id'> {
  _id: string;
  openid: string;
  key: string;
}

export interface NewMessage {
  openid: string;
  /** The event, unique per user: e.g. `order:<id>:shipped` */
  key: string;
  kind: MessageKind;
  title: string;
  body: string;
  link: string;
}

const idOf = (openid: string, key: string) => `${openid}|${key}`;

/**
 * Writes messages after a commit. Never throws: a message is a courtesy, the action has happened. An event
 * already written (a retry, a second timer run) is left as it is, read or unread.
 */
export async function postMessages(msgs: (NewMessage | null | undefined | false)[]): Promise<void> {
  const db = getDb();
  // each message is its own document, created with add (its id is the event's): one round trip, no read first, and
  // an event already written fails the add as a duplicate and stays as it is. They go out together.
  await Promise.all(
    msgs.map(async (m) => {
      if (!m || !m.openid) return;
      const _id = idOf(m.openid, m.key);
      try {
        const doc: MessageDoc = { _id, openid: m.openid, key: m.key, kind: m.kind, title: m.title.slice(0, 40), body: m.body.slice(0, 200), link: m.link, at: now(), read: false };
        await db.collection(MESSAGES_COLL).add({ data: doc });
      } catch (e) {
        if (isDuplicateKey(e)) return;
        console.warn('[messages] not written', m.key, String((e as Error)?.message ?? e));
      }
    }),
  );
}

function view(d: MessageDoc): Message {
  return { id: d._id.slice(d._id.indexOf('|') + 1), kind: d.kind, title: d.title, body: d.body, link: d.link, at: d.at, read: !!d.read };
}

/** The release message of the latest released day, made once from the user's statement (see the top). */
export async function syncReleaseMessage(openid: string): Promise<void> {
  try {
    const db = getDb();
    const state = await readReleaseState(db);
    const day = state?.lastReleasedDay ?? null;
    if (!day) return;
    const mine = await readDoc<{ releaseDay?: string }>(db, MESSAGE_STATE_COLL, openid);
    if (mine?.releaseDay === day) return;
    const rec = await getReleaseDay(day);
    const line = rec && Number(rec.released) > 0 ? await pointsOfDay(userHolderId(openid), rec) : null;
    if (line && formatPoints(line.points) !== '0.00') {
      await postMessages([
        {
          openid,
          key: `release:${day}`,
          kind: 'release',
          title: '每日释放到账',
          body: `${day} 释放：获得 ${formatPoints(line.points)} 积分，消耗共享值 ${formatPoints(line.svConsumed)}，剩余共享值 ${formatPoints(line.svAfter)}`,
          link: '/pages/assets/index',
        },
      ]);
    }
    await writeDoc(db, MESSAGE_STATE_COLL, openid, { releaseDay: day, updatedAt: now() });
  } catch (e) {
    console.warn('[messages] release message not made', openid, String((e as Error)?.message ?? e));
  }
}

function readKind(p: Payload): MessageKind | undefined {
  const k = optStr(p, 'kind', { label: '消息类型', min: 0, max: 20 });
  if (!k) return undefined;
  if (!(MESSAGE_KINDS as readonly string[]).includes(k)) throw new DomainError('INVALID_INPUT', `消息类型必须是 ${MESSAGE_KINDS.join(' / ')} 之一`);
  return k as MessageKind;
}

export async function listMessages(openid: string, kind: MessageKind | undefined, cur: string | null, pageSize = 20): Promise<Page<Message>> {
  const db = getDb();
  const _ = db.command;
  const base: Record<string, unknown> = { openid };
  if (kind) base.kind = kind;
  let where: unknown = base;
  if (cur) {
    const m = /^(\d+)\|(.+)$/.exec(cur);
    if (!m) throw new DomainError('BAD_CURSOR', '翻页参数无效');
    const at = Number(m[1]);
    where = _.and([base, _.or([{ at: _.lt(at) }, { at, _id: _.lt(idOf(openid, m[2])) }])]);
  }
  const res = await db.collection(MESSAGES_COLL).where(where).orderBy('at', 'desc').orderBy('_id', 'desc').limit(pageSize + 1).get();
  const list = (res.data ?? []) as MessageDoc[];
  const page = list.slice(0, pageSize);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: list.length > pageSize && last ? `${last.at}|${last.key}` : null };
}

export async function unreadCounts(openid: string): Promise<UnreadCounts> {
  const c = getDb().collection(MESSAGES_COLL);
  const counts = await Promise.all(MESSAGE_KINDS.map((kind) => c.where({ openid, read: false, kind }).count()));
  const byKind = Object.fromEntries(MESSAGE_KINDS.map((k, i) => [k, Number(counts[i]?.total ?? 0)])) as Record<MessageKind, number>;
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}

/** Marks messages read: the ones named (at most 100), or every unread one (of a kind), 100 at a time. */
export async function markRead(openid: string, p: Payload): Promise<UnreadCounts> {
  const db = getDb();
  if (Array.isArray(p.ids)) {
    if (p.ids.length > 100 || !p.ids.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 200)) throw new DomainError('INVALID_INPUT', '消息编号不正确');
    for (const key of p.ids as string[]) {
      // by id: a user can only reach their own messages (the id starts with their openid)
      await runTx(async (tx) => {
        const d = await readDoc<MessageDoc>(tx, MESSAGES_COLL, idOf(openid, key));
        if (d && !d.read) await writeDoc(tx, MESSAGES_COLL, d._id, { ...d, read: true });
      });
    }
  } else if (p.all === true) {
    const kind = readKind(p);
    const where: Record<string, unknown> = { openid, read: false };
    if (kind) where.kind = kind;
    for (let round = 0; round < 10; round++) {
      const res = await db.collection(MESSAGES_COLL).where(where).limit(100).get();
      const list = (res.data ?? []) as MessageDoc[];
      for (const d of list) await patchDoc(db, MESSAGES_COLL, d._id, { read: true });
      if (list.length < 100) break;
    }
  } else {
    throw new DomainError('INVALID_INPUT', '请指定要标为已读的消息（ids），或全部（all: true）');
  }
  return unreadCounts(openid);
}

export const messageActions = {
  async messages(p: Payload, caller: { openid: string }): Promise<Page<Message>> {
    await requireUser(caller.openid);
    const kind = readKind(p);
    const cur = cursorOf(p, CURSOR_SHAPES.messageAt);
    if (!cur && (!kind || kind === 'release')) await syncReleaseMessage(caller.openid);
    return listMessages(caller.openid, kind, cur);
  },
  async unread(_p: Payload, caller: { openid: string }) {
    await requireUser(caller.openid);
    await syncReleaseMessage(caller.openid);
    return unreadCounts(caller.openid);
  },
  async readMessages(p: Payload, caller: { openid: string }) {
    await requireUser(caller.openid);
    return markRead(caller.openid, p);
  },
};

// ---------------------------------------------------------------- what each event says

type OrderEvent = 'paid' | 'shipped' | 'completed' | 'refunded' | 'cancelled';

interface OrderLike {
  _id: string;
  kind: 'goods' | 'instore';
  fulfilment?: 'delivery' | 'pickup' | 'dinein' | null;
  merchantName: string;
  buyerOpenid: string;
  buyerUserNo: string;
  merchantOwnerOpenid: string;
  lines: { title: string; quantity: number }[];
  amountFen: number;
  userSv: string;
  carrier?: string | null;
  trackingNo?: string | null;
  status: string;
  refund?: { by: string } | null;
}

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

function linesText(o: OrderLike): string {
  if (o.kind === 'instore') return `到店付款 ${yuan(o.amountFen)}`;
  const first = o.lines[0];
  return first ? `${first.title} × ${first.quantity}${o.lines.length > 1 ? ` 等 ${o.lines.length} 件商品` : ''}` : '商品订单';
}

/** The messages an order event gives its buyer and its store's owner. */
export function orderMessages(o: OrderLike, event: OrderEvent): NewMessage[] {
  const buyer = (title: string, body: string): NewMessage => ({ openid: o.buyerOpenid, key: `order:${o._id}:${event}`, kind: 'order', title, body, link: `/pages/order/index?id=${o._id}` });
  const store = (title: string, body: string): NewMessage => ({ openid: o.merchantOwnerOpenid, key: `store-order:${o._id}:${event}`, kind: 'order', title, body, link: '/merchant-center/orders' });
  const what = linesText(o);
  const sv = Number(o.userSv) > 0 ? `，获得 ${o.userSv} 共享值` : '';
  switch (event) {
    case 'paid':
      if (o.status === 'completed') return [buyer('付款成功', `${o.merchantName}：${what}，订单已完成${sv}`), store('收到付款', `买家 ${o.buyerUserNo}：${what}`)];
      return [
        buyer('付款成功', `${o.merchantName}：${what}，${o.fulfilment === 'pickup' ? '请凭取货码到店取货' : '等待商家发货'}`),
        store(o.fulfilment === 'pickup' ? '新订单待取货' : '新订单待发货', `买家 ${o.buyerUserNo}：${what}`),
      ];
    case 'shipped':
      return [buyer('商家已发货', `${o.merchantName}：${what}${o.carrier ? `，${o.carrier} ${o.trackingNo ?? ''}` : ''}`)];
    case 'completed':
      return [buyer('订单已完成', `${o.merchantName}：${what}${sv}`), store('订单已完成', `买家 ${o.buyerUserNo}：${what}，已结算`)];
    case 'refunded':
      return [buyer('订单已退款', `${o.merchantName}：${what}，现金原路退回，积分已退回`), store('订单已退款', `买家 ${o.buyerUserNo}：${what}`)];
    case 'cancelled':
      return [buyer('订单已取消', `${o.merchantName}：${what}，超时未支付`)];
  }
}

/** Posts an order event's messages after its commit (never throws). */
export async function postOrderEvent(o: OrderLike | null | undefined, event: OrderEvent): Promise<void> {
  if (o) await postMessages(orderMessages(o, event));
}
