/**
 * Issue 15, the share poster: the mini-program code a poster carries. Its scene (shared/poster.ts) names the
 * store, maybe one of its products, and the caller's user number as the referrer, so whoever scans the poster
 * and registers is recorded as the caller's invitee — exactly as a shared link's `ref` is. The poster itself
 * (store name, product, price, this code) is drawn by the app on a canvas.
 *
 * Nothing is stored: each code is made when asked (a sharer's code differs from everyone else's) and returned
 * inline, so the app can draw it without a download domain and the canvas is not tainted on h5.
 */
import { decodePosterScene, encodePosterScene, posterPage } from '../shared/poster';
import { DomainError } from '../shared/errors';
import { getDb, readDoc } from './db';
import { getMerchant, isSeenStore } from './merchants';
import { PRODUCTS_COLL, ProductDoc } from './products';
import { requireUser } from './users';
import { Payload, id as idOf, optId } from './validate';
import { codeDataUrl, miniProgramCode } from './wxacode';

export interface PosterCode {
  page: string;
  scene: string;
  imageUrl: string;
}

export async function posterCode(openid: string, p: Payload): Promise<PosterCode> {
  const merchantId = idOf(p, 'merchantId', '商家');
  const productId = optId(p, 'productId', '商品');
  const [u, m, product] = await Promise.all([
    requireUser(openid),
    getMerchant(merchantId),
    productId ? readDoc<ProductDoc>(getDb(), PRODUCTS_COLL, productId) : Promise.resolve(null),
  ]);
  if (!isSeenStore(m)) throw new DomainError('MERCHANT_NOT_FOUND', '商家不存在');
  if (productId && (!product || product.merchantId !== m._id || product.deleted || !product.onShelf)) {
    throw new DomainError('PRODUCT_NOT_FOUND', '商品不存在或已下架');
  }
  const target = { merchantId: m._id, ...(productId ? { productId } : {}), referrerUserNo: u.userNo };
  const scene = encodePosterScene(target);
  // ids the server makes always fit; anything else is a bug worth a log, not a user's mistake
  if (!scene || JSON.stringify(decodePosterScene(scene)) !== JSON.stringify(target)) throw new Error(`poster scene cannot carry ${JSON.stringify(target)}`);
  const page = posterPage(target);
  const code = await miniProgramCode(scene, page, new DomainError('POSTER_CODE_UNAVAILABLE', '生成小程序码失败，请稍后再试'));
  return { page, scene, imageUrl: codeDataUrl(code) };
}

export const posterActions = {
  async posterCode(p: Payload, caller: { openid: string }): Promise<PosterCode> {
    return posterCode(caller.openid, p);
  },
};
