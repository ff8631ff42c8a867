/**
 * The merchant centre's figures (issue 15): today's and this month's sales, orders to handle, shared value and
 * points with their history.
 *
 * Sales are statistics, i.e. derived data written after the commit of the order's payment or refund
 * (`afterOrderEvent`), never inside it, into `storeDays/<merchantId>:<day>` (the business day of the payment):
 * - a payment is one atomic increment, no transaction (one round trip): it runs once, after the one commit that
 *   made the order paid (a repeated notification finds the order paid and counts nothing);
 * - a refund, rarer and pushed again until WeChat Pay confirms it, is a small transaction with a marker
 *   `storeDayMarks/<orderId>:refunded`, so a retried refund counts once.
 * `storeDays/<id>:<day>` is written by every payment of that one store that day: its peak write rate is the
 * store's own order rate.
 */
import type { Order, StoreDashboard, StoreDay } from '../shared/api';
import { businessDay } from '../shared/time';
import { svShown } from '../shared/release';
import { now } from './clock';
import { createDoc, getDb, isDuplicateKey, lockAndRead, readDoc, runTx, writeDoc } from './db';
import { requireMyMerchant } from './merchants';
import { postOrderEvent } from './messages';
import { statementsOf } from './statements';
import { merchantHolderId, pointsNow } from './svView';
import type { Payload } from './validate';

export const STORE_DAYS_COLL = 'storeDays';
export const STORE_DAY_MARKS_COLL = 'storeDayMarks';


interface StoreDayDoc extends StoreDay {
  _id: string;
  merchantId: string;
  updatedAt: number;
}

type SaleOrder = Pick<Order, 'merchantId' | 'amountFen' | 'cashFen' | 'paidAt'> & { _id: string };

/** The store's day of a sale, empty (a refund counts against the day of the sale). */
function emptyStoreDay(merchantId: string, paidAt: number): StoreDayDoc {
  const day = businessDay(paidAt);
  return { _id: `${merchantId}:${day}`, merchantId, day, orders: 0, amountFen: 0, cashFen: 0, refunds: 0, refundFen: 0, updatedAt: 0 };
}

/**
 * Counts a payment into its store's day (never throws): an atomic increment of the day, which the day's first
 * payment creates (two first payments at once: the second's add is a duplicate, and it increments instead).
 */
async function countPaid(o: SaleOrder): Promise<void> {
  if (!o.paidAt) return;
  const fresh = emptyStoreDay(o.merchantId, o.paidAt);
  const days = getDb().collection(STORE_DAYS_COLL);
  const _ = getDb().command;
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = (await days.doc(fresh._id).update({ data: { orders: _.inc(1), amountFen: _.inc(o.amountFen), cashFen: _.inc(o.cashFen), updatedAt: now() } })) as { stats?: { updated?: number } } | undefined;
      if ((res?.stats?.updated ?? 0) > 0) return;
      try {
        await days.add({ data: { ...fresh, orders: 1, amountFen: o.amountFen, cashFen: o.cashFen, updatedAt: now() } });
        return;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    throw new Error('the day was neither there nor created');
  } catch (e) {
    console.warn('[storeStats] not recorded', o._id, 'paid', String((e as Error)?.message ?? e));
  }
}

/**
 * Counts a refunded order into its store's day, once (never throws): a small transaction of its own, after the
 * refund's commit — the marker `storeDayMarks/<orderId>:refunded` created, the day locked then read.
 */
async function countRefunded(o: SaleOrder): Promise<void> {
  if (!o.paidAt) return; // refunded before payment (cancelled then paid late): it never counted
  const fresh = emptyStoreDay(o.merchantId, o.paidAt);
  try {
    await runTx(async (tx) => {
      const markId = `${o._id}:refunded`;
      if (await readDoc(tx, STORE_DAY_MARKS_COLL, markId)) return;
      // the mark is created (add: a concurrent second count conflicts and finds it), the day locked then read
      // (CloudBase does not re-check reads at commit: a read-then-set would lose a concurrent order's count)
      const [, locked] = await Promise.all([createDoc(tx, STORE_DAY_MARKS_COLL, markId, { at: now() }), lockAndRead<StoreDayDoc>(tx, STORE_DAYS_COLL, fresh._id)]);
      const cur = locked ?? fresh;
      const next: StoreDayDoc = { ...cur, refunds: cur.refunds + 1, refundFen: cur.refundFen + o.cashFen, updatedAt: now() };
      if (locked) await writeDoc(tx, STORE_DAYS_COLL, fresh._id, next);
      else await createDoc(tx, STORE_DAYS_COLL, fresh._id, next);
    });
  } catch (e) {
    console.warn('[storeStats] not recorded', o._id, 'refunded', String((e as Error)?.message ?? e));
  }
}

type OrderEventOrder = Parameters<typeof postOrderEvent>[0] & SaleOrder;

/** Everything derived from an order event, after its commit: the messages and the store's figures. */
export async function afterOrderEvent(o: OrderEventOrder | null | undefined, event: 'paid' | 'shipped' | 'completed' | 'refunded' | 'cancelled'): Promise<void> {
  if (!o) return;
  // independent documents (the users' messages, the store's day): together, so the request waits for the longer only
  await Promise.all([postOrderEvent(o, event), event === 'paid' ? countPaid(o) : event === 'refunded' ? countRefunded(o) : null]);
}


const zero = (day: string): StoreDay => ({ day, orders: 0, amountFen: 0, cashFen: 0, refunds: 0, refundFen: 0 });

function addUp(days: StoreDay[], label: string): StoreDay {
  return days.reduce(
    (s, d) => ({ day: label, orders: s.orders + d.orders, amountFen: s.amountFen + d.amountFen, cashFen: s.cashFen + d.cashFen, refunds: s.refunds + d.refunds, refundFen: s.refundFen + d.refundFen }),
    zero(label),
  );
}

export async function storeDashboard(openid: string): Promise<StoreDashboard> {
  const m = await requireMyMerchant(openid);
  const db = getDb();
  const _ = db.command;
  const t = now();
  const today = businessDay(t);
  const monthStart = `${today.slice(0, 7)}-01`;
  const firstRecent = businessDay(t - 13 * 86_400_000);
  const from = firstRecent < monthStart ? firstRecent : monthStart;
  // at most 31 + 14 documents: one per day with sales
  const res = await db.collection(STORE_DAYS_COLL).where({ merchantId: m._id, day: _.gte(from) }).orderBy('day', 'asc').limit(100).get();
  const days = ((res.data ?? []) as StoreDayDoc[]).map((d): StoreDay => ({ day: d.day, orders: d.orders, amountFen: d.amountFen, cashFen: d.cashFen, refunds: d.refunds, refundFen: d.refundFen }));
  const byDay = new Map(days.map((d) => [d.day, d]));
  const recent: StoreDay[] = [];
  for (let i = 13; i >= 0; i--) {
    const d = businessDay(t - i * 86_400_000);
    recent.push(byDay.get(d) ?? zero(d));
  }
  const monthDays = days.filter((d) => d.day >= monthStart);
  // the store's points and SV as every action sees them: booked + released to it (SPEC §5; server/svView.ts)
  const [toHandle, held, statements] = await Promise.all([
    db.collection('orders').where({ merchantId: m._id, status: 'paid', kind: 'goods' }).count(),
    pointsNow(merchantHolderId(m._id)),
    statementsOf(merchantHolderId(m._id), 14),
  ]);
  const balance = held.points;
  const sv = { sharedValue: held.sv };
  return {
    today: byDay.get(today) ?? zero(today),
    month: { ...addUp(monthDays, today.slice(0, 7)), days: monthDays.length },
    recent,
    toHandle: Number(toHandle?.total ?? 0),
    pointsBalance: balance.toFixed(2),
    sharedValue: svShown(sv.sharedValue),
    svHistory: [...statements].reverse().map((s) => ({ day: s.day, svAfter: s.svAfter, pointsReceived: s.pointsReceived })),
  };
}

export const storeStatsActions = {
  async dashboard(_p: Payload, caller: { openid: string }): Promise<StoreDashboard> {
    return storeDashboard(caller.openid);
  },
};
