/**
 * A store's catalogue: products, their images, specs and fulfilment modes, on and off the shelf, deleted.
 */
import type { FulfilmentMode, ProductSpec, Product } from '../shared/api';
import { DomainError } from '../shared/errors';
import { now } from './clock';
import { AnyDoc, getDb, lockAndRead, newDocId, readAll, readDoc, runTx, writeDoc } from './db';
import { setStockInTx } from './stock';
import { checkRequest } from './requests';
import { Payload, id as idOf, imageRef, int, optBool, optStr, requestId as requestIdOf, str } from './validate';
import { readModes, requireMyMerchant } from './merchants';

export const PRODUCTS_COLL = 'products';

export interface ProductDoc {
  _id: string;
  merchantId: string;
  title: string;
  priceFen: number;
  stock: number; // the figure shown; the stock itself is in its shards (server/stock.ts)
  /** How many `stockShards` documents hold the stock (absent: the product was saved before shards; `stock` is it). */
  stockShards?: number;
  images: string[];
  description: string;
  onShelf: boolean;
  /** Issue 15: narrows the store's modes for this product; absent or empty = all the store's. */
  fulfilmentModes?: FulfilmentMode[];
  /** Issue 15: descriptive specifications (规格), e.g. { name: '份量', value: '大碗' }. */
  specs?: ProductSpec[];
  /** Issue 15: deleted by the store: kept (orders name it) but off shelf and out of every list. */
  deleted?: boolean;
  /** Issue 15 search: title and description in lower case, written on every save (server/search.ts). */
  searchText?: string;
  /** Issue 15 home feed by category: the store's category, copied on every save (a store's category does not
   * change once approved); absent on products saved before (server/search.ts backfillProducts fills it in). */
  category?: string;
  /** Issue 15 home feed: units sold, counted after each sale's commit (server/search.ts countSold). */
  sold?: number;
  createdAt: number;
  updatedAt: number;
}

export const productSearchText = (p: Pick<ProductDoc, 'title' | 'description'>) => `${p.title} ${p.description ?? ''}`.toLowerCase();

export function productOf(p: ProductDoc): Product {
  return {
    id: p._id,
    merchantId: p.merchantId,
    title: p.title,
    priceFen: p.priceFen,
    stock: p.stock,
    images: p.images ?? [],
    description: p.description ?? '',
    onShelf: !!p.onShelf,
    fulfilmentModes: p.fulfilmentModes ?? [],
    specs: p.specs ?? [],
  };
}

export async function productsOf(merchantId: string, onShelfOnly: boolean): Promise<Product[]> {
  const db = getDb();
  const where: AnyDoc = { merchantId };
  if (onShelfOnly) where.onShelf = true;
  const list = await readAll<ProductDoc>(db.collection(PRODUCTS_COLL).where(where).orderBy('createdAt', 'asc'));
  return list.filter((x) => !x.deleted).map(productOf);
}

function readImages(p: Payload): string[] | undefined {
  if (p.images === undefined || p.images === null) return undefined;
  if (!Array.isArray(p.images) || p.images.length > 9) throw new DomainError('INVALID_INPUT', '商品图片必须是最多 9 张图片的列表');
  return p.images.map((_x, i) => imageRef({ img: p.images && (p.images as unknown[])[i] }, 'img', `第 ${i + 1} 张商品图片`));
}

export async function saveProduct(openid: string, p: Payload): Promise<Product> {
  const requestId = requestIdOf(p);
  const productId = p.id === undefined || p.id === null || p.id === '' ? null : idOf(p, 'id', '商品');
  const fields = {
    title: str(p, 'title', { label: '商品名称', max: 60 }),
    priceFen: int(p, 'priceFen', { label: '价格', min: 1, max: 100_000_000, fen: true }),
    stock: int(p, 'stock', { label: '库存', min: 0, max: 1_000_000 }),
    images: readImages(p),
    description: optStr(p, 'description', { label: '商品描述', max: 2000 }),
    onShelf: optBool(p, 'onShelf', '上架状态'),
    fulfilmentModes: readModes(p, 'fulfilmentModes', true),
    specs: readSpecs(p),
  };
  return runTx(async (tx) => {
    const req = await checkRequest<Product>(tx, 'merchant.saveProduct', openid, requestId, p);
    if (req.replay) return req.result;
    const m = await requireMyMerchant(openid, tx);
    const at = now();
    let doc: ProductDoc;
    if (productId) {
      const old = await lockAndRead<ProductDoc>(tx, PRODUCTS_COLL, productId);
      if (!old || old.merchantId !== m._id || old.deleted) throw new DomainError('PRODUCT_NOT_FOUND', '商品不存在');
      doc = {
        ...old,
        title: fields.title,
        priceFen: fields.priceFen,
        stock: fields.stock,
        images: fields.images ?? old.images,
        description: fields.description ?? old.description,
        onShelf: fields.onShelf ?? old.onShelf,
        fulfilmentModes: fields.fulfilmentModes ?? old.fulfilmentModes ?? [],
        specs: fields.specs ?? old.specs ?? [],
        updatedAt: at,
      };
    } else {
      doc = {
        _id: await newDocId(tx, PRODUCTS_COLL, 'p', at),
        merchantId: m._id,
        title: fields.title,
        priceFen: fields.priceFen,
        stock: fields.stock,
        images: fields.images ?? [],
        description: fields.description ?? '',
        onShelf: fields.onShelf ?? true,
        fulfilmentModes: fields.fulfilmentModes ?? [],
        specs: fields.specs ?? [],
        sold: 0,
        createdAt: at,
        updatedAt: at,
      };
    }
    doc.searchText = productSearchText(doc);
    doc.category = m.category;
    // the stock is dealt over the product's shards, so that orders for a fast-selling product do not all lock one document
    Object.assign(doc, await setStockInTx(tx, doc._id, fields.stock, doc.stockShards ?? 0));
    await writeDoc(tx, PRODUCTS_COLL, doc._id, doc);
    const out = productOf(doc);
    await req.record(out);
    return out;
  });
}

export async function setOnShelf(openid: string, productId: string, onShelf: boolean): Promise<Product> {
  return runTx(async (tx) => {
    const m = await requireMyMerchant(openid, tx);
    const old = await lockAndRead<ProductDoc>(tx, PRODUCTS_COLL, productId);
    if (!old || old.merchantId !== m._id || old.deleted) throw new DomainError('PRODUCT_NOT_FOUND', '商品不存在');
    const doc = { ...old, onShelf, updatedAt: now() };
    await writeDoc(tx, PRODUCTS_COLL, productId, doc);
    return productOf(doc);
  });
}

/**
 * Issue 15: the store deletes a product. The document stays (its orders name it, and a refund returns stock
 * to it) but it is off shelf, out of every list, and can no longer be edited or ordered. Repeating is harmless.
 */
export async function deleteProduct(openid: string, productId: string): Promise<{ ok: true }> {
  return runTx(async (tx) => {
    const m = await requireMyMerchant(openid, tx);
    const old = await readDoc<ProductDoc>(tx, PRODUCTS_COLL, productId);
    if (!old || old.merchantId !== m._id) throw new DomainError('PRODUCT_NOT_FOUND', '商品不存在');
    if (!old.deleted) await writeDoc(tx, PRODUCTS_COLL, productId, { ...old, onShelf: false, deleted: true, updatedAt: now() });
    return { ok: true as const };
  });
}

const MAX_SPECS = 10;

/** Specifications: at most 10 pairs of a name (1–10) and a value (1–30). */
function readSpecs(p: Payload): ProductSpec[] | undefined {
  if (p.specs === undefined || p.specs === null) return undefined;
  if (!Array.isArray(p.specs) || p.specs.length > MAX_SPECS) throw new DomainError('INVALID_INPUT', `商品规格最多 ${MAX_SPECS} 项`);
  return (p.specs as unknown[]).map((raw, i) => {
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Payload;
    return { name: str(r, 'name', { label: `第 ${i + 1} 项规格名称`, min: 1, max: 10 }), value: str(r, 'value', { label: `第 ${i + 1} 项规格内容`, min: 1, max: 30 }) };
  });
}
