/**
 * Issue 15, search: products by title or description, stores by their keywords (name, category, address,
 * description). Only on-shelf, not deleted products of active stores are shown; a page reads at most
 * `limit + 1` products and one query for their stores, so a search costs the same whatever the catalogue's size.
 */
import type { MerchantSummary, ProductHit, SearchResult } from '../shared/api';
import { AnyDoc, getDb, lockAndRead, runTx, writeDoc } from './db';
import { MERCHANTS_COLL, MerchantDoc, escapeRegExp, listMerchants } from './merchants';
import { PRODUCTS_COLL, ProductDoc, productOf, productSearchText } from './products';
import { CURSOR_SHAPES, Payload, cursor as cursorOf, limit as limitOf, str } from './validate';

/** How many stores the first page of a search shows (more: merchant.list with the same keyword). */
export const SEARCH_STORES = 10;

/** The active stores among `ids`, by id (one query: ids are at most a page's worth). */
export async function activeStores(ids: string[]): Promise<Map<string, MerchantDoc>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const db = getDb();
  const res = await db.collection(MERCHANTS_COLL).where({ status: 'active', _id: db.command.in(unique) }).limit(unique.length).get();
  return new Map(((res.data ?? []) as MerchantDoc[]).map((m) => [m._id, m]));
}

/** Products of active stores among `docs`, with the store's name; deleted or off-shelf ones are dropped. */
export async function hitsOf(docs: ProductDoc[]): Promise<ProductHit[]> {
  const stores = await activeStores(docs.map((d) => d.merchantId));
  return docs
    .filter((d) => d.onShelf && !d.deleted && stores.has(d.merchantId))
    .map((d) => ({ ...productOf(d), storeName: stores.get(d.merchantId)!.name, sold: d.sold ?? 0 }));
}

export async function searchProducts(keyword: string, cur: string | null, limit: number): Promise<{ items: ProductHit[]; nextCursor: string | null }> {
  const db = getDb();
  const where: AnyDoc = { onShelf: true, searchText: db.RegExp({ regexp: escapeRegExp(keyword.toLowerCase()), options: 'i' }) };
  if (cur) where._id = db.command.gt(cur);
  const res = await db.collection(PRODUCTS_COLL).where(where).orderBy('_id', 'asc').limit(limit + 1).get();
  const list = (res.data ?? []) as ProductDoc[];
  const page = list.slice(0, limit);
  // the cursor is the last product read, not the last shown: products of inactive stores are skipped, not re-read
  return { items: await hitsOf(page), nextCursor: list.length > limit ? page[page.length - 1]._id : null };
}

export async function search(p: Payload): Promise<SearchResult> {
  const keyword = str(p, 'keyword', { label: '搜索词', min: 1, max: 30 });
  const cur = cursorOf(p, CURSOR_SHAPES.productId);
  const limit = limitOf(p, 20, 50);
  const products = await searchProducts(keyword, cur, limit);
  // stores only on the first page; the product cursor pages products alone
  let stores: MerchantSummary[] = [];
  if (!cur) stores = (await listMerchants({ keyword, cursor: null })).items.slice(0, SEARCH_STORES);
  return { stores, products: products.items, nextCursor: products.nextCursor };
}

/**
 * After a sale's commit (server/orders.ts settleInTx), never inside it: each product's units sold grow.
 * A statistic for the home feed's 已售: an increment lost if the function dies right there only understates it.
 */
export async function countSold(lines: Array<{ productId: string; quantity: number }>): Promise<void> {
  const db = getDb();
  await Promise.all(lines.map((l) => db.collection(PRODUCTS_COLL).doc(l.productId).update({ data: { sold: db.command.inc(l.quantity) } })));
}

/** How many products one run of the backfill reads (the `timeouts` timer, every minute). */
export const BACKFILL_BATCH = 50;

/**
 * Products saved before search and the category feed existed have no `searchText` and no `category` (both are
 * written by every save since): `timeouts` fills them in, BACKFILL_BATCH a run, each in a short transaction of
 * its own (locked, read, skipped if a save got there first, written). Once none is left a run costs one query.
 * `sold` is set to 0 where it was never counted, so the feed's order by units sold sees every product.
 */
export async function backfillProducts(budgetMs = 20_000): Promise<{ found: number; filled: number }> {
  const started = Date.now();
  const db = getDb();
  const res = await db.collection(PRODUCTS_COLL).where({ category: db.command.exists(false) }).limit(BACKFILL_BATCH).get();
  const docs = (res.data ?? []) as ProductDoc[];
  if (!docs.length) return { found: 0, filled: 0 };
  const ids = [...new Set(docs.map((d) => d.merchantId))];
  const stores = await db.collection(MERCHANTS_COLL).where({ _id: db.command.in(ids) }).limit(ids.length).get();
  // a store's category is fixed once it is approved (only an application sets it), so it is read outside the writes
  const categoryOf = new Map(((stores.data ?? []) as MerchantDoc[]).map((m) => [m._id, m.category]));
  let filled = 0;
  for (const d of docs) {
    if (Date.now() - started > budgetMs) break;
    const wrote = await runTx(async (tx) => {
      const cur = await lockAndRead<ProductDoc>(tx, PRODUCTS_COLL, d._id);
      if (!cur || cur.category !== undefined) return false;
      await writeDoc(tx, PRODUCTS_COLL, cur._id, { ...cur, searchText: productSearchText(cur), category: categoryOf.get(cur.merchantId) ?? '', sold: cur.sold ?? 0 });
      return true;
    });
    if (wrote) filled++;
  }
  return { found: docs.length, filled };
}

export const searchActions = { search };
