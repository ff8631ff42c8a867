import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utcPlugin from 'dayjs/plugin/utc';
import { addDays, businessDay, daysBetween, dueReleaseDays, isDay, nextReleaseMoment, releaseMoment } from './time';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('businessDay: Asia/Shanghai, whatever the host zone', () => {
  test('midnight in Shanghai is 16:00 UTC the day before', () => {
    expect(businessDay(utc(2025, 1, 1, 15, 59, 59, 999))).toBe('2025-01-01');
    expect(businessDay(utc(2025, 1, 1, 16, 0, 0, 0))).toBe('2025-01-02');
  });
  test('a UTC midnight is already 08:00 in Shanghai, the same day', () => {
    expect(businessDay(utc(2025, 3, 5, 0, 0))).toBe('2025-03-05');
    expect(businessDay(utc(2025, 3, 4, 23, 59))).toBe('2025-03-05');
  });
  test('year and leap-day boundaries', () => {
    expect(businessDay(utc(2024, 12, 31, 16, 0))).toBe('2025-01-01');
    expect(businessDay(utc(2024, 2, 28, 16, 0))).toBe('2024-02-29');
  });
  test('the host TZ does not matter', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(businessDay(utc(2025, 1, 1, 16, 0))).toBe('2025-01-02');
      expect(releaseMoment('2025-01-01', 22)).toBe(utc(2025, 1, 1, 14, 0));
    } finally {
      process.env.TZ = before;
    }
  });
});

describe('releaseMoment', () => {
  test('22:00 Shanghai is 14:00 UTC the same day', () => {
    expect(releaseMoment('2025-01-01', 22)).toBe(utc(2025, 1, 1, 14, 0));
    expect(new Date(releaseMoment('2025-06-30', 22)).toISOString()).toBe('2025-06-30T14:00:00.000Z');
  });
  test('00:00 Shanghai is 16:00 UTC the day before; 07:00 is 23:00 UTC the day before', () => {
    expect(releaseMoment('2025-01-01', 0)).toBe(utc(2024, 12, 31, 16, 0));
    expect(releaseMoment('2025-01-01', 7)).toBe(utc(2024, 12, 31, 23, 0));
    expect(releaseMoment('2025-01-01', 8)).toBe(utc(2025, 1, 1, 0, 0));
  });
  test('refuses bad days and hours', () => {
    expect(() => releaseMoment('2025-02-30', 22)).toThrow();
    expect(() => releaseMoment('2025-1-1', 22)).toThrow();
    expect(() => releaseMoment('2025-01-01', 24)).toThrow();
    expect(() => releaseMoment('2025-01-01', 1.5)).toThrow();
  });
});

describe('days', () => {
  test('isDay', () => {
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2025-02-29')).toBe(false);
    expect(isDay('2025-13-01')).toBe(false);
    expect(isDay('2025-01-01T00:00')).toBe(false);
    expect(isDay(20250101)).toBe(false);
  });
  test('addDays across months, years and leap days', () => {
    expect(addDays('2025-01-31', 1)).toBe('2025-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addDays('2025-01-01', 1095)).toBe('2028-01-01');
    expect(daysBetween('2025-01-01', '2028-01-01')).toBe(1095);
  });
});

describe('dueReleaseDays: each missed day once, in order', () => {
  const hour = 22;
  test('before 22:00 on the first day: nothing; at 22:00: the first day', () => {
    expect(dueReleaseDays({ lastReleasedDay: null, firstDay: '2025-01-01', now: utc(2025, 1, 1, 13, 59, 59, 999), hour })).toEqual([]);
    expect(dueReleaseDays({ lastReleasedDay: null, firstDay: '2025-01-01', now: utc(2025, 1, 1, 14, 0), hour })).toEqual(['2025-01-01']);
  });
  test('already released today: nothing (a second trigger is a no-op)', () => {
    expect(dueReleaseDays({ lastReleasedDay: '2025-01-01', firstDay: '2025-01-01', now: utc(2025, 1, 1, 14, 0, 5), hour })).toEqual([]);
    // 23:59 Shanghai is still 2025-01-01
    expect(dueReleaseDays({ lastReleasedDay: '2025-01-01', firstDay: '2025-01-01', now: utc(2025, 1, 1, 15, 59), hour })).toEqual([]);
  });
  test('after midnight Shanghai (16:00 UTC) the next day is not due until its 22:00', () => {
    expect(dueReleaseDays({ lastReleasedDay: '2025-01-01', firstDay: '2025-01-01', now: utc(2025, 1, 1, 16, 30), hour })).toEqual([]);
  });
  test('a trigger late by three days releases the missed days in order', () => {
    expect(dueReleaseDays({ lastReleasedDay: '2025-01-01', firstDay: '2025-01-01', now: utc(2025, 1, 4, 15, 0), hour })).toEqual(['2025-01-02', '2025-01-03', '2025-01-04']);
    expect(dueReleaseDays({ lastReleasedDay: '2025-01-01', firstDay: '2025-01-01', now: utc(2025, 1, 4, 13, 0), hour })).toEqual(['2025-01-02', '2025-01-03']);
  });
  test('limit caps a run; the rest are due next run', () => {
    expect(dueReleaseDays({ lastReleasedDay: null, firstDay: '2025-01-01', now: utc(2025, 2, 1), hour, limit: 2 })).toEqual(['2025-01-01', '2025-01-02']);
  });
  test('lastReleasedDay before firstDay starts at firstDay', () => {
    expect(dueReleaseDays({ lastReleasedDay: '2024-06-01', firstDay: '2025-01-01', now: utc(2025, 1, 2, 14, 0), hour })).toEqual(['2025-01-01', '2025-01-02']);
  });
  test('across a month end', () => {
    expect(dueReleaseDays({ lastReleasedDay: '2025-01-30', firstDay: '2025-01-01', now: utc(2025, 2, 1, 14, 0), hour })).toEqual(['2025-01-31', '2025-02-01']);
  });
});

describe('nextReleaseMoment', () => {
  test('before and after today’s release', () => {
    expect(nextReleaseMoment(utc(2025, 1, 1, 13, 0), 22)).toBe(utc(2025, 1, 1, 14, 0));
    expect(nextReleaseMoment(utc(2025, 1, 1, 14, 0), 22)).toBe(utc(2025, 1, 2, 14, 0));
    expect(nextReleaseMoment(utc(2025, 1, 1, 17, 0), 22)).toBe(utc(2025, 1, 2, 14, 0));
  });
});

describe('the fixed +08:00 arithmetic agrees with the tz database (dayjs + Intl) since 1992', () => {
  dayjs.extend(utcPlugin);
  dayjs.extend(timezone);
  // a deterministic spread of instants from 1992 to 2200, plus the edges of days
  let seed = 20260302;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const from = utc(1992, 1, 1);
  const to = utc(2200, 1, 1);
  const instants: number[] = [];
  for (let i = 0; i < 600; i++) {
    const t = Math.floor(from + rnd() * (to - from));
    instants.push(t, t - (t % 3_600_000), t - (t % 3_600_000) - 1);
  }
  test('businessDay', () => {
    for (const t of instants) expect([t, businessDay(t)]).toEqual([t, dayjs(t).tz('Asia/Shanghai').format('YYYY-MM-DD')]);
  });
  test('releaseMoment, addDays, daysBetween, isDay', () => {
    for (const t of instants.slice(0, 900)) {
      const day = dayjs.utc(t).format('YYYY-MM-DD');
      const hour = Math.floor(rnd() * 24);
      expect([day, hour, releaseMoment(day, hour)]).toEqual([day, hour, dayjs.tz(`${day} ${String(hour).padStart(2, '0')}:00:00`, 'Asia/Shanghai').valueOf()]);
      const n = Math.floor(rnd() * 4000) - 2000;
      expect(addDays(day, n)).toBe(dayjs.utc(day).add(n, 'day').format('YYYY-MM-DD'));
      expect(daysBetween(day, addDays(day, n))).toBe(n);
      expect(isDay(day)).toBe(true);
    }
    for (const bad of ['2025-00-10', '2025-04-31', '2023-02-29', '1900-02-29', '2025-1-01', ' 2025-01-01', '2025-01-01 ', '2025/01/01']) expect(isDay(bad)).toBe(false);
    expect(isDay('2000-02-29')).toBe(true);
  });
});
