/**
 * The census of shared documents (docs/architecture.md "Documents many requests write"), checked against the
 * code: a scenario runs the actions of every kind of user (registration through a shared link, a store's
 * onboarding, goods and in-store orders, refunds, the market, a transfer, the timers, the daily release) and
 * records every document each one writes. A document is either one request's own (its user's, its order's, its
 * trade's: the patterns below) or listed in the census with its peak write rate; anything else fails the test,
 * so a new document that many requests write cannot appear without being counted.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { TestCloud } from '../localcloud/testing';
import { recordOps, writtenDocs } from './dbops.testutil';
import { ADMIN, activeMerchant, grantPoints, login, ok, product, rid, worldForEachTest } from './testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Documents a request writes for itself only: the caller's own, or the order / trade / purchase it is about. */
const OWN: Array<[RegExp, string]> = [
  [/^users\/[^/]+$/, "the user's own document"],
  [/^userNos\/\d+$/, "the user's number, claimed once at registration"],
  [/^requests\/[^/]+$/, 'an idempotency record of one request'],
  [/^accounts\/user:[^/]+:(available|escrow)$/, "a user's own balances (another user's only as the counterpart of a transfer or a trade the user made)"],
  [/^accounts\/hold:(order|purchase):[^/]+$/, "one order's / purchase's hold"],
  [/^accounts\/treasury:in:(order|trade):[^/]+$/, "one order's / trade's treasury inbox"],
  [/^ledger\/[^/]+$/, 'one immutable entry'],
  [/^orders\/O\w+$/, 'one order'],
  [/^purchases\/D\w+$/, 'one deposit purchase'],
  [/^holders\/user:[^/]+$/, "a user's shared value"],
  [/^holderHistory\/[^/]+$/, "one record of one holder's change"],
  [/^marketTrades\/MT[\w-]+$/, 'one trade'],
  [/^marketPayment\/[^/]+$/, "a seller's payment details"],
  [/^marketPenalty\/[^/]+$/, "a buyer's lapses"],
  [/^subscriptions\/[^/]+$/, "a user's notice opt-in"],
  [/^notifications\/[^/]+$/, 'one notice to one user'],
  [/^audit\/[^/]+$/, "one admin action's record"],
  [/^admins\/[^/]+$/, 'one admin'],
  [/^messages\/[^/|]+\|[^/]+$/, "one message to one user (the message centre), after the commit"],
  [/^storeDayMarks\/[^/]+$/, "one order event's mark (counted once into its store's day)"],
  [/^releaseDays\/\d{4}-\d{2}-\d{2}$/, "one day's release record (written by that day's release only)"],
  [/^guidePriceHistory\/[^/]+$/, 'one move of the guide price'],
  [/^release\/sum-\d+-\d+$/, 'one closed Σ segment (written by one release)'],
  [/^messages\/[^/|]+\|[^/]+$/, "one message to one user about one event (after the event's commit)"],
  [/^messageState\/[^/]+$/, "a user's own message-centre state"],
  [/^addresses\/[^/]+$/, "a user's own address book"],
  [/^storeDayMarks\/O\w+:(paid|refunded)$/, "one order's statistics marker"],
];

/** The census rows of docs/architecture.md: `coll/<part>…` patterns in the first column of its table. */
function censusPatterns(): Array<{ text: string; re: RegExp }> {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'architecture.md'), 'utf8');
  const start = doc.indexOf('### Documents many requests write');
  if (start < 0) throw new Error('docs/architecture.md has no census section');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1) > 0 ? doc.indexOf('\n## ', start + 1) : undefined);
  const rows = section.split('\n').filter((l) => /^\| `[^`]+`/.test(l));
  return rows.map((l) => {
    const text = /^\| `([^`]+)`/.exec(l)![1];
    const re = new RegExp('^' + text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<[^>]+>/g, '[^/]+') + '$');
    return { text, re };
  });
}

describe('census of shared documents', () => {
  let tc: TestCloud;
  worldForEachTest((c) => (tc = c));

  test('every document the actions write is either the request\'s own or listed in the census', async () => {
    const written = new Map<string, Set<string>>(); // doc → actions that wrote it
    const run = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
      const { result, ops } = await recordOps(fn);
      for (const d of writtenDocs(ops)) {
        if (!written.has(d)) written.set(d, new Set());
        written.get(d)!.add(action);
      }
      return result;
    };
    // a store, its products, its deposit
    const mid = await run('merchant onboarding', () => activeMerchant(tc, 'o_shop', { depositPoints: '250' }));
    const p = await run('merchant.saveProduct', () => product(tc, 'o_shop', '限量月饼', 1500, 50));
    const owner = await login(tc, 'o_shop');
    // arrivals through the shared link
    const fans = ['o_f1', 'o_f2', 'o_f3', 'o_f4'];
    for (const f of fans) await run('user.login (referred)', () => login(tc, f, { referrerUserNo: owner.userNo, referrerMerchantId: undefined }));
    await run('user.login (store link)', () => login(tc, 'o_f5', { referrerMerchantId: mid }));
    await grantPoints(tc, 'o_f1', '20');
    // goods: create, pay, ship, confirm; in store with points; a refund; a cancel
    const g = await run('order.create (goods)', () => ok(tc, 'order', 'o_f1', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 2 }], points: '3' }));
    await run('payment (goods)', () => tc.pay(g.pay.outTradeNo));
    await run('merchant.ship', () => ok(tc, 'merchant', 'o_shop', { action: 'ship', orderId: g.order.id, trackingNo: 'SF1' }));
    await run('order.confirm', () => ok(tc, 'order', 'o_f1', { action: 'confirm', orderId: g.order.id }));
    const s = await run('order.create (in store)', () => ok(tc, 'order', 'o_f2', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 8800 }));
    await run('payment (in store)', () => tc.pay(s.pay.outTradeNo));
    const r = await run('order.create (goods)', () => ok(tc, 'order', 'o_f3', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] }));
    await run('payment (goods)', () => tc.pay(r.pay.outTradeNo));
    await run('order.refund', () => ok(tc, 'order', 'o_f3', { action: 'refund', orderId: r.order.id, reason: '不要了' }));
    const c = await run('order.create (goods)', () => ok(tc, 'order', 'o_f4', { action: 'create', requestId: rid(), merchantId: mid, items: [{ productId: p.id, quantity: 1 }] }));
    await run('order.cancel', () => ok(tc, 'order', 'o_f4', { action: 'cancel', orderId: c.order.id }));
    // the market: a sell order, a buyer taking it, paid, confirmed; a transfer
    await grantPoints(tc, 'o_f5', '30');
    await run('market.setPaymentDetails', () => ok(tc, 'market', 'o_f5', { action: 'setPaymentDetails', accountText: '支付宝 f5' }));
    await run('market.place (sell)', () => ok(tc, 'market', 'o_f5', { action: 'place', side: 'sell', priceFen: 200, quantity: '10', requestId: rid() }));
    const buy = await run('market.place (buy, matching)', () => ok(tc, 'market', 'o_f2', { action: 'place', side: 'buy', priceFen: 200, quantity: '4', requestId: rid() }));
    const tradeId = buy.trades[0].id;
    await run('market.markPaid', () => ok(tc, 'market', 'o_f2', { action: 'markPaid', tradeId }));
    await run('market.confirm', () => ok(tc, 'market', 'o_f5', { action: 'confirm', tradeId }));
    await run('user.transfer', () => ok(tc, 'user', 'o_f1', { action: 'transfer', requestId: rid(), toUserNo: owner.userNo, points: '1' }));
    // the timers: the every-minute job (sweep included), the daily release, and the settle-on-read after it
    await run('timeouts.tick', () => ok(tc, 'timeouts', ADMIN, { action: 'tick' }));
    await tc.clock.set(Date.UTC(2026, 2, 2, 14, 0, 1));
    await run('release (timer)', () => tc.fireTimer('release'));
    await run('user.assets (settle on read)', () => ok(tc, 'user', 'o_f2', { action: 'assets' }));
    const s2 = await run('order.create (in store)', () => ok(tc, 'order', 'o_f2', { action: 'create', requestId: rid(), merchantId: mid, amountFen: 5000 }));
    await run('payment (in store)', () => tc.pay(s2.pay.outTradeNo));

    const census = censusPatterns();
    expect(census.length).toBeGreaterThan(5);
    const unlisted: string[] = [];
    const shared = new Map<string, Set<string>>();
    for (const [d, actions] of written) {
      if (OWN.some(([re]) => re.test(d))) continue;
      const row = census.find((c) => c.re.test(d));
      if (!row) unlisted.push(`${d} (written by ${[...actions].join(', ')})`);
      else shared.set(row.text, new Set([...(shared.get(row.text) ?? []), ...actions]));
    }
    console.log('shared documents written, by census row:\n' + [...shared].map(([k, v]) => `  ${k}: ${[...v].join(', ')}`).join('\n'));
    expect(unlisted).toEqual([]);
    // the documents that must never be on an order's or a registration's path (the census says so)
    for (const d of ['accounts/treasury', 'counters/userNo', 'release/state', 'accounts/release:unissued']) {
      const by = [...(written.get(d) ?? [])].filter((a) => a.startsWith('payment') || a.startsWith('order.create') || a.startsWith('user.login'));
      expect([d, by]).toEqual([d, []]);
    }
  });
});
