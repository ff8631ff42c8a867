/**
 * The subscribe-message flow as the cloud would run it, asserted through the local cloud's `/__local/messages`
 * view (what would have been sent): a user who consented to the release notice (user.subscribeRelease, what
 * the assets page calls after wx.requestSubscribeMessage) gets one after the nightly release, and market
 * notices go to the parties — each with the template id of its declared variable (TMPL_*) and a page of
 * app.config.ts (shared/templates.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { TestCloud } from '../localcloud/testing';
import { TEMPLATES } from '../shared/templates';
import { releaseMoment } from '../shared/time';
import { runTx } from '../server/db';
import { creditSv, userHolderId } from '../server/holders';
import { ADMIN, grantPoints, login, ok, rid, T0, worldForFile } from '../server/testkit.testutil';

const IDS: Record<string, string> = {
  TMPL_RELEASE_NOTICE: 'tmplRelease000001',
  TMPL_MARKET_TRADE_PAID: 'tmplPaid000000001',
  TMPL_MARKET_TRADE_COMPLETED: 'tmplDone000000001',
  TMPL_MARKET_TRADE_CANCELLED: 'tmplCancel0000001',
  TMPL_MARKET_APPEAL_DECIDED: 'tmplAppeal0000001',
};
const saved = Object.fromEntries(Object.keys(IDS).map((k) => [k, process.env[k]]));
beforeAll(() => Object.assign(process.env, IDS));
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

let tc: TestCloud;
worldForFile((c) => (tc = c), { frozenClock: true, setup: (c) => login(c, ADMIN) });

/** GET /__local/messages?touser=… — the local cloud's record of what would have been sent. */
async function sentTo(touser: string): Promise<Array<{ templateId: string; page: string; data: Record<string, { value: string }>; fromFunction: string }>> {
  const res = await fetch(`${tc.url}/__local/messages?touser=${encodeURIComponent(touser)}`);
  const body = (await res.json()) as { ok: boolean; data: never[] };
  expect(body.ok).toBe(true);
  return body.data;
}

const appPages = (() => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'miniprogram', 'src', 'app.config.ts'), 'utf8');
  return [...(/pages:\s*\[([\s\S]*?)\]/.exec(text)![1].matchAll(/'([^']+)'/g))].map((m) => m[1]);
})();

test('a user who consented gets the release notice after the nightly release; one who did not, none', async () => {
  const [yes, no] = ['o_sub_yes', 'o_sub_no'];
  await login(tc, yes);
  await login(tc, no);
  await runTx((tx) => creditSv(tx, userHolderId(yes), '1000', `test:sub:${yes}`));
  await runTx((tx) => creditSv(tx, userHolderId(no), '1000', `test:sub:${no}`));
  // the assets page: the user tapped 通知我 and accepted the template
  expect(await ok(tc, 'user', yes, { action: 'subscribeRelease', accepted: true })).toEqual({ enabled: true, credits: 1 });

  const day = new Date(T0 + 8 * 3600_000).toISOString().slice(0, 10);
  await tc.clock.set(releaseMoment(day, 22));
  const run = await tc.fireTimer('release');
  expect(run.error ?? null).toBeNull();

  const msgs = await sentTo(yes);
  expect(msgs).toHaveLength(1);
  const [m] = msgs;
  expect(m).toMatchObject({ templateId: 'tmplRelease000001', page: TEMPLATES.releaseNotice.page, fromFunction: 'release' });
  expect(appPages).toContain(m.page);
  expect(Object.keys(m.data)).toEqual(TEMPLATES.releaseNotice.keys);
  expect(m.data.date1.value).toBe(`${day} 22:00`);
  expect(await sentTo(no)).toEqual([]);
  // one consent, one notice: the credit is used
  await tc.fireTimer('timeouts');
  expect(await sentTo(yes)).toHaveLength(1);
});

test('market notices open the trade page with its id, with the declared template ids', async () => {
  const [seller, buyer] = ['o_sub_seller', 'o_sub_buyer'];
  await login(tc, seller);
  await login(tc, buyer);
  await grantPoints(tc, seller, '100');
  await ok(tc, 'market', seller, { action: 'setPaymentDetails', accountText: '支付宝 卖家' });
  const guide = (await ok(tc, 'market', seller, { action: 'depth', levels: 1 })).guidePriceFen as number;
  await ok(tc, 'market', seller, { action: 'place', side: 'sell', priceFen: guide, quantity: '10', requestId: rid('s') });
  const bought = await ok(tc, 'market', buyer, { action: 'place', side: 'buy', priceFen: guide, quantity: '10', requestId: rid('b') });
  const tradeId = bought.trades[0].id as string;
  await ok(tc, 'market', buyer, { action: 'markPaid', tradeId });
  await ok(tc, 'market', seller, { action: 'confirm', tradeId });

  const toSeller = await sentTo(seller);
  const toBuyer = await sentTo(buyer);
  expect(toSeller.map((x) => [x.templateId, x.page])).toEqual([['tmplPaid000000001', `pages/trade/index?id=${tradeId}`]]);
  expect(toBuyer.map((x) => [x.templateId, x.page])).toEqual([['tmplDone000000001', `pages/trade/index?id=${tradeId}`]]);
  expect(appPages).toContain(toSeller[0].page.split('?')[0]);
  expect(Object.keys(toSeller[0].data)).toEqual(TEMPLATES.tradePaid.keys);
});
