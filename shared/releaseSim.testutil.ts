/**
 * Test support: the O(1) release driven the way server/holders.ts and server/release.ts drive it
 * (one state document, one snapshot per holder, closed Σ segments stored by key), kept in memory.
 */
import { D, Dec, DecInput, ZERO } from './decimal';
import {
  addSv,
  applyRelease,
  HolderSnapshot,
  holderPosition,
  initialReleaseState,
  neededSums,
  newHolderSnapshot,
  ReleaseDay,
  ReleaseState,
  segmentKey,
  settleHolder,
  Settlement,
  SumLookup,
  weightTerm,
} from './release';

export class O1Release {
  state: Required<ReleaseState> = initialReleaseState();
  readonly snapshots = new Map<string, HolderSnapshot>();
  /** Every snapshot each holder ever had, for statements. */
  readonly history = new Map<string, HolderSnapshot[]>();
  readonly sums = new Map<string, string>();
  readonly credited = new Map<string, Dec>();
  readonly days: ReleaseDay[] = [];
  settlements = 0;

  /** A lookup that also checks it is only asked for what neededSums announced. */
  lookupFor(snapshot: HolderSnapshot): SumLookup {
    const allowed = new Set(neededSums(snapshot, this.state).map(segmentKey));
    return (at) => {
      const key = segmentKey(at);
      if (!allowed.has(key)) throw new Error(`lookup of ${key} not announced by neededSums`);
      return this.sums.get(key);
    };
  }

  snapshot(id: string): HolderSnapshot {
    return this.snapshots.get(id) ?? newHolderSnapshot(this.state);
  }

  private apply(id: string, r: Settlement): Settlement {
    this.snapshots.set(id, r.snapshot);
    const h = this.history.get(id) ?? [];
    h.push(r.snapshot);
    this.history.set(id, h);
    this.state = { ...this.state, weight: new D(this.state.weight).plus(r.weightDelta).toString() };
    this.credited.set(id, (this.credited.get(id) ?? ZERO).plus(r.credit));
    this.settlements++;
    return r;
  }

  addSv(id: string, sv: DecInput): Settlement {
    const s = this.snapshot(id);
    return this.apply(id, addSv(s, this.state, this.lookupFor(s), sv));
  }

  settle(id: string): Settlement {
    const s = this.snapshot(id);
    return this.apply(id, settleHolder(s, this.state, this.lookupFor(s)));
  }

  release(R: DecInput, P: number): ReleaseDay {
    const { state, day } = applyRelease(this.state, { R, P });
    for (const c of day.closedSums) {
      const key = segmentKey(c);
      if (this.sums.has(key)) throw new Error(`segment ${key} closed twice`);
      this.sums.set(key, c.sum);
    }
    this.state = state;
    this.days.push(day);
    return day;
  }

  position(id: string) {
    const s = this.snapshot(id);
    return holderPosition(s, this.state, this.lookupFor(s));
  }

  totalCredited(): Dec {
    let t = ZERO;
    for (const c of this.credited.values()) t = t.plus(c);
    return t;
  }

  /** W recomputed from the snapshots: must equal the maintained W. */
  weightFromSnapshots(): Dec {
    let w = ZERO;
    for (const s of this.snapshots.values()) w = w.plus(weightTerm(s, this.state));
    return w;
  }
}
