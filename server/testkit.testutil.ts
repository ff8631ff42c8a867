/**
 * Helpers for the gateway tests of users, merchants, orders and admin (issue 4). Everything goes through
 * HTTP (tc.call) or the payment simulator (tc.pay), as the app and WeChat would; the ledger is verified
 * after every scenario.
 */
import { startTestCloud, TestCloud } from '../localcloud/testing';
import { verifyLedger } from './ledger';

export const ADMIN = 'o_admin';
export const T0 = Date.UTC(2026, 2, 2, 2); // 2026-03-02 10:00 Asia/Shanghai

let seq = 0;
export function rid(tag = 'r'): string {
  seq += 1;
  return `${tag}-${Date.now().toString(36)}-${seq}`.replace(/[^A-Za-z0-9_-]/g, '').padEnd(8, 'x');
}

export async function startWorld(opts: { now?: number } = {}): Promise<TestCloud> {
  process.env.ADMIN_OPENIDS = ADMIN;
  return startTestCloud({ now: opts.now ?? T0 });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function ok(tc: TestCloud, fn: string, openid: string, event: Record<string, unknown>): Promise<any> {
  const r = await tc.call(fn, openid, event);
  if (!r || r.ok !== true) throw new Error(`${fn}.${String(event.action)} as ${openid} failed: ${JSON.stringify(r)}`);
  return r.data;
}

export async function fail(tc: TestCloud, fn: string, openid: string, event: Record<string, unknown>): Promise<{ code: string; message: string }> {
  const r = await tc.call(fn, openid, event);
  if (!r || r.ok !== false) throw new Error(`${fn}.${String(event.action)} as ${openid} should have failed: ${JSON.stringify(r)}`);
  return r.error;
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

export async function expectLedgerOk(tc: TestCloud): Promise<void> {
  const rep = await verifyLedger(tc.db);
  if (rep.errors.length) throw new Error(`ledger check failed:\n${rep.errors.join('\n')}`);
}

export async function balanceOf(tc: TestCloud, accountId: string): Promise<string> {
  const r = await tc.db.collection('accounts').doc(accountId).get();
  return (r.data as { balance?: string } | null)?.balance ?? '0.00';
}

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
