/**
 * Timer triggers from each function's config.json, as WeChat declares them:
 *   {"triggers":[{"name":"daily-release","type":"timer","config":"0 0 22 * * * *"}]}
 * Cron: 7 fields `second minute hour day month weekday year`, evaluated in UTC+8 (WeChat: "触发器规则的时区为
 * UTC+8"); weekday 0 = Sunday; when both day and weekday are restricted they combine with OR.
 * Supported: `*`, numbers, lists `a,b`, ranges `a-b`, steps `*\/n` and `a-b/n`.
 *
 * The event is SCF's timer event { Type: 'timer', TriggerName, Time, Message }, getWXContext().SOURCE is
 * 'wx_trigger' and there is no OPENID. A run that throws is retried twice (SCF retries async invocations
 * twice). Firings the local clock skipped over (e.g. advancing 3 days) are coalesced into one run.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LocalCloud } from './runtime';

export interface TriggerConfig {
  name: string;
  type: string;
  config: string;
}

export interface FunctionConfig {
  triggers?: TriggerConfig[];
  /** Seconds the function may run (the platform: 3 when unset, at most 60 in the WeChat console). */
  timeout?: number;
  /** Cloud calls it may make: `{ openapi: ['subscribeMessage.send', …] }` (else -604101). */
  permissions?: { openapi?: string[] };
  [k: string]: unknown;
}

/**
 * Each function's config.json: cloudfunctions/<name>/config.json, else the built bundle's
 * (build/cloudfunctions/<name>/config.json, what WeChat DevTools uploads).
 */
export function readFunctionConfigs(root: string, names: string[]): Record<string, FunctionConfig> {
  const out: Record<string, FunctionConfig> = {};
  for (const n of names) {
    for (const p of [path.join(root, 'cloudfunctions', n, 'config.json'), path.join(root, 'build', 'cloudfunctions', n, 'config.json')]) {
      if (fs.existsSync(p)) {
        out[n] = JSON.parse(fs.readFileSync(p, 'utf8')) as FunctionConfig;
        break;
      }
    }
  }
  return out;
}

const UTC8 = 8 * 3600_000;

export interface Cron {
  source: string;
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  years: Set<number> | null;
  dayStar: boolean;
  weekdayStar: boolean;
}

function parseField(text: string, min: number, max: number, what: string): { values: number[]; star: boolean } {
  const out = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`cron ${what}: cannot read "${part}"`);
    let lo = min;
    let hi = max;
    if (m[1] === '*') {
      if (!m[2]) star = true;
    } else {
      const [a, b] = m[1].split('-').map(Number);
      lo = a;
      hi = b === undefined ? (m[2] ? max : a) : b;
    }
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) throw new Error(`cron ${what}: step must be ≥ 1`);
    if (lo < min || hi > max || lo > hi) throw new Error(`cron ${what}: "${part}" is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return { values: [...out].sort((a, b) => a - b), star };
}

export function parseCron(expr: string): Cron {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 7) throw new Error(`cron "${expr}": WeChat timer triggers need 7 fields (second minute hour day month weekday year), got ${f.length}`);
  const sec = parseField(f[0], 0, 59, 'second');
  const min = parseField(f[1], 0, 59, 'minute');
  const hour = parseField(f[2], 0, 23, 'hour');
  const day = parseField(f[3], 1, 31, 'day');
  const month = parseField(f[4], 1, 12, 'month');
  const wd = parseField(f[5], 0, 6, 'weekday');
  const year = parseField(f[6], 1970, 2099, 'year');
  return {
    source: expr,
    seconds: sec.values,
    minutes: min.values,
    hours: hour.values,
    days: new Set(day.values),
    months: new Set(month.values),
    weekdays: new Set(wd.values),
    years: year.star ? null : new Set(year.values),
    dayStar: day.star,
    weekdayStar: wd.star,
  };
}

function dayMatches(c: Cron, y: number, mo: number, d: number, wd: number): boolean {
  if (c.years && !c.years.has(y)) return false;
  if (!c.months.has(mo)) return false;
  if (c.dayStar && c.weekdayStar) return true;
  if (c.dayStar) return c.weekdays.has(wd);
  if (c.weekdayStar) return c.days.has(d);
  return c.days.has(d) || c.weekdays.has(wd);
}

/** The first firing time (epoch ms, whole second) strictly after `afterMs`, or null within ~5 years. */
export function nextFiring(c: Cron, afterMs: number): number | null {
  const start = Math.floor(afterMs / 1000) * 1000 + 1000; // next whole second
  const local = new Date(start + UTC8);
  let dayStartUtc = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - UTC8;
  for (let i = 0; i < 366 * 5; i++, dayStartUtc += 86_400_000) {
    const l = new Date(dayStartUtc + UTC8);
    if (!dayMatches(c, l.getUTCFullYear(), l.getUTCMonth() + 1, l.getUTCDate(), l.getUTCDay())) continue;
    for (const h of c.hours) {
      const hBase = dayStartUtc + h * 3600_000;
      if (hBase + 3600_000 <= start) continue;
      for (const m of c.minutes) {
        const mBase = hBase + m * 60_000;
        if (mBase + 60_000 <= start) continue;
        for (const s of c.seconds) {
          const t = mBase + s * 1000;
          if (t >= start) return t;
        }
      }
    }
  }
  return null;
}

interface Scheduled {
  fn: string;
  trigger: TriggerConfig;
  cron: Cron;
  next: number | null;
}

export interface TimerRun {
  fn: string;
  trigger: string;
  time: string;
  attempts: number;
  result?: unknown;
  error?: string;
}

export class TimerScheduler {
  private scheduled: Scheduled[] = [];
  private interval: NodeJS.Timeout | null = null;
  private running = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  private lastTick = 0;
  readonly runs: TimerRun[] = [];
  /** Delay between the retries of a failed run (ms). */
  retryDelayMs = 1000;

  constructor(private cloud: LocalCloud) {
    for (const [fn, cfg] of Object.entries(cloud.functionConfigs)) {
      for (const t of cfg.triggers ?? []) {
        if (t.type !== 'timer') continue;
        if (!/^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(t.name)) throw new Error(`${fn}/config.json: trigger name "${t.name}" must match [A-Za-z][A-Za-z0-9_-]{0,59}`);
        this.scheduled.push({ fn, trigger: t, cron: parseCron(t.config), next: null });
      }
    }
  }

  list(): Array<{ fn: string; trigger: string; config: string; next: string | null }> {
    return this.scheduled.map((s) => ({
      fn: s.fn,
      trigger: s.trigger.name,
      config: s.trigger.config,
      next: s.next === null ? null : new Date(s.next).toISOString(),
    }));
  }

  /** Fire timers automatically as the (local) clock reaches them. */
  start(): void {
    if (this.interval) return;
    const now = this.cloud.clock.now();
    for (const s of this.scheduled) s.next = nextFiring(s.cron, now);
    this.interval = setInterval(() => void this.tick(), 1000);
    this.interval.unref?.();
    // Moves of the clock through the gateway or testing call tick() themselves (and wait for the runs);
    // any other move is picked up within a second.
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Run every timer whose time has come (coalescing missed firings). Returns the runs started. */
  async tick(): Promise<TimerRun[]> {
    const now = this.cloud.clock.now();
    if (now < this.lastTick) for (const s of this.scheduled) s.next = nextFiring(s.cron, now); // the clock went back
    this.lastTick = now;
    const due: Array<Promise<TimerRun>> = [];
    for (const s of this.scheduled) {
      if (s.next === null) s.next = nextFiring(s.cron, now - 1000);
      if (s.next !== null && s.next <= now) {
        const at = s.next;
        s.next = nextFiring(s.cron, now);
        if (this.running.has(s.fn)) continue; // the previous run is still going
        due.push(this.fire(s.fn, at, s.trigger.name));
      }
    }
    return Promise.all(due);
  }

  /** Fire a function's timer now (as the trigger would), with the cloud's two retries on failure. */
  async fire(fn: string, at = this.cloud.clock.now(), triggerName?: string): Promise<TimerRun> {
    const s = this.scheduled.find((x) => x.fn === fn);
    const name = triggerName ?? s?.trigger.name ?? 'timer';
    const time = new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const run: TimerRun = { fn, trigger: name, time, attempts: 0 };
    this.running.add(fn);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        run.attempts = attempt + 1;
        try {
          run.result = await this.cloud.invoke(fn, { Type: 'timer', TriggerName: name, Time: time, Message: '' }, { SOURCE: 'wx_trigger' });
          delete run.error;
          break;
        } catch (e) {
          run.error = (e as Error)?.stack ?? String(e);
          this.cloud.log(`[localcloud] timer ${fn}/${name} run ${attempt + 1} failed: ${run.error}`);
          if (attempt < 2 && this.retryDelayMs > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs));
          if (this.cloud.isClosed) break;
        }
      }
    } finally {
      this.running.delete(fn);
    }
    this.runs.push(run);
    if (this.runs.length > 200) this.runs.shift();
    return run;
  }
}
