/**
 * Business days. Cloud functions run in UTC but the economy's day, and its 22:00 release, are in
 * Asia/Shanghai (DESIGN "Platform facts"), so the zone is always explicit here, never the host's.
 */
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

export const BUSINESS_TZ = 'Asia/Shanghai';
export const DAY_MS = 86_400_000;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written 'YYYY-MM-DD' (2025-02-30 is not one). */
export function isDay(s: unknown): s is string {
  if (typeof s !== 'string' || !DAY_RE.test(s)) return false;
  return dayjs.utc(s).format('YYYY-MM-DD') === s;
}

function assertDay(day: string): void {
  if (!isDay(day)) throw new Error(`not a day (YYYY-MM-DD): ${String(day)}`);
}

function assertHour(hour: number): void {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`not an hour 0-23: ${String(hour)}`);
}

/** The business day (Asia/Shanghai) that contains the instant `ms`. */
export function businessDay(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${String(ms)}`);
  return dayjs(ms).tz(BUSINESS_TZ).format('YYYY-MM-DD');
}

/** Epoch ms of `hour`:00 Asia/Shanghai on `day`: the moment that day's release becomes due. */
export function releaseMoment(day: string, hour: number): number {
  assertDay(day);
  assertHour(hour);
  return dayjs.tz(`${day} ${String(hour).padStart(2, '0')}:00:00`, BUSINESS_TZ).valueOf();
}

/** Calendar arithmetic on day strings; independent of any zone because a day string has none. */
export function addDays(day: string, n: number): string {
  assertDay(day);
  if (!Number.isInteger(n)) throw new Error(`not a whole number of days: ${String(n)}`);
  return dayjs.utc(day).add(n, 'day').format('YYYY-MM-DD');
}

/** b − a in days. */
export function daysBetween(a: string, b: string): number {
  assertDay(a);
  assertDay(b);
  return Math.round((dayjs.utc(b).valueOf() - dayjs.utc(a).valueOf()) / DAY_MS);
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
