/**
 * A gateway process (npm start's bundle) killed with SIGKILL in the middle of load, and started again on the
 * same DATA_DIR: every operation it acknowledged is there, the ledger verifies, and the requests that were in
 * flight, sent again with the same requestId, take effect exactly once. A payment that WeChat Pay took but whose
 * notification died with the process is picked up by the timeouts timer (it asks WeChat Pay), not lost.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud } from '../localcloud/runtime';
import { functions } from '../localcloud/functions';
import { transferKey } from '../server/transfers';
import { all, checkWorld } from './checks';
import { Child, removeGatewayBundle, startGatewayChild } from './child';
import { buildWorld, Gateway, mulberry32, rid, World } from './kit';

const LOAD_MS = Number(process.env.PROOF_KILL_LOAD_MS ?? 2500);
const WORKERS = 16;

let dataDir: string;
let child: Child | null = null;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proof-kill-'));
});
afterAll(async () => {
  await child?.kill();
  removeGatewayBundle();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Sent {
  kind: 'order' | 'transfer';
  openid: string;
  event: Record<string, unknown>;
  acked: boolean;
  result?: { orderId?: string; outTradeNo?: string; paid?: boolean; transferId?: string };
}

/** Open the data folder in this process (the child is not running) and run `fn` against its database. */
async function offline<T>(fn: (db: any, payOrders: Array<{ outTradeNo: string; state: string }>) => Promise<T>): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const lc = createLocalCloud({ dataDir, functions, log: () => undefined });
  try {
    return await fn(lc.database({ throwOnNotFound: false }), lc.pay.list());
  } finally {
    await lc.close();
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
test('SIGKILL under load, restart on the same data: nothing acknowledged is lost, nothing is done twice', async () => {
  child = await startGatewayChild(dataDir);
  let gw = new Gateway(child.url);
  const world: World = await buildWorld(gw, { prefix: 'kl', merchants: 4, users: 16, depositPoints: '1000', userPoints: 20 });
  const rnd = mulberry32(7);
  const sent: Sent[] = [];

  // load, and a SIGKILL at a random moment of it
  let dead = false;
  const killAt = LOAD_MS * (0.5 + rnd() * 0.5);
  const killer = setTimeout(() => {
    dead = true;
    void child!.kill();
  }, killAt);
  const end = Date.now() + LOAD_MS * 2;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_x, w) => {
      while (!dead && Date.now() < end) {
        const u = world.users[(w + Math.floor(rnd() * world.users.length)) % world.users.length];
        try {
          if (rnd() < 0.75) {
            const m = world.merchants[Math.floor(rnd() * world.merchants.length)];
            const s: Sent = { kind: 'order', openid: u.openid, event: { action: 'create', requestId: rid('ko'), merchantId: m.id, amountFen: 100 + Math.floor(rnd() * 5000) }, acked: false };
            sent.push(s);
            const c = await gw.call('order', u.openid, s.event);
            if (c.body?.ok !== true) throw new Error(`create refused: ${JSON.stringify(c.body)}`);
            s.acked = true;
            s.result = { orderId: c.body.data.order.id, outTradeNo: c.body.data.pay.outTradeNo, paid: false };
            const p = await gw.pay(c.body.data.pay.outTradeNo, u.openid);
            if (p.body?.ok === true) s.result.paid = true;
          } else {
            const to = world.users[Math.floor(rnd() * world.users.length)];
            if (to.openid === u.openid) continue;
            const s: Sent = { kind: 'transfer', openid: u.openid, event: { action: 'transfer', toUserNo: to.userNo, points: '0.10', requestId: rid('kt') }, acked: false };
            sent.push(s);
            const t = await gw.call('user', u.openid, s.event);
            if (t.body?.ok !== true) throw new Error(`transfer refused: ${JSON.stringify(t.body)}`);
            s.acked = true;
            s.result = { transferId: t.body.data.transferId };
          }
        } catch (e) {
          if (!dead) throw e; // only the kill may interrupt a request
        }
      }
    }),
  );
  clearTimeout(killer);
  await child.kill();
  gw.close();
  expect(dead).toBe(true);
  const acked = sent.filter((s) => s.acked);
  const inflight = sent.filter((s) => !s.acked);
  expect(acked.length).toBeGreaterThan(20);

  // after the kill, before any restart: every acknowledged operation is in the database, the ledger verifies
  await offline(async (db) => {
    const w = await checkWorld(db); // the WeChat Pay ↔ order check waits for the timer below
    expect(w.errors).toEqual([]);
    for (const s of acked) {
      if (s.kind === 'order') {
        const o = (await db.collection('orders').doc(s.result!.orderId!).get()).data;
        expect(o).toBeTruthy();
        if (s.result!.paid) expect(o.status).toBe('completed');
      } else {
        expect((await db.collection('ledger').doc(transferKey(s.openid, String(s.event.requestId))).get()).data).toBeTruthy();
      }
    }
  });

  // restart on the same data; the clients send what was in flight again, with the same requestIds
  child = await startGatewayChild(dataDir);
  gw = new Gateway(child.url);
  for (const s of inflight) {
    const fn = s.kind === 'order' ? 'order' : 'user';
    const a = await gw.call(fn, s.openid, s.event);
    expect([s.event.action, a.body?.ok, a.body?.error]).toEqual([s.event.action, true, undefined]); // the refusal shown on failure
    if (s.kind === 'order') s.result = { orderId: a.body.data.order.id, outTradeNo: a.body.data.pay?.outTradeNo };
    else s.result = { transferId: a.body.data.transferId };
  }
  // replays of acknowledged requests return the first result
  for (const s of acked.slice(0, 10)) {
    const a = await gw.call(s.kind === 'order' ? 'order' : 'user', s.openid, s.event);
    expect([s.event.action, a.body?.ok, a.body?.error]).toEqual([s.event.action, true, undefined]); // the refusal shown on failure
    if (s.kind === 'order') expect(a.body.data.order.id).toBe(s.result!.orderId);
    else expect(a.body.data.transferId).toBe(s.result!.transferId);
  }
  // 31 minutes later the timeouts timer settles paid-but-unnotified orders and cancels the unpaid ones
  await gw.clock({ advanceMs: 31 * 60_000 });
  const tick = await gw.timer('timeouts');
  expect(tick.ok).toBe(true);
  gw.close();
  await child.stop();
  child = null;

  await offline(async (db, payOrders) => {
    const w = await checkWorld(db, payOrders);
    expect(w.errors).toEqual([]);
    // exactly one order per create request, and every order came from one of them
    const reqs = await all(db, 'requests', { scope: 'order.create' });
    const orders = await all(db, 'orders');
    const sentOrders = sent.filter((s) => s.kind === 'order');
    expect(reqs).toHaveLength(sentOrders.length);
    expect(orders).toHaveLength(sentOrders.length);
    expect(new Set(reqs.map((r) => r.result.orderId))).toEqual(new Set(orders.map((o) => o._id)));
    for (const s of sentOrders) expect(orders.find((o) => o._id === s.result!.orderId)).toBeTruthy();
    // exactly one ledger entry per transfer request
    const transfers = await all(db, 'ledger', { kind: 'transfer' });
    const sentTransfers = sent.filter((s) => s.kind === 'transfer');
    expect(transfers.length).toBe(sentTransfers.length + world.users.length); // + the seeding transfers
    for (const s of sentTransfers) expect(transfers.find((t) => t._id === transferKey(s.openid, String(s.event.requestId)))).toBeTruthy();
    console.log(`[proof/kill] killed after ${Math.round(killAt)} ms: ${acked.length} acknowledged, ${inflight.length} in flight; ${orders.length} orders, ${w.settled} settled, ${transfers.length} transfers`);
  });
});
