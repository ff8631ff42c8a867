/**
 * The local runtime's movable clock. Installed as globalThis.__localcloudClock, which server/clock.ts's
 * now() reads; db.serverDate() and the timers use it too. Time flows normally from the set point
 * unless frozen.
 */
export class LocalClock {
  private offset = 0;
  private fixed: number | null = null;
  private listeners = new Set<(now: number) => void>();

  now(): number {
    return this.fixed ?? Date.now() + this.offset;
  }

  get frozen(): boolean {
    return this.fixed !== null;
  }

  /** Move time forward (or back, with a negative amount). */
  advance(ms: number): number {
    if (!Number.isFinite(ms)) throw new Error('advance: ms must be a number');
    if (this.fixed !== null) this.fixed += ms;
    else this.offset += ms;
    this.changed();
    return this.now();
  }

  /** Set the current time; it keeps flowing from there unless `frozen`. */
  set(ms: number, frozen = this.fixed !== null): number {
    if (!Number.isFinite(ms)) throw new Error('set: ms must be a number');
    if (frozen) this.fixed = ms;
    else {
      this.fixed = null;
      this.offset = ms - Date.now();
    }
    this.changed();
    return this.now();
  }

  freeze(): void {
    this.fixed = this.now();
  }

  unfreeze(): void {
    if (this.fixed === null) return;
    this.offset = this.fixed - Date.now();
    this.fixed = null;
  }

  /** Back to the system clock. */
  reset(): void {
    this.fixed = null;
    this.offset = 0;
    this.changed();
  }

  onChange(f: (now: number) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private changed() {
    const n = this.now();
    for (const f of this.listeners) f(n);
  }

  describe() {
    return { now: this.now(), iso: new Date(this.now()).toISOString(), offsetMs: this.fixed === null ? this.offset : this.fixed - Date.now(), frozen: this.frozen };
  }
}
