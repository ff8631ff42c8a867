/**
 * The test kit of the gateway tests (users, merchants, orders, admin, transfers, the market). Everything goes
 * through HTTP (tc.call) or the payment simulator (tc.pay), as the app and WeChat would; test funding is a ledger
 * entry from the treasury (no product backdoor); the ledger is verified after every scenario.
 */
import type { ApiResult } from '../shared/api';
import { startTestCloud, TestCloud } from '../localcloud/testing';
import type { ProfileOption } from '../localcloud/profile';
import { userAvailable, userEscrow, verifyLedger } from './ledger';

export const ADMIN = 'o_admin';
export const T0 = Date.UTC(2026, 2, 2, 2); // 2026-03-02 10:00 Asia/Shanghai

let seq = 0;
export function rid(tag = 'r'): string {
  seq += 1;
  return `${tag}-${Date.now().toString(36)}-${seq}`.replace(/[^A-Za-z0-9_-]/g, '').padEnd(8, 'x');
}

/** A fresh test cloud (temporary data folder, gateway on a free port) with ADMIN as the env admin, at T0. */
export async function startWorld(opts: { now?: number; frozenClock?: boolean; profile?: ProfileOption } = {}): Promise<TestCloud> {
  process.env.ADMIN_OPENIDS = ADMIN;
  return startTestCloud({ now: opts.now ?? T0, frozenClock: opts.frozenClock, profile: opts.profile });
}

export interface WorldOptions {
  now?: number;
  frozenClock?: boolean;
  /** The cloud profile's settings for this world (default: CLOUD_PROFILE's, localcloud/profile.ts). */
  profile?: ProfileOption;
  /** Runs once the world is up (e.g. logins every test expects). */
  setup?: (tc: TestCloud) => Promise<unknown>;
}

async function openWorld(use: (tc: TestCloud) => void, opts: WorldOptions): Promise<TestCloud> {
  const tc = await startWorld(opts);
  use(tc);
  if (opts.setup) await opts.setup(tc);
  return tc;
}

/**
 * Registers jest hooks for a fresh world per test: started (and `setup`) before each test, the ledger verified
 * after it (SPEC §10.1), then closed. `use` is given each new world: `let tc; worldForEachTest((c) => (tc = c));`
 */
export function worldForEachTest(use: (tc: TestCloud) => void, opts: WorldOptions = {}): void {
  let current: TestCloud | null = null;
  beforeEach(async () => {
    current = await openWorld(use, opts);
  });
  afterEach(async () => {
    const tc = current;
    current = null;
    if (!tc) return;
    try {
      await expectLedgerOk(tc);
    } finally {
      await tc.close();
    }
  });
}

/**
 * Registers jest hooks for one world shared by the tests of a file: started (and `setup`) before the first,
 * the ledger verified after each test (SPEC §10.1), closed after the last.
 */
export function worldForFile(use: (tc: TestCloud) => void, opts: WorldOptions = {}): void {
  let current: TestCloud | null = null;
  beforeAll(async () => {
    current = await openWorld(use, opts);
  });
  afterEach(async () => {
    if (current) await expectLedgerOk(current);
  });
  afterAll(async () => {
    await current?.close();
    current = null;
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The function's answer as the app gets it: `{ ok: true, data }` or `{ ok: false, error }`. */
export async function call<T = any>(tc: TestCloud, fn: string, openid: string, event: Record<string, unknown>): Promise<ApiResult<T>> {
  return (await tc.call(fn, openid, event)) as ApiResult<T>;
}

/** The data of a call that must succeed (throws with the answer otherwise). */
export async function ok<T = any>(tc: TestCloud, fn: string, openid: string, event: Record<string, unknown>): Promise<T> {
  const r = await tc.call(fn, openid, event);
  if (!r || r.ok !== true) throw new Error(`${fn}.${String(event.action)} as ${openid} failed: ${JSON.stringify(r)}`);
  return r.data;
}

export async function fail(tc: TestCloud, fn: string, openid: string, event: Record<string, unknown>): Promise<{ code: string; message: string }> {
  const r = await tc.call(fn, openid, event);
  if (!r || r.ok !== false) throw new Error(`${fn}.${String(event.action)} as ${openid} should have failed: ${JSON.stringify(r)}`);
  return r.error;
}

/**
 * A call that must be refused with `code` and a message a user reads (a Chinese sentence); returns the message.
 */
export async function refused(tc: TestCloud, fn: string, openid: string, event: Record<string, unknown>, code: string): Promise<string> {
  const r = await call(tc, fn, openid, event);
  if (r.ok) throw new Error(`${fn}.${String(event.action)} should have been refused with ${code}`);
  expect(r.error.code).toBe(code);
  expect(r.error.message).toMatch(/[\u4e00-\u9fa5]/);
  return r.error.message;
}

export async function login(tc: TestCloud, openid: string, extra: Record<string, unknown> = {}): Promise<any> {
  return ok(tc, 'user', openid, { action: 'login', ...extra });
}

export function application(name: string, category = '餐饮美食', extra: Record<string, unknown> = {}) {
  return {
    name,
    category,
    address: `东莞市松山湖 ${name} 1号`,
    contact: '13800000000',
    licenseImage: 'cloud://env/license.png',
    subMchId: '1230000001',
    description: `${name}的介绍`,
    ...extra,
  };
}

/** A merchant owned by `owner`, applied, approved, and (unless depositPoints is 0) holding that many points. */
export async function activeMerchant(
  tc: TestCloud,
  owner: string,
  opts: { name?: string; category?: string; depositPoints?: string; subMchId?: string } = {},
): Promise<string> {
  await login(tc, owner);
  await login(tc, ADMIN);
  const m = await ok(tc, 'merchant', owner, { action: 'apply', requestId: rid('apply'), ...application(opts.name ?? `店${owner}`, opts.category, opts.subMchId ? { subMchId: opts.subMchId } : {}) });
  await ok(tc, 'admin', ADMIN, { action: 'approveMerchant', merchantId: m.id });
  const pts = opts.depositPoints ?? '250';
  if (pts !== '0') {
    const d = await ok(tc, 'merchant', owner, { action: 'buyDeposit', points: pts, requestId: rid('dep') });
    await tc.pay(d.pay.outTradeNo);
  }
  return m.id as string;
}

export async function product(tc: TestCloud, owner: string, title: string, priceFen: number, stock: number): Promise<any> {
  return ok(tc, 'merchant', owner, { action: 'saveProduct', requestId: rid('prod'), title, priceFen, stock, images: ['https://example.com/a.png'], description: title });
}

/** SPEC §10.1/§10.3 on the whole ledger (server/ledger.ts verifyLedger): throws with every error found. */
export async function expectLedgerOk(tc: TestCloud): Promise<void> {
  const rep = await verifyLedger(tc.db);
  if (rep.errors.length) throw new Error(`ledger check failed:\n${rep.errors.join('\n')}`);
}

export async function balanceOf(tc: TestCloud, accountId: string): Promise<string> {
  const r = await tc.db.collection('accounts').doc(accountId).get();
  return (r.data as { balance?: string } | null)?.balance ?? '0.00';
}

/**
 * The treasury as SPEC §10.1 counts it: the `treasury` account plus the income still in treasury inboxes
 * (`treasury:in:…`, swept into it by the timeouts timer).
 */
export async function treasuryOf(tc: TestCloud): Promise<string> {
  const { dec } = await import('../shared/decimal');
  let total = dec(await balanceOf(tc, 'treasury'));
  for (let skip = 0; ; skip += 100) {
    const page = ((await tc.db.collection('accounts').where({ open: 1 }).skip(skip).limit(100).get()).data ?? []) as { balance: string }[];
    for (const a of page) total = total.plus(a.balance);
    if (page.length < 100) break;
  }
  return total.toFixed(2);
}

export const availableOf = (tc: TestCloud, openid: string): Promise<string> => balanceOf(tc, userAvailable(openid));
export const escrowOf = (tc: TestCloud, openid: string): Promise<string> => balanceOf(tc, userEscrow(openid));

/** Test-only: give a user points from the treasury (in real life they come from the release, a transfer or the market). */
export async function grantPoints(tc: TestCloud, openid: string, amount: string): Promise<void> {
  tc.cloud.makeCurrent();
  const { runTx } = await import('./db');
  const { postEntry, userAvailable, TREASURY } = await import('./ledger');
  await runTx((tx) => postEntry(tx, { key: `test-grant:${openid}:${rid('g')}`, kind: 'test_grant', debit: TREASURY, credit: userAvailable(openid), amount }));
}

export async function orderDoc(tc: TestCloud, orderId: string): Promise<any> {
  return (await tc.db.collection('orders').doc(orderId).get()).data;
}

export async function stockOf(tc: TestCloud, productId: string): Promise<number> {
  return ((await tc.db.collection('products').doc(productId).get()).data as { stock: number }).stock;
}

/** Test-only SV (in real life it comes from an order's settlement): the rest of the network, or a store's. */
export async function creditSvDirect(tc: TestCloud, holderId: string, sv: string): Promise<void> {
  tc.cloud.makeCurrent();
  const { runTx } = await import('./db');
  const { creditSv } = await import('./holders');
  await runTx((tx) => creditSv(tx, holderId, sv, `test-sv:${rid('sv')}`));
}

/** A user pays `yuan` in store at a store (cash, no points), so both get SV at settlement (SPEC §4). */
export async function spendInStore(tc: TestCloud, openid: string, merchantId: string, yuan: number): Promise<any> {
  await login(tc, openid);
  const { order, pay } = await ok(tc, 'order', openid, { action: 'create', requestId: rid('o'), merchantId, amountFen: yuan * 100 });
  await tc.pay(pay.outTradeNo);
  return order;
}
