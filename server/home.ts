/**
 * Issue 15, the home page: the banners the admin manages, and the products that sell (by units sold,
 * counted after each sale's commit: server/search.ts countSold). One call gives the page both.
 *
 * Banners live in `config/banners` (one small document, read whole); each links to a store. Setting them is
 * an admin action, written to the audit trail with the old and new list.
 */
import type { Banner, HomeFeed } from '../shared/api';
import { DomainError } from '../shared/errors';
import { now } from './clock';
import { CONFIG_COLL } from './config';
import { AnyDoc, getDb, readDoc, runTx, writeDoc } from './db';
import { CATEGORIES, getMerchant, isSeenStore } from './merchants';
import { PRODUCTS_COLL, ProductDoc } from './products';
import { hitsOf } from './search';
import { requireAdmin, writeAudit } from './admin/params';
import { Payload, id as idOf, imageRef, limit as limitOf, optStr, str } from './validate';

export const BANNERS_ID = 'banners';
export const MAX_BANNERS = 5;
/** How many products the home feed reads (a bounded read: the top sellers, not the catalogue). */
export const HOT_READ = 30;

interface BannersDoc { _id: string; items: Banner[]; updatedAt: number; updatedBy: string }

export async function readBanners(): Promise<Banner[]> {
  return (await readDoc<BannersDoc>(getDb(), CONFIG_COLL, BANNERS_ID))?.items ?? [];
}

/** On-shelf products of active stores (of one category: their store's), most units sold first (ties: newest id first). */
export async function hotProducts(limit: number, category?: string): Promise<HomeFeed['hot']> {
  const where: AnyDoc = { onShelf: true };
  if (category) where.category = category;
  const res = await getDb().collection(PRODUCTS_COLL).where(where).orderBy('sold', 'desc').orderBy('_id', 'desc').limit(HOT_READ).get();
  return (await hitsOf((res.data ?? []) as ProductDoc[])).slice(0, limit);
}

export async function home(p: Payload): Promise<HomeFeed> {
  const limit = limitOf(p, 10, 30);
  const category = optStr(p, 'category', { label: '类目', min: 0, max: 20 });
  if (category && !(CATEGORIES as readonly string[]).includes(category)) throw new DomainError('INVALID_INPUT', '没有这个类目');
  const [banners, hot] = await Promise.all([readBanners(), hotProducts(limit, category || undefined)]);
  return { banners, hot };
}

function readBanner(raw: unknown, i: number): Banner {
  const label = `第 ${i + 1} 个横幅`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DomainError('INVALID_INPUT', `${label}格式不正确`);
  const b = raw as Payload;
  const extra = Object.keys(b).filter((k) => !['image', 'title', 'merchantId'].includes(k));
  if (extra.length) throw new DomainError('INVALID_INPUT', `${label}不支持的字段：${extra.join('、')}`);
  return { image: imageRef(b, 'image', `${label}的图片`), title: str(b, 'title', { label: `${label}的标题`, min: 1, max: 30 }), merchantId: idOf(b, 'merchantId', `${label}的商家`) };
}

/** Admin: replace the banner list (0–5, each linking to a store that exists and is not pending or rejected). */
export async function setBanners(p: Payload, caller: { openid: string }): Promise<{ items: Banner[] }> {
  await requireAdmin(caller.openid);
  if (!Array.isArray(p.banners) || p.banners.length > MAX_BANNERS) throw new DomainError('INVALID_INPUT', `横幅必须是最多 ${MAX_BANNERS} 个的列表`);
  const items = p.banners.map(readBanner);
  for (const b of items) {
    const m = await getMerchant(b.merchantId);
    if (!isSeenStore(m)) throw new DomainError('MERCHANT_NOT_FOUND', `横幅「${b.title}」链接的商家不存在`);
  }
  return runTx(async (tx) => {
    const old = (await readDoc<BannersDoc>(tx, CONFIG_COLL, BANNERS_ID))?.items ?? [];
    await writeDoc(tx, CONFIG_COLL, BANNERS_ID, { items, updatedAt: now(), updatedBy: caller.openid });
    // in words, as the audit page shows them: each banner's title and the store it opens
    const words = (list: Banner[]) => list.map((b) => `${b.title}（${b.merchantId}）`).join('、') || '无';
    await writeAudit(tx, { by: caller.openid, what: 'home:banners', old: words(old), new: words(items), reason: null });
    return { items };
  });
}

export const homeActions = { home };
export const adminHomeActions = { setBanners };
