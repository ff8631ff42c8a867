/**
 * Admin: the release and the guide price (AdminApi.releaseStatus / releaseNow / setGuidePrice / dashboard).
 * Every action checks the caller's role in the database.
 *
 * "Release now" runs the same due-days logic as the 22:00 timer: it releases the days whose 22:00 has
 * passed and that were missed (the timer failed or never ran), in order. It never releases today's
 * before 22:00: SPEC §5 says at most once a day, at 22:00.
 */
import type { AdminApi, Dashboard, ReleaseDayRecord } from '../../shared/api';
import { dec, formatPoints, ZERO } from '../../shared/decimal';
import { DomainError } from '../../shared/errors';
import { businessDay, dueReleaseDays, nextReleaseMoment } from '../../shared/time';
import { totalSv } from '../../shared/release';
import { now } from '../clock';
import { CONFIG_COLL, getGuidePriceFen, getParams, GUIDE_PRICE_ID, GuidePriceDoc } from '../config';
import { getDb, readDoc, runTx, writeDoc } from '../db';
import { ensureReleaseState, readShardTotals } from '../holders';
import { getBalance, releasePoolTotal, RELEASE_UNISSUED, TREASURY } from '../ledger';
import { reservedForPurchases } from '../deposit';
import { GUIDE_PRICE_HISTORY_COLL, GuidePriceHistoryDoc, recentReleaseDays, runDueReleases, toDayRecord, writeGuidePrice } from '../release';
import { sendReleaseNotices } from '../releaseNotify';
import { Payload, str } from '../validate';
import { requireAdmin, writeAudit } from './params';

type Res<A extends keyof AdminApi> = AdminApi[A]['res'];

/** A hand-set guide price must stay a sane number of fen (¥0.01 – ¥100,000 a point). */
const MAX_GUIDE_PRICE_FEN = 10_000_000;

export async function releaseStatus(): Promise<Res<'releaseStatus'>> {
  const state = await ensureReleaseState();
  const params = await getParams();
  const t = now();
  const dueDays = dueReleaseDays({ lastReleasedDay: state.lastReleasedDay, firstDay: state.firstDay, now: t, hour: params.releaseHour });
  const recent = await recentReleaseDays(10);
  return {
    lastReleasedDay: state.lastReleasedDay,
    dueDays,
    nextReleaseAt: nextReleaseMoment(t, params.releaseHour),
    released: dec(state.released).toFixed(2),
    remaining: dec(params.releaseTotal).minus(state.released).toFixed(2),
    recent: recent.map(toDayRecord),
  };
}

export async function releaseNow(adminOpenid: string): Promise<Res<'releaseNow'>> {
  const run = await runDueReleases({ by: `admin:${adminOpenid}` });
  if (run.released.length > 0) {
    await runTx(async (tx) => {
      await writeAudit(tx, {
        by: adminOpenid,
        what: 'release:now',
        old: null,
        new: { days: run.released.map((d) => d.day), stillDue: run.stillDue },
        reason: null,
      });
    });
    await sendReleaseNotices({ budgetMs: 10_000 }).catch((e) => console.warn('[release] notices', e));
  }
  return { released: run.released.map(toDayRecord) };
}

export async function setGuidePrice(adminOpenid: string, priceFen: number, reason: string): Promise<Res<'setGuidePrice'>> {
  if (!Number.isSafeInteger(priceFen) || priceFen <= 0 || priceFen > MAX_GUIDE_PRICE_FEN) {
    throw new DomainError('INVALID_PRICE', `指导价必须是 1 到 ${MAX_GUIDE_PRICE_FEN} 之间的整数（分）`);
  }
  return runTx(async (tx) => {
    await requireAdmin(adminOpenid, tx);
    const cur = await readDoc<GuidePriceDoc>(tx, CONFIG_COLL, GUIDE_PRICE_ID);
    const old = cur?.priceFen ?? (await getParams(tx)).initialGuidePriceFen;
    const at = now();
    const day = businessDay(at);
    await writeGuidePrice(tx, cur, { priceFen, day, at, by: adminOpenid, reason });
    const hist: GuidePriceHistoryDoc = { day, priceFen, previousFen: old, source: 'admin', by: adminOpenid, reason, vwapFen: null, volume: null, trades: null, at };
    const auditId = await writeAudit(tx, { by: adminOpenid, what: 'guidePrice', old, new: priceFen, reason });
    await writeDoc(tx, GUIDE_PRICE_HISTORY_COLL, `admin:${auditId}`, hist);
    return { guidePriceFen: priceFen };
  });
}

async function countOf(coll: string, where?: Record<string, unknown>): Promise<number> {
  try {
    const c = getDb().collection(coll);
    const res = await (where ? c.where(where) : c).count();
    return Number(res?.total ?? 0);
  } catch {
    return 0;
  }
}

export async function dashboard(): Promise<Dashboard> {
  const db = getDb();
  const state = await ensureReleaseState();
  const params = await getParams();
  const [totals, treasury, pool, unissued, guidePriceFen, recent, users, merchants, hist, reserved] = await Promise.all([
    readShardTotals(db, state.epoch),
    getBalance(TREASURY),
    releasePoolTotal(),
    getBalance(RELEASE_UNISSUED),
    getGuidePriceFen(),
    recentReleaseDays(14),
    countOf('users'),
    countOf('merchants'),
    db.collection(GUIDE_PRICE_HISTORY_COLL).orderBy('at', 'desc').limit(30).get(),
    reservedForPurchases(),
  ]);
  const T = totalSv({ ...state, weight: totals.weight.toString() });
  // Σ of all accounts is the fixed supply, so what circulates is the supply minus the platform's accounts
  const supply = dec(params.releaseTotal).plus(params.treasuryReserve);
  const circulating = supply.minus(treasury).minus(reserved).minus(pool).minus(unissued);
  const releases: ReleaseDayRecord[] = recent.map(toDayRecord);
  const priceHistory = ((hist?.data ?? []) as GuidePriceHistoryDoc[]).map((h) => ({ day: h.day, guidePriceFen: h.priceFen }));
  return {
    totalSv: formatPoints(T),
    circulatingPoints: (circulating.isNegative() ? ZERO : circulating).toFixed(2),
    treasury: treasury.toFixed(2),
    treasuryReserved: reserved.toFixed(2),
    pool: pool.toFixed(2),
    unissued: unissued.toFixed(2),
    released: dec(state.released).toFixed(2),
    guidePriceFen,
    users,
    merchants,
    releases,
    priceHistory,
  };
}

export const adminReleaseActions = {
  async releaseStatus(_p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return releaseStatus();
  },
  async releaseNow(_p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return releaseNow(caller.openid);
  },
  async setGuidePrice(p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    const priceFen = p.priceFen;
    if (typeof priceFen !== 'number') throw new DomainError('INVALID_PRICE', '指导价必须是整数（分）');
    const reason = str(p, 'reason', { label: '调整原因', min: 2, max: 200 });
    return setGuidePrice(caller.openid, priceFen, reason);
  },
  async dashboard(_p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return dashboard();
  },
};

