/**
 * The daily release (SPEC §5) in O(1) writes per release and per holder change (DESIGN "The daily
 * release in O(1) writes", after Liquity's stability pool).
 *
 * Every release multiplies every holder's shared value by the same factor f = 1 − R·P/T and pays
 * each holder R/T points per unit of SV held. So one global product Π (of the factors) and one
 * global sum Σ (of R/T·Π) describe what happened to everyone; a holder keeps only a snapshot
 * (sv0, Π0, Σ0) from its last change:
 *     current SV       = sv0 · Π / Π0
 *     unclaimed points = sv0 · (Σ − Σ0) / Π0
 * and T = Π · W where W = Σ sv0/Π0 over the epoch's holders, maintained by deltas.
 *
 * Two refinements the plain formulas need:
 * - Epochs. When a release consumes all SV (R·P ≥ T) Π would become 0; instead the epoch ends, its
 *   final Σ is stored, and a new epoch starts at Π = 1. Holders from an ended epoch have SV 0.
 * - Σ segments ("scale" in Liquity). Σ adds terms proportional to Π, and Π can shrink by many orders
 *   of magnitude in one epoch (a quiet platform where T stays just above R·P loses a factor 10 a day).
 *   Late terms would then vanish below Σ's 60 significant digits and late holders would receive
 *   nothing. So Σ restarts from 0 each time Π crosses another factor SEGMENT_FACTOR (1e-18); the
 *   closed segment's Σ is stored. A holder needs its own segment and the next one; beyond that its
 *   SV has shrunk below 1e-18 of sv0, and what it could still earn is below 1e-16 points per unit
 *   of sv0, left in the pool. Π and W themselves stay in true units: decimal.js keeps 60 significant
 *   digits at any exponent, so a product of 1e-2000 is as precise as 0.5.
 *
 * Rounding (SPEC §2, §5): a holder is credited floor2 of what it is owed; the remainder (< 0.01)
 * is carried in its snapshot and paid at a later settlement, so rounding costs a holder at most
 * 0.01 in total, and the pool always holds at least what is owed.
 */
import { D, Dec, DecInput, dec, floor2, formatPoints, minDec, parseAmount, ZERO } from './decimal';
import type { Params } from './params';

/** Π below this power of ten starts a new Σ segment. */
export const SEGMENT_FACTOR: Dec = new D('1e-18');
/**
 * Decimal places kept when T is read and before a holder's due points are floored. Computation noise
 * is below 1e-30 for any realistic holder; without this, a share that is exactly 8.88 could come
 * out as 8.8799…9 and be floored to 8.87. Snapping cannot over-credit in total: the release is a
 * multiple of 0.01, so the credits (also multiples of 0.01) could only exceed it by a whole 0.01.
 */
export const SNAP_DECIMALS = 20;

const ONE: Dec = new D(1);

function snap(x: Dec): Dec {
  return x.toDecimalPlaces(SNAP_DECIMALS, D.ROUND_HALF_EVEN);
}

/**
 * Shared value as a holder is shown it (SPEC §2: what is held is shown rounded down to 0.01), after the same
 * snap as T: sv0·Π/Π0 at 60 digits can come out as 982.2399…9 for an exact 982.24, which a plain floor would
 * show as 982.23. The stored figures stay exact; only the display is snapped.
 */
export function svShown(x: DecInput): string {
  return formatPoints(snap(dec(x)));
}

/** Global release state, one document. Decimals as full-precision strings. */
export interface ReleaseState {
  epoch: number;
  /** Π: product of the epoch's release factors so far (1 at the epoch's start). */
  product: string;
  /** Σ of the current segment (epoch, scale). */
  sum: string;
  /** W = Σ sv0/Π0 over the epoch's holders (the sum of the weight shards). */
  weight: string;
  /** Points released so far, all epochs (a multiple of 0.01). */
  released: string;
  /** Σ segment inside the epoch (see the file comment). Absent = 0. */
  scale?: number;
  /** Releases applied so far, counting days that released nothing. Absent = 0. */
  seq?: number;
}

/** A holder's state as of its last change. */
export interface HolderSnapshot {
  sv0: string;
  product0: string;
  sum0: string;
  epoch0: number;
  /** Absent = 0. */
  scale0?: number;
  /** state.seq when taken: the snapshot describes the holder for releases with seq > seq0. Absent = 0. */
  seq0?: number;
  /** Points owed but not yet credited because credits are whole 0.01s (< 0.01). Absent = '0'. */
  carry?: string;
}

export interface SegmentRef {
  epoch: number;
  scale: number;
}

/** A closed Σ segment to store (keyed by `segmentKey`). */
export interface ClosedSum extends SegmentRef {
  sum: string;
}

/**
 * The final Σ of a closed segment, or undefined if the segment never existed (an epoch that ended
 * in its first segment has no next one). The caller pre-loads the refs from `neededSums`.
 */
export type SumLookup = (at: SegmentRef) => string | undefined;

export function segmentKey(at: SegmentRef): string {
  return `${at.epoch}:${at.scale}`;
}

export function initialReleaseState(): Required<ReleaseState> {
  return { epoch: 0, product: '1', sum: '0', weight: '0', released: '0', scale: 0, seq: 0 };
}

/** R for the next release: releasePerDay, or what is left of releaseTotal (never negative). */
export function scheduledRelease(input: { params: Pick<Params, 'releasePerDay' | 'releaseTotal'>; releasedSoFar: DecInput }): Dec {
  const left = new D(input.params.releaseTotal).minus(dec(input.releasedSoFar));
  const r = minDec(input.params.releasePerDay, left);
  return r.isNegative() ? ZERO : r;
}

/** T, the network's total SV, as the release reads it. */
export function totalSv(state: ReleaseState): Dec {
  const t = snap(new D(state.product).times(state.weight));
  return t.isNegative() || t.isZero() ? ZERO : t;
}

export interface ReleaseDay {
  /** The release's number (state.seq after it). */
  seq: number;
  /** Total SV before the release. */
  T: string;
  /** Scheduled release. */
  R: string;
  /** Guide price, fen per point. */
  P: number;
  /** Actually released: R; T ÷ P floored to 0.01 when that is less (the epoch ends); 0 when T = 0. */
  released: string;
  /** SV consumed across all holders: released × P, or all of T when the epoch ends. */
  svConsumed: string;
  /** Total released after this day. */
  releasedTotal: string;
  epochBefore: number;
  scaleBefore: number;
  productBefore: string;
  /** Π of epochBefore after the release; '0' when the epoch ended. */
  productAfter: string;
  sumBefore: string;
  /** Σ of segment (epochBefore, scaleBefore) after the release (the value stored if it closed). */
  sumAfter: string;
  newEpoch: boolean;
  /** When the epoch ended: its final Σ (also in closedSums). */
  endedEpochSum?: string;
  /** Segments closed by this release: store every one under segmentKey. */
  closedSums: ClosedSum[];
  /** The global state right after this release: where SV credited late for this day joins (`joinSnapshot`). */
  after: JoinPoint;
}

/** Where the global state stood right after a release. */
export interface JoinPoint {
  epoch: number;
  product: string;
  sum: string;
  scale: number;
  seq: number;
}

function joinPointOf(s: Required<ReleaseState>): JoinPoint {
  return { epoch: s.epoch, product: s.product, sum: s.sum, scale: s.scale, seq: s.seq };
}

/**
 * SV credited after a day's release time but before that release ran (a late or missed timer): SPEC §5 says it
 * takes no part in that day, so it waits here and joins the holder's SV right after the day's release.
 */
export interface PendingSv {
  /** The business day whose release it waits for. */
  day: string;
  /** Exact SV. */
  sv: string;
}

/** A pending credit as a snapshot taken right after the release it waited for. */
export function joinSnapshot(sv: DecInput, at: JoinPoint): Required<HolderSnapshot> {
  return { sv0: dec(sv).toString(), product0: at.product, sum0: at.sum, epoch0: at.epoch, scale0: at.scale, seq0: at.seq, carry: '0' };
}

/**
 * One day's release on the global state: O(1), no holder is touched. The caller stores the new
 * state (its weight is the new total W: '0' after an epoch ended, else unchanged) and every closed sum.
 */
export function applyRelease(state: ReleaseState, input: { R: DecInput; P: number }): { state: Required<ReleaseState>; day: ReleaseDay } {
  const R = parseAmount(typeof input.R === 'object' ? input.R.toString() : input.R, { field: '释放量' });
  if (!Number.isSafeInteger(input.P) || input.P <= 0) throw new Error(`guide price must be a positive integer of fen: ${String(input.P)}`);
  const P = input.P;
  const price = new D(P).div(100);
  const epoch = state.epoch;
  const scale = state.scale ?? 0;
  const seq = (state.seq ?? 0) + 1;
  const product = new D(state.product);
  const sum = new D(state.sum);
  const released = new D(state.released);
  const T = totalSv(state);

  const base = {
    seq,
    T: T.toString(),
    R: R.toString(),
    P,
    epochBefore: epoch,
    scaleBefore: scale,
    productBefore: state.product,
    sumBefore: state.sum,
  };

  if (T.isZero() || R.isZero()) {
    const next = { epoch, product: state.product, sum: state.sum, weight: state.weight, released: state.released, scale, seq };
    return {
      state: next,
      day: { ...base, released: '0', svConsumed: '0', releasedTotal: released.toString(), productAfter: state.product, sumAfter: state.sum, newEpoch: false, closedSums: [], after: joinPointOf(next) },
    };
  }

  const worth = R.times(price);
  if (worth.gte(T)) {
    // All SV is consumed: release only what it pays for, and start a new epoch.
    const out = floor2(T.div(price));
    const sumAfter = sum.plus(out.div(T).times(product));
    const ended: ClosedSum = { epoch, scale, sum: sumAfter.toString() };
    const releasedTotal = released.plus(out);
    const nextState = { epoch: epoch + 1, product: '1', sum: '0', weight: '0', released: releasedTotal.toString(), scale: 0, seq };
    return {
      state: nextState,
      day: {
        after: joinPointOf(nextState),
        ...base,
        released: out.toString(),
        svConsumed: T.toString(),
        releasedTotal: releasedTotal.toString(),
        productAfter: '0',
        sumAfter: ended.sum,
        newEpoch: true,
        endedEpochSum: ended.sum,
        closedSums: [ended],
      },
    };
  }

  const sumAfter = sum.plus(R.div(T).times(product));
  // (T − R·P)/T rather than 1 − R·P/T: the subtraction is exact, so f > 0 whenever T > R·P.
  const productAfter = product.times(T.minus(worth)).div(T);
  const closedSums: ClosedSum[] = [];
  let nextScale = scale;
  let nextSum = sumAfter;
  if (productAfter.lt(SEGMENT_FACTOR.pow(scale + 1))) {
    closedSums.push({ epoch, scale, sum: sumAfter.toString() });
    nextScale = scale + 1;
    // A single day can cross several thresholds; the skipped segments had no release.
    while (productAfter.lt(SEGMENT_FACTOR.pow(nextScale + 1))) {
      closedSums.push({ epoch, scale: nextScale, sum: '0' });
      nextScale++;
    }
    nextSum = ZERO;
  }
  const releasedTotal = released.plus(R);
  const nextState = { epoch, product: productAfter.toString(), sum: nextSum.toString(), weight: state.weight, released: releasedTotal.toString(), scale: nextScale, seq };
  return {
    state: nextState,
    day: {
      after: joinPointOf(nextState),
      ...base,
      released: R.toString(),
      svConsumed: worth.toString(),
      releasedTotal: releasedTotal.toString(),
      productAfter: productAfter.toString(),
      sumAfter: sumAfter.toString(),
      newEpoch: false,
      closedSums,
    },
  };
}

/** The closed segments `holderPosition` may ask the lookup for (0 to 2), to pre-load them. */
export function neededSums(snapshot: HolderSnapshot, state: ReleaseState): SegmentRef[] {
  if (new D(snapshot.sv0).isZero()) return [];
  const s0 = snapshot.scale0 ?? 0;
  const scale = state.scale ?? 0;
  if (snapshot.epoch0 === state.epoch && s0 === scale) return [];
  const refs: SegmentRef[] = [{ epoch: snapshot.epoch0, scale: s0 }];
  if (!(snapshot.epoch0 === state.epoch && s0 + 1 === scale)) refs.push({ epoch: snapshot.epoch0, scale: s0 + 1 });
  return refs;
}

export interface HolderPosition {
  /** Current SV, exact. */
  sv: Dec;
  /** Points owed and not yet credited (including the carry), exact. */
  unclaimed: Dec;
}

/** Where a holder stands now, from its snapshot and the global state; nothing is written. */
export function holderPosition(snapshot: HolderSnapshot, state: ReleaseState, sums: SumLookup): HolderPosition {
  const carry = new D(snapshot.carry ?? '0');
  const sv0 = new D(snapshot.sv0);
  if (sv0.isZero()) return { sv: ZERO, unclaimed: carry };
  const product0 = new D(snapshot.product0);
  const sum0 = new D(snapshot.sum0);
  const s0 = snapshot.scale0 ?? 0;
  const scale = state.scale ?? 0;
  const sameEpoch = snapshot.epoch0 === state.epoch;

  if (sameEpoch && (snapshot.seq0 ?? 0) === (state.seq ?? 0)) {
    // no release since the snapshot: the SV is exactly what was credited (sv0·Π/Π0 could drift by 1e-60)
    return { sv: sv0, unclaimed: carry };
  }
  if (sameEpoch && s0 === scale) {
    return {
      sv: sv0.times(state.product).div(product0),
      unclaimed: carry.plus(sv0.times(new D(state.sum).minus(sum0)).div(product0)),
    };
  }
  const own = sums({ epoch: snapshot.epoch0, scale: s0 });
  if (own === undefined) throw new Error(`release: missing Σ of segment ${segmentKey({ epoch: snapshot.epoch0, scale: s0 })}`);
  let gained = new D(own).minus(sum0);
  if (sameEpoch && s0 + 1 === scale) gained = gained.plus(state.sum);
  else gained = gained.plus(sums({ epoch: snapshot.epoch0, scale: s0 + 1 }) ?? '0');
  return {
    // Across segments the formula is still exact for SV (Π is in true units); it is 0 once the epoch ended.
    sv: sameEpoch ? sv0.times(state.product).div(product0) : ZERO,
    unclaimed: carry.plus(sv0.times(gained).div(product0)),
  };
}

/** This holder's term of W under the current epoch (0 if its snapshot is from an ended epoch). */
export function weightTerm(snapshot: HolderSnapshot, state: ReleaseState): Dec {
  if (snapshot.epoch0 !== state.epoch) return ZERO;
  const sv0 = new D(snapshot.sv0);
  return sv0.isZero() ? ZERO : sv0.div(snapshot.product0);
}

/** What to add to W when a holder's snapshot is replaced. */
export function weightDelta(before: HolderSnapshot, after: HolderSnapshot, state: ReleaseState): Dec {
  return weightTerm(after, state).minus(weightTerm(before, state));
}

function snapshotOf(state: ReleaseState, sv: Dec, carry: Dec): Required<HolderSnapshot> {
  return {
    sv0: sv.toString(),
    product0: state.product,
    sum0: state.sum,
    epoch0: state.epoch,
    scale0: state.scale ?? 0,
    seq0: state.seq ?? 0,
    carry: carry.toString(),
  };
}

/** The snapshot of a holder with nothing yet. */
export function newHolderSnapshot(state: ReleaseState): Required<HolderSnapshot> {
  return snapshotOf(state, ZERO, ZERO);
}

export interface Settlement {
  /** The re-taken snapshot to store. */
  snapshot: Required<HolderSnapshot>;
  /** Points to move from the release pool to the holder (floor2 of what is owed). */
  credit: Dec;
  /** Current SV. */
  sv: Dec;
  /** Add to W (in the same transaction); ~0 for a settlement alone. */
  weightDelta: Dec;
}

/** Credits what the holder is owed (whole 0.01s) and re-snapshots it. */
export function settleHolder(snapshot: HolderSnapshot, state: ReleaseState, sums: SumLookup): Settlement {
  const pos = holderPosition(snapshot, state, sums);
  const owed = snap(pos.unclaimed);
  const credit = floor2(owed);
  const next = snapshotOf(state, pos.sv, owed.minus(credit));
  return { snapshot: next, credit, sv: pos.sv, weightDelta: weightDelta(snapshot, next, state) };
}

/**
 * A holder made of several snapshots: its own, plus pending credits that have joined since (each a
 * `joinSnapshot`, with its own lookup). Credits what they are owed together (one floor, the carry is the
 * holder's) and folds them into one snapshot. `weightDelta` replaces every component's term of W; `counted`
 * is how many of them the W shards count as a holder with SV (to take off before counting the result).
 */
export function settleComponents(parts: { snapshot: HolderSnapshot; sums: SumLookup }[], state: ReleaseState): Settlement & { counted: number } {
  let sv = ZERO;
  let unclaimed = ZERO;
  let before = ZERO;
  let counted = 0;
  for (const p of parts) {
    const pos = holderPosition(p.snapshot, state, p.sums);
    sv = sv.plus(pos.sv);
    unclaimed = unclaimed.plus(pos.unclaimed);
    const term = weightTerm(p.snapshot, state);
    before = before.plus(term);
    if (term.gt(0)) counted++;
  }
  const owed = snap(unclaimed);
  const credit = floor2(owed);
  const next = snapshotOf(state, sv, owed.minus(credit));
  return { snapshot: next, credit, sv, weightDelta: weightTerm(next, state).minus(before), counted };
}

/** Settles the holder, then adds `sv` to its shared value (an order's settlement, SPEC §4). */
export function addSv(snapshot: HolderSnapshot, state: ReleaseState, sums: SumLookup, sv: DecInput): Settlement {
  const add = dec(sv);
  if (!add.isFinite() || add.isNegative()) throw new Error(`shared value to add must be ≥ 0: ${add.toString()}`);
  const settled = settleHolder(snapshot, state, sums);
  const total = settled.sv.plus(add);
  const next = snapshotOf(state, total, new D(settled.snapshot.carry));
  return { snapshot: next, credit: settled.credit, sv: total, weightDelta: weightDelta(snapshot, next, state) };
}

export interface StatementLine {
  seq: number;
  day?: string;
  T: string;
  R: string;
  P: number;
  released: string;
  /** The holder's SV just before the release. */
  svBefore: Dec;
  /** Points this release gave the holder, exact (credited later, floored, at its next settlement). */
  points: Dec;
  svConsumed: Dec;
  svAfter: Dec;
}

export type StatementDay = Pick<ReleaseDay, 'seq' | 'T' | 'R' | 'P' | 'released' | 'epochBefore' | 'productBefore' | 'productAfter' | 'newEpoch'> & { day?: string };

/** A snapshot from a holder's history with the pending credits that join after it (each a `joinSnapshot`). */
export type StatementSnapshot = HolderSnapshot & { joins?: HolderSnapshot[] };

/**
 * A holder's statement day by day (SPEC §5: what it received, the SV that consumed, T, R and P),
 * from the release days (any order) and the holder's snapshots in the order they were taken. The
 * snapshot in force for a release is the latest with seq0 < the release's seq (several snapshots
 * between two releases share a seq0: the last given wins, so keep them in order); its pending credits
 * count from the release after the one they waited for. Days before the first snapshot are omitted.
 */
export function holderStatement(snapshots: StatementSnapshot[], days: StatementDay[]): StatementLine[] {
  const history = [...snapshots].sort((a, b) => (a.seq0 ?? 0) - (b.seq0 ?? 0));
  const ordered = [...days].sort((a, b) => a.seq - b.seq);
  const lines: StatementLine[] = [];
  let i = -1;
  for (const d of ordered) {
    while (i + 1 < history.length && (history[i + 1].seq0 ?? 0) < d.seq) i++;
    if (i < 0) continue;
    const s = history[i];
    // the components in force: SV before and after each release is sv0/Π0 times Π, summed
    const parts = [s, ...(s.joins ?? []).filter((j) => (j.seq0 ?? 0) < d.seq)];
    let perProduct = ZERO;
    for (const c of parts) if (c.epoch0 === d.epochBefore && !new D(c.sv0).isZero()) perProduct = perProduct.plus(new D(c.sv0).div(c.product0));
    const live = !perProduct.isZero();
    const svBefore = live ? perProduct.times(d.productBefore) : ZERO;
    let points = ZERO;
    let svAfter = svBefore;
    if (live && !new D(d.released).isZero() && !new D(d.T).isZero()) {
      points = svBefore.times(d.released).div(d.T);
      svAfter = d.newEpoch ? ZERO : perProduct.times(d.productAfter);
    } else if (live && d.newEpoch) {
      svAfter = ZERO;
    }
    lines.push({ seq: d.seq, day: d.day, T: d.T, R: d.R, P: d.P, released: d.released, svBefore, points, svConsumed: svBefore.minus(svAfter), svAfter });
  }
  return lines;
}
