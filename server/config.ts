/**
 * Configuration kept in the database (SPEC §3: every parameter lives in a config document and is
 * changed only by an admin, with an audit record).
 *
 * - `config/params`: the parameters, created from DEFAULT_PARAMS on first use; `{ ...Params, version, updatedAt, updatedBy }`.
 * - `config/guidePrice`: `{ priceFen, day, history }` — starts at params.initialGuidePriceFen; the daily
 *   release moves it (SPEC §9), an admin may set it.
 * - `admins/<openid>`: the admin list. Bootstrap: the openids in env ADMIN_OPENIDS (comma-separated) are
 *   made admins on first use (and cannot be removed through the API).
 * - `config/supply` + the genesis entries (server/ledger.ts ensureGenesis).
 *
 * `ensureBootstrap()` creates what is missing; every cloud function calls it first (one read when done), but for
 * `order` and `payment`, on the payment path, whose calls find something only in a bootstrapped database (a buyer
 * registered through `user`, an order, a trade an order started).
 */
import { DEFAULT_PARAMS, Params } from '../shared/params';
import { now } from './clock';
import { AnyDoc, Tx, getDb, readDoc, runTx, writeDoc } from './db';
import { ensureGenesis } from './ledger';

export const CONFIG_COLL = 'config';
export const ADMINS_COLL = 'admins';
export const PARAMS_ID = 'params';
export const GUIDE_PRICE_ID = 'guidePrice';
export const BOOTSTRAP_ID = 'bootstrap';

export interface ParamsDoc {
  params: Params;
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}

export interface GuidePriceDoc {
  priceFen: number;
  day: string | null; // business day it applies to (null: the initial price)
  updatedAt: number;
  history?: { day: string | null; priceFen: number; at: number; by?: string; reason?: string }[];
  [k: string]: unknown;
}

export interface AdminDoc {
  openid: string;
  addedBy: string; // openid, or 'env' / 'demo'
  at: number;
  bootstrap?: boolean;
}

function src(tx?: Tx): Tx | AnyDoc {
  return tx ?? getDb();
}

function defaultParams(): Params {
  return { ...DEFAULT_PARAMS }; // every parameter is a string or a number: a shallow copy is a full copy
}

/**
 * A config document's value read once per transaction (`memo` holds one per transaction): the parameters change
 * only through admin.setParam's own transaction, the guide price through the release's. A caller may start the
 * read early (e.g. while it waits for WeChat Pay) and its later uses find it; a failed read is read again.
 */
function oncePerTx<T>(memo: WeakMap<object, Promise<T>>, tx: Tx, read: (tx: Tx) => Promise<T>): Promise<T> {
  let p = memo.get(tx);
  if (!p) {
    p = read(tx);
    memo.set(tx, p);
    p.catch(() => memo.delete(tx));
  }
  return p;
}

const paramsInTx = new WeakMap<object, Promise<Params>>();

/** The parameters in force (inside a transaction: as of its snapshot, read once; a copy the caller may change). */
export async function getParams(tx?: Tx): Promise<Params> {
  if (!tx) return readParams(undefined);
  return { ...(await oncePerTx(paramsInTx, tx, readParams)) };
}

async function readParams(tx: Tx | undefined): Promise<Params> {
  const doc = await readDoc<ParamsDoc>(src(tx), CONFIG_COLL, PARAMS_ID);
  if (doc?.params) return { ...defaultParams(), ...doc.params };
  return defaultParams();
}

export async function getParamsDoc(tx?: Tx): Promise<ParamsDoc> {
  const doc = await readDoc<ParamsDoc>(src(tx), CONFIG_COLL, PARAMS_ID);
  if (doc?.params) return { ...doc, params: { ...defaultParams(), ...doc.params } };
  return { params: defaultParams(), version: 0, updatedAt: 0, updatedBy: null };
}

const guideInTx = new WeakMap<object, Promise<number>>();

/** The guide price in fen per point (inside a transaction: as of its snapshot, read once). */
export async function getGuidePriceFen(tx?: Tx): Promise<number> {
  return tx ? oncePerTx(guideInTx, tx, readGuidePriceFen) : readGuidePriceFen(undefined);
}

async function readGuidePriceFen(tx: Tx | undefined): Promise<number> {
  const doc = await readDoc<GuidePriceDoc>(src(tx), CONFIG_COLL, GUIDE_PRICE_ID);
  if (doc && Number.isSafeInteger(doc.priceFen) && doc.priceFen > 0) return doc.priceFen;
  return (await getParams(tx)).initialGuidePriceFen;
}

export async function getGuidePriceDoc(tx?: Tx): Promise<GuidePriceDoc | null> {
  return readDoc<GuidePriceDoc>(src(tx), CONFIG_COLL, GUIDE_PRICE_ID);
}

/** The admin openids from the environment (comma-separated ADMIN_OPENIDS). */
let envAdminsText: string | null = null;
let envAdminsList: string[] = [];

export function envAdminOpenids(): string[] {
  const text = process.env.ADMIN_OPENIDS ?? '';
  if (text !== envAdminsText) {
    envAdminsText = text;
    envAdminsList = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return [...envAdminsList];
}

/** Whether `openid` is an admin, from the database (SPEC §10.5: roles from the database). */
export async function isAdmin(openid: string, tx?: Tx): Promise<boolean> {
  if (!openid) return false;
  const doc = await readDoc<AdminDoc>(src(tx), ADMINS_COLL, openid);
  return doc !== null;
}

let lastEnvAdmins = '';

/**
 * Create on first use: the params document, the guide price, the genesis entries, the env admins.
 * Idempotent and cheap once done (reads `config/bootstrap`).
 */
export async function ensureBootstrap(): Promise<void> {
  const db = getDb();
  const envAdmins = envAdminOpenids();
  const done = await readDoc<AnyDoc>(db, CONFIG_COLL, BOOTSTRAP_ID);
  if (done && (envAdmins.length === 0 || lastEnvAdmins === envAdmins.join(','))) return;
  if (!done) {
    await runTx(async (tx) => {
      const at = now();
      if (!(await readDoc(tx, CONFIG_COLL, PARAMS_ID))) {
        await writeDoc(tx, CONFIG_COLL, PARAMS_ID, { params: defaultParams(), version: 1, updatedAt: at, updatedBy: null });
      }
      if (!(await readDoc(tx, CONFIG_COLL, GUIDE_PRICE_ID))) {
        const p = await getParams(tx);
        const doc: GuidePriceDoc = { priceFen: p.initialGuidePriceFen, day: null, updatedAt: at, history: [{ day: null, priceFen: p.initialGuidePriceFen, at, reason: 'initial' }] };
        await writeDoc(tx, CONFIG_COLL, GUIDE_PRICE_ID, doc);
      }
    });
    const p = await getParams();
    await ensureGenesis(db, { releaseTotal: p.releaseTotal, treasuryReserve: p.treasuryReserve });
    await runTx(async (tx) => {
      if (!(await readDoc(tx, CONFIG_COLL, BOOTSTRAP_ID))) await writeDoc(tx, CONFIG_COLL, BOOTSTRAP_ID, { at: now() });
    });
  }
  for (const openid of envAdmins) await addAdminRecord(openid, 'env', true);
  lastEnvAdmins = envAdmins.join(',');
}

/** Make `openid` an admin (no-op if already). */
export async function addAdminRecord(openid: string, addedBy: string, bootstrap = false): Promise<void> {
  await runTx(async (tx) => {
    if (await readDoc(tx, ADMINS_COLL, openid)) return;
    const doc: AdminDoc = { openid, addedBy, at: now(), ...(bootstrap ? { bootstrap: true } : {}) };
    await writeDoc(tx, ADMINS_COLL, openid, doc);
  });
}

/** Wrap a function's actions so each first makes sure the bootstrap ran (params, genesis, env admins). */
export function withBootstrap<A extends Record<string, (payload: Record<string, unknown>, caller: { openid: string; source: string }) => Promise<unknown>>>(actions: A): A {
  const out: Record<string, (payload: Record<string, unknown>, caller: { openid: string; source: string }) => Promise<unknown>> = {};
  for (const [name, action] of Object.entries(actions)) {
    out[name] = async (payload, caller) => {
      await ensureBootstrap();
      return action(payload, caller);
    };
  }
  return out as A;
}
