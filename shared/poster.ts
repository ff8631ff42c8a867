/**
 * The share poster's mini-program code (issue 15): what its `scene` carries and how the page it opens reads it.
 *
 * WeChat allows a `scene` of at most 32 characters (`wxacode.getUnlimited`). A poster must carry the store, maybe
 * one product, and the sharer's user number (the referrer, recorded as a shared link's `ref` is). Written out, the
 * ids alone take up to 48 characters (`m` + a 4–12 digit user number, `p` + 22 digits, a 4–12 digit user number),
 * so each is written as its digits in base 62, with a leading 1 kept so leading zeros survive:
 *
 *   P<store>.<product>.<referrer>      e.g. "P4c92.2Fa8bK0mQ7xZc.3kT"   (at most 1 + 7 + 1 + 13 + 1 + 7 = 30)
 *
 * An absent product or referrer is an empty field. The conversion is exact digit arithmetic on strings (no
 * floating point, no BigInt, which older WeChat clients lack); both the server (making the code) and the
 * mini-program (reading the scene) use these functions.
 */

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SCENE_MAX = 32;
const PREFIX = 'P';

const MERCHANT_ID = /^m(\d{4,12})$/;
const PRODUCT_ID = /^p(\d{14,22})$/;
const USER_NO = /^\d{4,12}$/;

export interface PosterTarget {
  merchantId: string;
  productId?: string;
  referrerUserNo?: string;
}

/** Divides the decimal digits `ds` by `d`: the quotient's digits (no leading zeros) and the remainder. */
function divmod(ds: number[], d: number): [number[], number] {
  const q: number[] = [];
  let r = 0;
  for (const x of ds) {
    r = r * 10 + x;
    const qd = Math.floor(r / d);
    r -= qd * d;
    if (q.length || qd) q.push(qd);
  }
  return [q, r];
}

/** "0042" → base 62 of 10042 (the 1 keeps the leading zeros). */
export function digitsToB62(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new Error(`not digits: ${digits}`);
  let ds = ('1' + digits).split('').map(Number);
  let out = '';
  while (ds.length) {
    const [q, r] = divmod(ds, 62);
    out = B62[r] + out;
    ds = q;
  }
  return out;
}

/** The inverse of digitsToB62, or null for text it cannot have made. */
export function b62ToDigits(s: string): string | null {
  if (!/^[0-9A-Za-z]{1,16}$/.test(s)) return null;
  let ds: number[] = [0];
  for (const ch of s) {
    // ds = ds × 62 + value, on decimal digits (least significant last)
    let carry = B62.indexOf(ch);
    const next: number[] = [];
    for (let i = ds.length - 1; i >= 0; i--) {
      const v = ds[i] * 62 + carry;
      next.push(v % 10);
      carry = Math.floor(v / 10);
    }
    while (carry) {
      next.push(carry % 10);
      carry = Math.floor(carry / 10);
    }
    ds = next.reverse();
    while (ds.length > 1 && ds[0] === 0) ds.shift();
  }
  const text = ds.join('');
  return text[0] === '1' ? text.slice(1) : null;
}

/**
 * The scene of a poster's code, or null when an id is not of the forms the server makes (a store `m<digits>`,
 * a product `p<digits>`, a user number of 4–12 digits): such a poster cannot be encoded in 32 characters.
 */
export function encodePosterScene(t: PosterTarget): string | null {
  const m = MERCHANT_ID.exec(t.merchantId);
  const p = t.productId === undefined ? null : PRODUCT_ID.exec(t.productId);
  if (!m || (t.productId !== undefined && !p)) return null;
  if (t.referrerUserNo !== undefined && !USER_NO.test(t.referrerUserNo)) return null;
  const scene = `${PREFIX}${digitsToB62(m[1])}.${p ? digitsToB62(p[1]) : ''}.${t.referrerUserNo ? digitsToB62(t.referrerUserNo) : ''}`;
  return scene.length <= SCENE_MAX ? scene : null;
}

/** What a scanned poster's scene names, or null if it is not a poster's scene. Accepts the URL-encoded form. */
export function decodePosterScene(raw: string | undefined | null): PosterTarget | null {
  if (!raw) return null;
  let scene = raw;
  try {
    scene = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const parts = /^P([0-9A-Za-z]{1,8})\.([0-9A-Za-z]{0,13})\.([0-9A-Za-z]{0,8})$/.exec(scene);
  if (!parts) return null;
  const store = b62ToDigits(parts[1]);
  const product = parts[2] ? b62ToDigits(parts[2]) : '';
  const ref = parts[3] ? b62ToDigits(parts[3]) : '';
  if (store === null || !/^\d{4,12}$/.test(store) || product === null || ref === null) return null;
  if (product && !/^\d{14,22}$/.test(product)) return null;
  if (ref && !USER_NO.test(ref)) return null;
  return {
    merchantId: `m${store}`,
    ...(product ? { productId: `p${product}` } : {}),
    ...(ref ? { referrerUserNo: ref } : {}),
  };
}

/** The page a poster's code opens: the product when there is one, else the store. */
export function posterPage(t: PosterTarget): string {
  return t.productId ? 'pages/product/index' : 'pages/merchant/index';
}
