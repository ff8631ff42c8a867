/**
 * Conformance: timer triggers (guide/functions/triggers.html): 7-field cron `sec min hour day month weekday year`
 * in UTC+8, weekday 0 = Sunday, day and weekday combined with OR; the SCF timer event; SCF's two retries of
 * a failed asynchronous run.
 */
import cloud from 'wx-server-sdk';
import { parseCron, nextFiring } from '../timers';
import { startTestCloud, TestCloud } from '../testing';
import { fixtures, FIXTURE_COLLECTIONS } from './fixtures';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('cron parsing and next firing (UTC+8)', () => {
  test('"0 0 22 * * * *" fires at 22:00 Asia/Shanghai = 14:00Z', () => {
    const c = parseCron('0 0 22 * * * *');
    expect(iso(nextFiring(c, Date.UTC(2026, 2, 2, 10, 0, 0)))).toBe('2026-03-02T14:00:00.000Z');
    expect(iso(nextFiring(c, Date.UTC(2026, 2, 2, 14, 0, 0)))).toBe('2026-03-03T14:00:00.000Z');
    // 23:00 UTC on the 2nd is already the 3rd in Shanghai; next is 22:00 on the 3rd (local)
    expect(iso(nextFiring(c, Date.UTC(2026, 2, 2, 23, 0, 0)))).toBe('2026-03-03T14:00:00.000Z');
  });
  test('every minute, lists, ranges, steps', () => {
    expect(iso(nextFiring(parseCron('0 * * * * * *'), Date.UTC(2026, 0, 1, 0, 0, 30)))).toBe('2026-01-01T00:01:00.000Z');
    expect(iso(nextFiring(parseCron('*/15 * * * * * *'), Date.UTC(2026, 0, 1, 0, 0, 16)))).toBe('2026-01-01T00:00:30.000Z');
    expect(iso(nextFiring(parseCron('0 0 9-17/4 * * * *'), Date.UTC(2026, 0, 1, 2, 0, 0)))).toBe('2026-01-01T05:00:00.000Z'); // 13:00 +8
    expect(iso(nextFiring(parseCron('0 30 8,20 * * * *'), Date.UTC(2026, 0, 1, 1, 0, 0)))).toBe('2026-01-01T12:30:00.000Z'); // 20:30 +8
  });
  test('day-of-month and weekday: OR when both are set; weekday 0 = Sunday', () => {
    // 2026-03-01 is a Sunday
    expect(iso(nextFiring(parseCron('0 0 10 * * 0 *'), Date.UTC(2026, 1, 26, 0, 0, 0)))).toBe('2026-03-01T02:00:00.000Z');
    // the 5th or Mondays: from Sun 1 Mar, next is Mon 2 Mar
    expect(iso(nextFiring(parseCron('0 0 10 5 * 1 *'), Date.UTC(2026, 2, 1, 3, 0, 0)))).toBe('2026-03-02T02:00:00.000Z');
    expect(iso(nextFiring(parseCron('0 0 0 1 1 * 2027'), Date.UTC(2026, 5, 1)))).toBe('2026-12-31T16:00:00.000Z');
  });
  test('anything but 7 fields, or out-of-range values, is refused', () => {
    expect(() => parseCron('0 22 * * *')).toThrow(/7 fields/);
    expect(() => parseCron('0 0 24 * * * *')).toThrow(/hour/);
    expect(() => parseCron('0 0 22 * * 7 *')).toThrow(/weekday/);
  });
});

describe('firing', () => {
  let tc: TestCloud;
  const db = cloud.database({ throwOnNotFound: false });
  const runs = async () => (await db.collection('ticks').where({ kind: 'run' }).orderBy('event.Time', 'asc').get()).data;

  beforeEach(async () => {
    tc = await startTestCloud({
      functions: fixtures,
      collections: FIXTURE_COLLECTIONS,
      http: false,
      timers: true,
      now: Date.UTC(2026, 2, 2, 13, 59, 0),
      frozenClock: true,
      functionConfigs: { tick: { triggers: [{ name: 'dailyRelease', type: 'timer', config: '0 0 22 * * * *' }] } },
    });
  });
  afterEach(() => tc.close());

  test('the timer fires when the local clock reaches 22:00 +08, once, with the timer event', async () => {
    await tc.clock.advance(30_000);
    expect(await runs()).toHaveLength(0);
    await tc.clock.advance(30_000);
    const r = await runs();
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ source: 'wx_trigger', openid: null, event: { Type: 'timer', TriggerName: 'dailyRelease', Time: '2026-03-02T14:00:00Z' } });
    await tc.clock.advance(3600_000);
    expect(await runs()).toHaveLength(1);
  });

  test('firings skipped by a jump of the clock are coalesced into one run', async () => {
    await tc.clock.advance(3 * 86_400_000);
    expect(await runs()).toHaveLength(1);
  });

  test('a run that throws is retried twice', async () => {
    await db.collection('ticks').doc('config').set({ data: { failTimes: 2 } });
    const run = await tc.fireTimer('tick');
    expect(run.attempts).toBe(3);
    expect(run.error).toBeUndefined();
    expect(await runs()).toHaveLength(3);
    await db.collection('ticks').doc('config').set({ data: { failTimes: 10 } });
    const bad = await tc.fireTimer('tick');
    expect(bad.attempts).toBe(3);
    expect(bad.error).toMatch(/planned failure/);
  });

  test('POST /__local/timer/<fn> fires now; /__local/clock moves time and runs due timers', async () => {
    const { startGateway } = await import('../gateway');
    const gw = await startGateway(tc.cloud);
    try {
      const r = await (await fetch(`${gw.url}/__local/timer/tick`, { method: 'POST' })).json();
      expect(r).toMatchObject({ ok: true, data: { fn: 'tick', attempts: 1 } });
      const c = await (await fetch(`${gw.url}/__local/clock`, { method: 'POST', body: JSON.stringify({ advanceMs: 60_000 }) })).json();
      expect(c.data.timerRuns).toHaveLength(1);
      expect(c.data.iso).toBe('2026-03-02T14:00:00.000Z');
      expect(await runs()).toHaveLength(2);
      const g = await (await fetch(`${gw.url}/__local/clock`)).json();
      expect(g.data.frozen).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
