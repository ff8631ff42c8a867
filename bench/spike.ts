/**
 * Benchmark (issue 18): a store's link shared in a crowded group chat. Hundreds of new users arrive within a
 * minute, each logging in through the link (the store is their referrer), opening the store, a third of them
 * ordering — in store and goods (a limited offer among them), some paying part with points a friend gave them —
 * while the store's existing customers keep trading on the market.
 *
 *   npm run bench:spike -- --profile cloudbase --arrivals 500 --seconds 60
 *   npm run bench:spike -- --profile local --arrivals 200 --seconds 20
 *
 * The gateway is `npm start`'s bundle in its own process (CLOUD_PROFILE=<profile>) on a fresh data folder; this
 * process is the arrivals. Arrival times are drawn front-loaded (most in the first third: a share is read soon
 * after it is posted). Every action's latency counts. After the spike: every order WeChat Pay took must be settled
 * (in store) or visibly paid (goods, awaiting shipping) within a minute — the timeouts timer is fired as the
 * platform would, once a minute — and the data folder is checked (ledger, exactly-once: proof/checks.ts).
 * The last line is one JSON object:
 *   {"profile":…,"arrivals":500,"logins":…,"orders":…,"busy":…,"p50Ms":…,"p99Ms":…,"internal":…}
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud } from '../localcloud/runtime';
import { functions } from '../localcloud/functions';
import { checkWorld } from '../proof/checks';
import { startGatewayChild } from '../proof/child';
import { buildWorld, Gateway, mulberry32, percentile, rid, Stats } from '../proof/kit';
import { argValue, machine } from './lib';

/* eslint-disable @typescript-eslint/no-explicit-any */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const profile = argValue('profile', 'local');
  const arrivals = Number(argValue('arrivals', '500'));
  const seconds = Number(argValue('seconds', '60'));
  const traders = Number(argValue('traders', '10'));
  const rnd = mulberry32(Number(argValue('seed', '18')));
  const tag = '[bench:spike]';
  console.log(`${tag} ${machine().text}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spike-'));
  const child = await startGatewayChild(path.join(dataDir, 'data'), { env: { LOCALCLOUD_QUIET: '1', CLOUD_PROFILE: profile } });
  const gw = new Gateway(child.url, { maxSockets: 1024 });
  try {
    // the world before the share, built concurrently: the store whose link is shared, three others, the store's
    // existing customers (with points, some selling on the market)
    const t0 = Date.now();
    const world = await buildWorld(gw, { prefix: 'sp', merchants: 4, users: 2 * traders + 20, depositPoints: '1500', userPoints: 40 });
    const shop = world.merchants[0];
    const offer = await gw.ok('merchant', shop.owner, {
      action: 'saveProduct', requestId: rid('offer'), title: '限时特价', priceFen: 1990, stock: Math.max(10, Math.round(arrivals / 10)), images: ['https://example.com/o.png'], description: '群内限量',
    });
    await Promise.all(world.users.slice(0, traders).map((u) => gw.ok('market', u.openid, { action: 'setPaymentDetails', accountText: `支付宝 ${u.userNo}` })));
    const friends = world.users.slice(2 * traders); // they give a few points to some newcomers
    console.log(`${tag} profile ${profile}: world built through the API in ${Date.now() - t0} ms (4 stores, ${world.users.length} customers); gateway pid ${child.proc.pid}`);

    const stats = new Stats();
    gw.stats = stats;
    const paid: Array<{ id: string; buyer: string; kind: 'instore' | 'goods' }> = [];
    let logins = 0;
    let orders = 0;
    let spikeOver = false;

    // the store's existing customers keep trading: sellers post, buyers take, pay, sellers confirm
    const trade = async (k: number) => {
      const seller = world.users[k];
      const buyer = world.users[traders + k];
      while (!spikeOver) {
        const s = await gw.call('market', seller.openid, { action: 'place', side: 'sell', priceFen: 200, quantity: '1', requestId: rid('ms') });
        if (s.body?.ok !== true) {
          await sleep(200);
          continue;
        }
        const b = await gw.call('market', buyer.openid, { action: 'place', side: 'buy', priceFen: 200, quantity: '1', requestId: rid('mb') });
        for (const t of (b.body?.data?.trades ?? []) as any[]) {
          const seller2 = world.users.find((u) => u.userNo === t.counterpartUserNo);
          await gw.call('market', buyer.openid, { action: 'markPaid', tradeId: t.id });
          if (seller2) await gw.call('market', seller2.openid, { action: 'confirm', tradeId: t.id });
        }
        await sleep(100 + rnd() * 400);
      }
    };

    // one newcomer: in through the link, the store and its products, a third of them order
    const arrive = async (i: number, at: number) => {
      await sleep(Math.max(0, at - (Date.now() - spikeStart)));
      const openid = `sp_new${i}`;
      const me = await gw.call('user', openid, { action: 'login', referrerMerchantId: shop.id });
      if (me.body?.ok !== true) return;
      logins++;
      await gw.call('merchant', openid, { action: 'get', merchantId: shop.id });
      if (i % 3 !== 0) return;
      await sleep(500 + rnd() * 3000); // reads the page, decides
      const goods = i % 2 === 0;
      let points: string | undefined;
      if (i % 4 === 0) {
        // a friend gives a few points first (a transfer), paid part of the order with
        const f = friends[i % friends.length];
        const t = await gw.call('user', f.openid, { action: 'transfer', toUserNo: me.body.data.userNo, points: '5.00', requestId: rid('gift') });
        if (t.body?.ok === true) points = '3.00';
      }
      const body = goods
        ? { items: [{ productId: i % 6 === 0 ? offer.id : shop.productId, quantity: 1 }] }
        : { amountFen: 1500 + Math.floor(rnd() * 8500) };
      const c = await gw.call('order', openid, { action: 'create', requestId: rid('sp'), merchantId: shop.id, ...body, ...(points ? { points } : {}) });
      if (c.body?.ok !== true) return;
      orders++;
      const { order, pay } = c.body.data;
      if (!pay) {
        paid.push({ id: order.id, buyer: openid, kind: order.kind });
        return;
      }
      await sleep(300 + rnd() * 1500); // WeChat Pay's own screens
      const p = await gw.pay(pay.outTradeNo, openid);
      if (p.body?.ok === true) paid.push({ id: order.id, buyer: openid, kind: order.kind });
    };

    // front-loaded arrival times: most in the first third of the window
    const times = Array.from({ length: arrivals }, () => seconds * 1000 * rnd() ** 1.8).sort((a, b) => a - b);
    const spikeStart = Date.now();
    const traderRuns = Array.from({ length: traders }, (_x, k) => trade(k));
    // the every-minute timer, as the platform fires it
    const timer = setInterval(() => void gw.timer('timeouts'), 60_000);
    await Promise.all(times.map((at, i) => arrive(i, at)));
    spikeOver = true;
    await Promise.all(traderRuns);
    const spikeMs = Date.now() - spikeStart;
    gw.stats = null;

    // within a minute: every order WeChat Pay took is settled (in store) or visibly paid (goods)
    const deadline = Date.now() + 60_000;
    let pending = paid;
    for (;;) {
      const states = await Promise.all(pending.map(async (o) => ({ o, s: (await gw.call('order', o.buyer, { action: 'get', orderId: o.id })).body?.data?.status })));
      pending = states.filter(({ o, s }) => !(o.kind === 'instore' ? s === 'completed' : s === 'paid' || s === 'completed' || s === 'shipped')).map(({ o }) => o);
      if (pending.length === 0 || Date.now() > deadline) break;
      await gw.timer('timeouts');
      await sleep(2000);
    }
    clearInterval(timer);
    const settleWaitMs = 60_000 - Math.max(0, deadline - Date.now());

    const lat = stats.latency();
    const codes = stats.outcomes.filter((o) => !o.ok);
    const busy = codes.filter((o) => o.code === 'BUSY').length;
    const internal = codes.filter((o) => o.code === 'INTERNAL' || o.status >= 500).length;
    console.log(`${tag} ${arrivals} arrivals over ${(spikeMs / 1000).toFixed(1)} s: ${logins} logins, ${orders} orders (${paid.length} paid), ${stats.outcomes.length} requests`);
    console.log(`${tag} every request: p50 ${lat.p50.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms; refused ${JSON.stringify(stats.codes())}`);
    console.log(`${tag} by action: ${JSON.stringify(stats.byLabel())}`);
    console.log(`${tag} paid orders not settled / not visibly paid after the spike: ${pending.length} (checked for ${(settleWaitMs / 1000).toFixed(0)} s)`);
    if (stats.broken.length) console.log(`${tag} first unexpected answers: ${JSON.stringify(stats.broken.slice(0, 3))}`);

    gw.close();
    await child.stop();
    const lc = createLocalCloud({ dataDir: path.join(dataDir, 'data'), functions, log: () => undefined });
    const w = await checkWorld(lc.database({ throwOnNotFound: false }), lc.pay.list());
    await lc.close();
    console.log(`${tag} afterwards: ${w.orders} orders, ${w.settled} settled, ledger ${w.ledgerEntries} entries; ${w.errors.length ? `ERRORS:\n${w.errors.slice(0, 20).join('\n')}` : 'every check holds'}`);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    console.log(JSON.stringify({ profile, arrivals, logins, orders, busy, p50Ms: r1(lat.p50), p99Ms: r1(lat.p99), internal, unsettledPaid: pending.length, checks: w.errors.length }));
    void percentile;
  } finally {
    gw.close();
    await child.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
