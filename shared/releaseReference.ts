/**
 * The daily release done the obvious way: every holder, every day, straight from SPEC §5. Too slow
 * for production (it writes every holder), it exists so tests can hold the O(1) form of
 * release.ts against the rules themselves.
 */
import { D, Dec, DecInput, dec, floor2, ZERO } from './decimal';
import { SNAP_DECIMALS } from './release';

export interface ReferenceHolder {
  /** Current shared value, exact. */
  sv: Dec;
  /** Points the releases gave this holder, exact, in total. */
  received: Dec;
  /** SV consumed by releases, in total. */
  consumed: Dec;
}

export interface ReferenceDay {
  T: Dec;
  R: Dec;
  released: Dec;
  newEpoch: boolean;
}

export class ReleaseReference {
  readonly holders = new Map<string, ReferenceHolder>();
  released: Dec = ZERO;

  holder(id: string): ReferenceHolder {
    let h = this.holders.get(id);
    if (!h) {
      h = { sv: ZERO, received: ZERO, consumed: ZERO };
      this.holders.set(id, h);
    }
    return h;
  }

  addSv(id: string, sv: DecInput): void {
    const h = this.holder(id);
    h.sv = h.sv.plus(dec(sv));
  }

  totalSv(): Dec {
    let t = ZERO;
    for (const h of this.holders.values()) t = t.plus(h.sv);
    // T is read at the same resolution as the O(1) form reads it.
    return t.toDecimalPlaces(SNAP_DECIMALS, D.ROUND_HALF_EVEN);
  }

  /** One release of R points at guide price P fen. */
  release(R: DecInput, P: number): ReferenceDay {
    const r = dec(R);
    const price = new D(P).div(100);
    const T = this.totalSv();
    if (T.lte(0) || r.isZero()) return { T, R: r, released: ZERO, newEpoch: false };
    // "If R × P > T, only T ÷ P points are released, every holder's SV goes to zero" (in whole 0.01s).
    const newEpoch = r.times(price).gte(T);
    const out = newEpoch ? floor2(T.div(price)) : r;
    const perSv = out.div(T);
    for (const h of this.holders.values()) {
      if (h.sv.isZero()) continue;
      // 当日个人共享值 ÷ 当日全网共享值 × 每日释放共享积分
      const points = h.sv.times(perSv);
      // 当日获得共享积分数 × 当日共享积分价值 = 个人消耗的共享值
      const used = newEpoch ? h.sv : points.times(price);
      h.received = h.received.plus(points);
      h.consumed = h.consumed.plus(used);
      h.sv = h.sv.minus(used);
    }
    this.released = this.released.plus(out);
    return { T, R: r, released: out, newEpoch };
  }
}
