/**
 * Benchmark: settled orders a second through the gateway, and their latency, at N concurrent clients.
 *
 *   npm run bench:settlement                                  # 50 clients, 20 s measured after 3 s of warm-up
 *   npm run bench:settlement -- --clients 50 --seconds 20 --merchants 20 --users 500
 *   npm run bench:settlement -- --cpu-prof                    # also profile the gateway: where the time goes
 *   npm run bench:settlement -- --write                       # rewrite the section of docs/benchmarks.md
 *
 * The gateway is `npm start`'s bundle (localcloud/main.ts) in its own process, on a fresh data folder, as a
 * developer runs it; this process is the clients (HTTP/1.1 keep-alive). Each client loops: an in-store order
 * (order.create) and its WeChat Pay payment (POST /__local/pay: the simulator notifies the payment function,
 * which settles an in-store order at once). A settled order = both answered OK and the order completed.
 * Afterwards the gateway is stopped and the data folder checked: the ledger verifies, shared value and every
 * exactly-once property of proof/checks.ts hold.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud, LocalCloud } from '../localcloud/runtime';
import { startGateway } from '../localcloud/gateway';
import { functions } from '../localcloud/functions';
import { checkWorld } from '../proof/checks';
import { gatewayBundle, startGatewayChild } from '../proof/child';
import { SourceMapConsumer } from 'source-map-js';
import { buildWorld, Gateway, mulberry32, percentile, rid, Stats } from '../proof/kit';
import { argValue, hasFlag, machine, writeSection } from './lib';

/* eslint-disable @typescript-eslint/no-explicit-any */
function summarizeProfile(file: string, top = 25): string[] {
  const mapFile = `${gatewayBundle()}.map`;
  const smc = fs.existsSync(mapFile) ? new SourceMapConsumer(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : null;
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number }>;
    samples: number[];
    timeDeltas: number[];
  };
  const byNode = new Map<number, number>();
  prof.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...byNode.values()].reduce((a, b) => a + b, 0) || 1;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const n of prof.nodes) {
    const t = byNode.get(n.id) ?? 0;
    if (!t) continue;
    let url = n.callFrame.url.replace(/^file:\/\//, '');
    let line = n.callFrame.lineNumber + 1;
    if (smc && url.endsWith('main.js')) {
      const o = smc.originalPositionFor({ line, column: Math.max(0, n.callFrame.columnNumber) });
      if (o.source) {
        url = o.source;
        line = o.line ?? line;
      }
    }
    url = url.replace(/.*\/node_modules\//, 'node_modules/').replace(/^(\.\.\/)+/, '').replace(/.*\/(localcloud|server|shared|cloudfunctions)\//, '$1/');
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url.startsWith('node_modules/') ? url.split('/').slice(0, 2).join('/') : url}:${line}` : ''}`.trim();
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    const f = url ? (url.startsWith('node_modules/') ? url.split('/').slice(0, 2).join('/') : url) : n.callFrame.functionName;
    byFile.set(f, (byFile.get(f) ?? 0) + t);
  }
  const pct = (t: number) => `${((t / total) * 100).toFixed(1)}%`;
  const lines = ['self time by function:'];
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  lines.push('self time by file / package:');
  for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(v).padStart(6)}  ${k}`);
  return lines;
}

/**
 * What one settled in-store order costs the local runtime, measured sequentially in this process (no
 * contention, no other process): transactions, documents read (from the store's memory or SQLite) and written,
 * SQLite write transactions, and time. The store counts its own work (store.stats).
 */
async function costPerOrder(n: number): Promise<{ ms: number; commits: number; docWrites: number; docReads: number; sqliteReads: number; batches: number; requests: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cost-'));
  process.env.ADMIN_OPENIDS = 'o_proof_admin';
  const cloud: LocalCloud = createLocalCloud({ dataDir: dir, functions, log: () => undefined });
  const gwServer = await startGateway(cloud, { h5Dir: null });
  const gw = new Gateway(gwServer.url);
  try {
    const world = await buildWorld(gw, { prefix: 'bc', merchants: 4, users: 20, depositPoints: '1500' });
    const stats = cloud.engine.store.stats;
    const order = async (i: number) => {
      const buyer = world.users[i % world.users.length].openid;
      const cr = await gw.ok('order', buyer, { action: 'create', requestId: rid('bc'), merchantId: world.merchants[i % 4].id, amountFen: 1000 + i });
      await gw.pay(cr.pay.outTradeNo, buyer);
    };
    for (let i = 0; i < 50; i++) await order(i); // warm-up
    const s0 = { ...stats };
    const seq0 = cloud.engine.currentSeq();
    const t = performance.now();
    for (let i = 0; i < n; i++) await order(i);
    const ms = (performance.now() - t) / n;
    const per = (k: keyof typeof stats) => (stats[k] - s0[k]) / n;
    return {
      ms,
      commits: (cloud.engine.currentSeq() - seq0) / n,
      docWrites: per('docWrites'),
      docReads: per('docReads'),
      sqliteReads: per('docReadsFromSqlite') + per('rowsSelected'),
      batches: per('batches'),
      requests: 2,
    };
  } finally {
    gw.close();
    await gwServer.close();
    await cloud.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const clients = Number(argValue('clients', '50'));
  const seconds = Number(argValue('seconds', '20'));
  const warmup = Number(argValue('warmup', '3'));
  const merchants = Number(argValue('merchants', '20'));
  const users = Number(argValue('users', '500'));
  // each order takes its merchant's deduction (10% of the cash at ¥2 a point: 2.75 points on average here), so the
  // merchants' deposits bound how many orders the run can settle (a merchant below zero takes no orders): most of
  // the treasury's 50,000 points go to them — about 17,000 orders, 20 s at 850 a second
  const depositPoints = Math.min(2400, Math.floor(48_000 / merchants));
  const prof = hasFlag('cpu-prof');
  const m = machine();
  console.log(`[bench:settlement] ${m.text}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-settlement-'));
  const profDir = path.join(dataDir, 'prof');
  const child = await startGatewayChild(path.join(dataDir, 'data'), {
    nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    env: { LOCALCLOUD_QUIET: '1' },
  });
  const gw = new Gateway(child.url, { maxSockets: clients + 8 });
  try {
    const t0 = Date.now();
    const world = await buildWorld(gw, { prefix: 'bs', merchants, users, depositPoints: String(depositPoints) });
    console.log(`[bench:settlement] ${merchants} active merchants and ${users} users built through the API in ${Date.now() - t0} ms; gateway pid ${child.proc.pid}`);
    const rnd = mulberry32(42);

    let stats = new Stats();
    let orderMs: number[] = [];
    let settled = 0;
    let measuring = false;
    const loop = async (c: number, until: () => boolean) => {
      for (let i = 0; !until(); i++) {
        const buyer = world.users[(c * 7919 + i) % world.users.length].openid;
        const mer = world.merchants[Math.floor(rnd() * world.merchants.length)];
        const t = performance.now();
        const cr = await gw.call('order', buyer, { action: 'create', requestId: rid('bs'), merchantId: mer.id, amountFen: 1000 + Math.floor(rnd() * 9000) });
        if (cr.body?.ok !== true) continue;
        const p = await gw.pay(cr.body.data.pay.outTradeNo, buyer);
        const okPaid = p.body?.ok === true && (p.body.data?.callbackResults?.[0] as any)?.errcode === 0;
        if (okPaid && measuring) {
          settled++;
          orderMs.push(performance.now() - t);
        }
      }
    };
    // warm-up (JIT, SQLite caches), then the measured window
    gw.stats = stats;
    let end = Date.now() + warmup * 1000;
    await Promise.all(Array.from({ length: clients }, (_x, c) => loop(c, () => Date.now() >= end)));
    stats = new Stats();
    gw.stats = stats;
    orderMs = [];
    settled = 0;
    measuring = true;
    const start = performance.now();
    end = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: clients }, (_x, c) => loop(c, () => Date.now() >= end)));
    const elapsed = (performance.now() - start) / 1000;
    gw.stats = null;

    const rate = settled / elapsed;
    const req = stats.latency();
    orderMs.sort((a, b) => a - b);
    const ord = { p50: percentile(orderMs, 50), p95: percentile(orderMs, 95), p99: percentile(orderMs, 99) };
    const failures = stats.outcomes.filter((o) => !o.ok);
    const byLabel = stats.byLabel();
    console.log(`[bench:settlement] ${settled} orders settled in ${elapsed.toFixed(1)} s = ${rate.toFixed(0)} settled orders/s at ${clients} clients`);
    console.log(`[bench:settlement] per request: p50 ${req.p50.toFixed(1)} ms, p95 ${req.p95.toFixed(1)} ms, p99 ${req.p99.toFixed(1)} ms (${stats.outcomes.length} requests, ${failures.length} refused: ${JSON.stringify(stats.codes())})`);
    console.log(`[bench:settlement] per order (create + pay): p50 ${ord.p50.toFixed(1)} ms, p95 ${ord.p95.toFixed(1)} ms, p99 ${ord.p99.toFixed(1)} ms`);
    console.log(`[bench:settlement] by action: ${JSON.stringify(byLabel)}`);

    gw.close();
    await child.stop();
    let profile: string[] = [];
    if (prof) {
      const files = fs.existsSync(profDir) ? fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
      if (files.length) {
        const keep = path.join(os.tmpdir(), `settlement-${Date.now()}.cpuprofile`);
        fs.copyFileSync(path.join(profDir, files[0]), keep);
        profile = summarizeProfile(keep);
        console.log(`[bench:settlement] gateway CPU profile: ${keep} (open in Chrome DevTools)\n${profile.join('\n')}`);
      }
    }
    // the data folder afterwards: nothing lost or done twice
    const lc = createLocalCloud({ dataDir: path.join(dataDir, 'data'), functions, log: () => undefined });
    const w = await checkWorld(lc.database({ throwOnNotFound: false }), lc.pay.list());
    await lc.close();
    console.log(`[bench:settlement] afterwards: ${w.orders} orders, ${w.settled} settled, ledger ${w.ledgerEntries} entries; ${w.errors.length ? `ERRORS:\n${w.errors.slice(0, 20).join('\n')}` : 'every check holds'}`);

    const cost = await costPerOrder(300);
    console.log(`[bench:settlement] one in-store order, sequential, in one process: ${cost.ms.toFixed(2)} ms (2 HTTP requests), ${cost.commits.toFixed(1)} commits, ${cost.docWrites.toFixed(1)} documents written in ${cost.batches.toFixed(1)} SQLite transactions, ${cost.docReads.toFixed(1)} read (${cost.sqliteReads.toFixed(1)} from SQLite)`);
    const okRate = rate >= 500 ? 'met' : 'missed';
    const okP99 = req.p99 < 100 ? 'met' : 'missed';
    if (hasFlag('write')) {
      writeSection(
        'settlement',
        `## Order settlement through the gateway

\`npm run bench:settlement\` (bench/settlement.ts). Machine: ${m.text}.

The gateway of \`npm start\` (localcloud/main.ts bundled, SQLite in WAL mode) in its own process on a fresh data
folder; ${clients} concurrent HTTP clients in a second process, each looping: an in-store order (\`order.create\`)
then its WeChat Pay payment (\`POST /__local/pay\`: the simulator sends the payment notification to the
\`payment\` function, which takes the merchant's deduction and settles the order: shared value to buyer and
merchant). ${merchants} active merchants, ${users} users, amounts ¥10–¥100; ${warmup} s of warm-up, then ${seconds} s measured.

| measure | figure | target |
|---|---:|---|
| settled orders / s | **${rate.toFixed(0)}** | ≥ 500: ${okRate} |
| request latency p50 / p95 / p99 | ${req.p50.toFixed(1)} / ${req.p95.toFixed(1)} / **${req.p99.toFixed(1)} ms** | p99 < 100 ms: ${okP99} |
| order latency (create + pay) p50 / p95 / p99 | ${ord.p50.toFixed(1)} / ${ord.p95.toFixed(1)} / ${ord.p99.toFixed(1)} ms | |
| requests answered / refused | ${stats.outcomes.length} / ${failures.length} ${failures.length ? `(${Object.entries(stats.codes()).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''} | |
| afterwards (ledger, conservation, exactly once) | ${w.errors.length ? `${w.errors.length} errors` : 'every check holds'} (${w.settled} orders settled) | |

One in-store order measured alone (sequentially, client and gateway in one process, no contention): **${cost.ms.toFixed(2)} ms**
for its 2 requests, ${cost.commits.toFixed(1)} database commits, ${cost.docWrites.toFixed(1)} documents written and ${cost.docReads.toFixed(1)} read — so one
core settles at most about ${Math.round(1000 / cost.ms)} orders a second this way, whatever the concurrency.

By action: ${Object.entries(byLabel).map(([k, v]) => `\`${k}\` p50 ${v.p50} / p99 ${v.p99} ms`).join('; ')}.
${profile.length ? `\nWhere the gateway's time goes (\`--cpu-prof\`, self time):\n\n\`\`\`\n${profile.join('\n')}\n\`\`\`` : ''}`,
      );
    }
    if (w.errors.length) process.exitCode = 1;
  } finally {
    gw.close();
    await child.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
