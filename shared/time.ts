/**
 * Business days. Cloud functions run in UTC but the economy's day, and its 22:00 release, are in
 * Asia/Shanghai (DESIGN "Platform facts"), so the zone is always explicit here, never the host's.
 *
 * Asia/Shanghai has kept a fixed offset of +08:00, without daylight saving, since 1991 (the tz database's
 * last rule for PRC ends in September 1991), so the conversions are plain arithmetic on that offset: the
 * same answers as a time-zone library for every instant the platform can see, at a tiny fraction of the
 * cost (dayjs's timezone plugin formats through Intl.DateTimeFormat on every call; it was the largest single
 * function in the gateway's profile, proof/FINDINGS.md 2). Nothing here reads the host's zone.
 */

export const BUSINESS_TZ = 'Asia/Shanghai';
export const DAY_MS = 86_400_000;
/** Asia/Shanghai's offset from UTC (+08:00, no daylight saving since 1991). */
export const BUSINESS_TZ_OFFSET_MS = 8 * 3_600_000;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** 'YYYY-MM-DD' of the UTC calendar day containing `ms` (ms must be a valid time). */
function utcDayOf(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (Number.isNaN(y)) throw new Error(`not a time: ${String(ms)}`);
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Epoch ms of 00:00 UTC of a day string already checked by DAY_RE (month/day may be out of range). */
function utcMidnight(day: string): { ms: number; ok: boolean } {
  const m = DAY_RE.exec(day);
  if (!m) return { ms: NaN, ok: false };
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it maps years 0–99 to 1900–1999
  dt.setUTCHours(0, 0, 0, 0);
  const ok = mo >= 1 && mo <= 12 && d >= 1 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
  return { ms: dt.getTime(), ok };
}

/** A real calendar day written 'YYYY-MM-DD' (2025-02-30 is not one). */
export function isDay(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  return utcMidnight(s).ok;
}

function dayMs(day: string): number {
  const r = utcMidnight(day);
  if (!r.ok) throw new Error(`not a day (YYYY-MM-DD): ${String(day)}`);
  return r.ms;
}

function assertDay(day: string): void {
  dayMs(day);
}

function assertHour(hour: number): void {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`not an hour 0-23: ${String(hour)}`);
}

/** The business day (Asia/Shanghai) that contains the instant `ms`. */
export function businessDay(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${String(ms)}`);
  return utcDayOf(ms + BUSINESS_TZ_OFFSET_MS);
}

/** Epoch ms of `hour`:00 Asia/Shanghai on `day`: the moment that day's release becomes due. */
export function releaseMoment(day: string, hour: number): number {
  const base = dayMs(day);
  assertHour(hour);
  return base + hour * 3_600_000 - BUSINESS_TZ_OFFSET_MS;
}

/** Calendar arithmetic on day strings; independent of any zone because a day string has none. */
export function addDays(day: string, n: number): string {
  const base = dayMs(day);
  if (!Number.isInteger(n)) throw new Error(`not a whole number of days: ${String(n)}`);
  return utcDayOf(base + n * DAY_MS);
}

/** b − a in days. */
export function daysBetween(a: string, b: string): number {
  return Math.round((dayMs(b) - dayMs(a)) / DAY_MS);
}

/**
 * The days whose release is due and not yet done, oldest first: a missed day is released when the
 * trigger next runs, each in order (SPEC §5). `firstDay` is the first day of the schedule.
 * `limit` caps one run (the rest are due next time) so a long outage cannot exceed the 60 s budget.
 */
export function dueReleaseDays(input: { lastReleasedDay: string | null; firstDay: string; now: number; hour: number; limit?: number }): string[] {
  const { lastReleasedDay, firstDay, now, hour } = input;
  assertDay(firstDay);
  assertHour(hour);
  const limit = input.limit ?? Infinity;
  let day = firstDay;
  if (lastReleasedDay !== null) {
    assertDay(lastReleasedDay);
    const next = addDays(lastReleasedDay, 1);
    if (next > firstDay) day = next; // ISO day strings order as dates
  }
  const out: string[] = [];
  while (out.length < limit && releaseMoment(day, hour) <= now) {
    out.push(day);
    day = addDays(day, 1);
  }
  return out;
}

/** When the next release after `now` is due (for "next release at" displays). */
export function nextReleaseMoment(now: number, hour: number): number {
  const today = businessDay(now);
  const t = releaseMoment(today, hour);
  return t > now ? t : releaseMoment(addDays(today, 1), hour);
}
