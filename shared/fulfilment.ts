/**
 * How a goods order reaches the buyer (issue 15), pure rules shared by the server and the app.
 *
 * - `dinein`: eaten or handed over at the counter: the order is paid and completed at once, like an in-store
 *   payment (SPEC §4.4 "at once").
 * - `pickup`: the buyer collects it; the store completes it by typing or scanning the buyer's pickup code
 *   (the buyer's confirmation of receipt, given in person).
 * - `delivery`: shipped to an address with a carrier and tracking number; the buyer confirms receipt, or it
 *   is confirmed `autoConfirmDays` after shipping.
 *
 * A store offers a set of modes; a product may narrow it (a noodle bowl is not shipped). An order's mode must
 * be one that the store and every product in it offer.
 */
import type { Address, FulfilmentMode } from './api';

export const FULFILMENT_MODES: readonly FulfilmentMode[] = ['delivery', 'pickup', 'dinein'];

export const FULFILMENT_LABELS: Record<FulfilmentMode, string> = { delivery: '快递配送', pickup: '到店自提', dinein: '堂食/现场' };

/** A store that never chose keeps what every store did before modes existed: shipping. */
export const DEFAULT_STORE_MODES: readonly FulfilmentMode[] = ['delivery'];

export function isFulfilmentMode(x: unknown): x is FulfilmentMode {
  return typeof x === 'string' && (FULFILMENT_MODES as readonly string[]).includes(x);
}

/** Validates a list of modes (no duplicates, at least one), in the canonical order. Returns null when invalid. */
export function normalizeModes(raw: unknown): FulfilmentMode[] | null {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > FULFILMENT_MODES.length) return null;
  if (!raw.every(isFulfilmentMode) || new Set(raw).size !== raw.length) return null;
  return FULFILMENT_MODES.filter((m) => raw.includes(m));
}

/** The modes an order of these products may use: the store's, narrowed by each product that sets its own. */
export function allowedModes(storeModes: readonly FulfilmentMode[] | undefined | null, productModes: (readonly FulfilmentMode[] | undefined | null)[]): FulfilmentMode[] {
  const store = storeModes && storeModes.length ? storeModes : DEFAULT_STORE_MODES;
  return FULFILMENT_MODES.filter((m) => store.includes(m) && productModes.every((pm) => !pm || pm.length === 0 || pm.includes(m)));
}

/** Orders that settle in the payment's own transaction: in-store payments and dine-in goods. */
export function settlesOnPayment(kind: 'goods' | 'instore', fulfilment: FulfilmentMode | null | undefined): boolean {
  return kind === 'instore' || fulfilment === 'dinein';
}

/** Orders that the store ships (and the timer auto-confirms from shipping). */
export function needsShipping(kind: 'goods' | 'instore', fulfilment: FulfilmentMode | null | undefined): boolean {
  return kind === 'goods' && (fulfilment ?? 'delivery') === 'delivery';
}

export const PICKUP_CODE_RE = /^\d{6}$/;

/** A pickup code from a random integer in [0, 1e6): six digits, leading zeros kept. */
export function pickupCodeOf(n: number): string {
  return String(Math.abs(Math.trunc(n)) % 1_000_000).padStart(6, '0');
}

/** What a store's scanner reads from the buyer's pickup QR: `pickup:<orderId>:<code>`; a typed code is just the digits. */
export function parsePickupScan(text: string): { orderId: string | null; code: string } | null {
  const t = text.trim();
  if (PICKUP_CODE_RE.test(t)) return { orderId: null, code: t };
  const m = /^pickup:([A-Za-z0-9_-]{1,64}):(\d{6})$/.exec(t);
  return m ? { orderId: m[1], code: m[2] } : null;
}

export const pickupScanText = (orderId: string, code: string) => `pickup:${orderId}:${code}`;

const PHONE_RE = /^[0-9+\-() ]{5,20}$/;

/**
 * A delivery address from a form or from WeChat's address picker, trimmed and checked. Returns the address
 * or the first problem as a sentence a user understands.
 */
export function normalizeAddress(raw: unknown): { ok: true; address: Address } | { ok: false; message: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: '请填写收货地址' };
  const r = raw as Record<string, unknown>;
  const s = (k: string) => (typeof r[k] === 'string' ? (r[k] as string).trim() : '');
  const name = s('name');
  const phone = s('phone');
  const region = s('region');
  const detail = s('detail');
  if (name.length < 1 || name.length > 20) return { ok: false, message: '收货人姓名为 1 到 20 个字' };
  if (!PHONE_RE.test(phone)) return { ok: false, message: '请填写正确的联系电话' };
  if (region.length < 2 || region.length > 60) return { ok: false, message: '请填写所在地区（省市区）' };
  if (detail.length < 2 || detail.length > 120) return { ok: false, message: '详细地址为 2 到 120 个字' };
  return { ok: true, address: { name, phone, region, detail } };
}

/** WeChat's `chooseAddress` result → our address (region = province + city + county). */
export function addressFromWechat(r: { userName?: string; telNumber?: string; provinceName?: string; cityName?: string; countyName?: string; detailInfo?: string }): Address {
  const region = [r.provinceName, r.cityName, r.countyName].filter((x) => x && x.trim()).join(' ');
  return { name: (r.userName ?? '').trim(), phone: (r.telNumber ?? '').trim(), region, detail: (r.detailInfo ?? '').trim() };
}

export const addressLine = (a: Address) => `${a.region} ${a.detail}`;
