/**
 * Product stock, held so that a fast-selling product does not make every order for it collide (issue 18: a
 * limited offer shared in a group of 500).
 *
 * The stock of a product is split over up to STOCK_SHARDS documents `stockShards/<productId>:<k>`
 * (`{ productId, k, stock }`), k < the product's `stockShards`. An order first reads every shard (one wave, no
 * lock: a sold-out product is refused at once, locking nothing), then takes its quantity from a shard that had
 * some, chosen at random, moving on to the next while it is short; concurrent orders for one product thus lock different
 * documents, and one locked shard costs another order a retry on one of eight, not a queue on one document.
 * A take is an `inc(-quantity)` (it takes the shard's lock) followed by a read: a shard that went below zero
 * gives back what it did not have (lock, then read; no read-then-write that a concurrent order could slip into).
 * What an order took, shard by shard, is kept on the order (`stockTaken`) and given back to the same shards on
 * a cancellation or refund (an increment: no read, no check needed).
 *
 * `products/<id>.stock` is the figure shown: set by the merchant's save (which also re-deals the shards), and
 * moved after each order's commit (`onCommit`: derived data, DESIGN rules 3). The shards are the truth.
 * A product saved before shards existed (`stockShards` absent) keeps its stock on the product document.
 */
import { randomInt } from 'crypto';
import { DomainError } from '../shared/errors';
import { now } from './clock';
import { AnyDoc, Tx, getDb, lockAndRead, onCommit, readDoc, writeDoc } from './db';

export const STOCK_COLL = 'stockShards';
/** Most shards a product's stock is split over. */
export const STOCK_SHARDS = 8;

export const stockShardId = (productId: string, k: number) => `${productId}:${k}`;

export interface StockProduct {
  _id: string;
  title: string;
  stock: number;
  stockShards?: number;
}

/** What an order took from each shard of one product (`-1` = the product document itself, for a product without shards). */
export type StockTaken = Record<string, Record<string, number>>;

/** How many shards a stock of `stock` is dealt over: one per unit up to STOCK_SHARDS. */
export function shardCountFor(stock: number): number {
  return Math.max(1, Math.min(STOCK_SHARDS, stock));
}

/** The shares of `stock` over `n` shards: as even as integers go, the first ones one more. */
export function dealStock(stock: number, n: number): number[] {
  const base = Math.floor(stock / n);
  return Array.from({ length: n }, (_, k) => base + (k < stock % n ? 1 : 0));
}

/**
 * In the merchant's save (a transaction): set the stock to `stock`, dealt over the shards anew (shards the
 * previous deal used and this one does not are emptied). Returns the fields to store on the product.
 */
export async function setStockInTx(tx: Tx, productId: string, stock: number, previousShards: number): Promise<{ stock: number; stockShards: number }> {
  const n = shardCountFor(stock);
  const shares = dealStock(stock, n);
  const at = now();
  const writes: Promise<unknown>[] = [];
  for (let k = 0; k < Math.max(n, previousShards); k++) {
    writes.push(writeDoc(tx, STOCK_COLL, stockShardId(productId, k), { productId, k, stock: k < n ? shares[k] : 0, updatedAt: at }));
  }
  await Promise.all(writes);
  return { stock, stockShards: n };
}

/**
 * In the order's transaction: take `quantity` of `product`, or refuse with OUT_OF_STOCK. Returns what was taken
 * from where, for `returnStockInTx`, and schedules the shown figure's update after the commit.
 */
export async function takeStockInTx(tx: Tx, product: StockProduct, quantity: number): Promise<Record<string, number>> {
  const n = product.stockShards ?? 0;
  const taken: Record<string, number> = {};
  if (n === 0) {
    // not sharded (saved before shards existed): the product document holds the stock — locked, then read
    const cur = await lockAndRead<StockProduct & AnyDoc>(tx, 'products', product._id);
    if (!cur || cur.stock < quantity) throw outOfStock(product.title, cur?.stock ?? 0);
    await writeDoc(tx, 'products', cur._id, { ...cur, stock: cur.stock - quantity, updatedAt: now() });
    taken['-1'] = quantity;
    return taken;
  }
  const db = getDb();
  // first a look at every shard (one wave of reads, no lock): a sold-out product is refused without locking
  // anything, and the takes below go only to shards that had some, starting at a random one
  const ids = Array.from({ length: n }, (_, k) => stockShardId(product._id, k));
  const looks = await Promise.all(ids.map((id) => readDoc<{ stock: number }>(tx, STOCK_COLL, id)));
  const had = looks.map((d) => Math.max(0, d?.stock ?? 0));
  const total = had.reduce((a, b) => a + b, 0);
  if (total < quantity) throw outOfStock(product.title, total);
  const withStock = had.map((h, k) => (h > 0 ? k : -1)).filter((k) => k >= 0);
  const start = randomInt(0, withStock.length);
  let left = quantity;
  let seen = 0; // what the shards held when taken from, for the refusal's message
  for (let i = 0; i < withStock.length && left > 0; i++) {
    const k = withStock[(start + i) % withStock.length];
    const id = ids[k];
    // take all that is still wanted (this locks the shard), then see what it had
    const res = (await tx.collection(STOCK_COLL).doc(id).update({ data: { stock: db.command.inc(-left), updatedAt: now() } })) as { stats?: { updated?: number } };
    if ((res?.stats?.updated ?? 0) === 0) continue;
    const after = (await readDoc<{ stock: number }>(tx, STOCK_COLL, id))?.stock ?? 0;
    const before = after + left;
    seen += Math.max(0, before);
    if (after >= 0) {
      taken[String(k)] = left;
      left = 0;
    } else {
      // short (taken meanwhile): keep what it had, give back the rest
      if (before > 0) taken[String(k)] = before;
      left -= Math.max(0, before);
      await tx.collection(STOCK_COLL).doc(id).update({ data: { stock: db.command.inc(-after) } });
    }
  }
  if (left > 0) throw outOfStock(product.title, seen);
  onCommit(tx, () => shownStockMoves(product._id, -quantity));
  return taken;
}

/** In a cancellation's or refund's transaction: give back what an order took, to where it was taken from. */
export async function returnStockInTx(tx: Tx, productId: string, taken: Record<string, number> | undefined, quantity: number): Promise<void> {
  const db = getDb();
  if (!taken) taken = { '-1': quantity }; // an order from before shards: it took from the product document
  for (const [k, q] of Object.entries(taken)) {
    if (q <= 0) continue;
    if (k === '-1') {
      const prod = await lockAndRead<StockProduct & AnyDoc>(tx, 'products', productId);
      if (!prod) continue;
      // sharded since the order was made: the units go back to a shard, the shown figure with them
      if ((prod.stockShards ?? 0) > 0) await tx.collection(STOCK_COLL).doc(stockShardId(productId, 0)).update({ data: { stock: db.command.inc(q), updatedAt: now() } });
      await writeDoc(tx, 'products', productId, { ...prod, stock: prod.stock + q, updatedAt: now() });
      continue;
    }
    await tx.collection(STOCK_COLL).doc(stockShardId(productId, Number(k))).update({ data: { stock: db.command.inc(q), updatedAt: now() } });
  }
  const sharded = Object.keys(taken).some((k) => k !== '-1');
  if (sharded) onCommit(tx, () => shownStockMoves(productId, quantity));
}

/** The exact stock: the sum of the shards (or the product document's own figure, for a product without shards). */
export async function exactStock(product: StockProduct): Promise<number> {
  const n = product.stockShards ?? 0;
  if (n === 0) return product.stock;
  const docs = await Promise.all(Array.from({ length: n }, (_, k) => readDoc<{ stock: number }>(getDb(), STOCK_COLL, stockShardId(product._id, k))));
  return docs.reduce((s, d) => s + Math.max(0, d?.stock ?? 0), 0);
}

async function shownStockMoves(productId: string, delta: number): Promise<void> {
  const db = getDb();
  await db.collection('products').doc(productId).update({ data: { stock: db.command.inc(delta) } });
}

function outOfStock(title: string, left: number): DomainError {
  return new DomainError('OUT_OF_STOCK', `「${title}」库存不足（剩余 ${left}）`);
}
