/**
 * The one clock every server module reads: epoch milliseconds.
 *
 * In the cloud this is `Date.now()`. The local runtime (localcloud/) installs a movable clock through
 * `globalThis.__localcloudClock` so tests and demos can move time (unpaid-order timeouts, the 7-day
 * auto-confirm, the 22:00 release). The emulator's `db.serverDate()` and its timers read the same clock.
 */
export interface ClockHook {
  now(): number;
}

export function now(): number {
  const hook = (globalThis as { __localcloudClock?: ClockHook }).__localcloudClock;
  return hook ? hook.now() : Date.now();
}
