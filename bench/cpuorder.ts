/**
 * CPU per settled in-store order, in one process (client + gateway), sequential or N concurrent: a quick probe for
 * changes to the payment path or the local engine (noise-free compared with throughput on a shared machine).
 *   node scripts/run-ts.cjs bench/cpuorder.ts [--orders 2000] [--concurrency 20] [--profile local]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud } from '../localcloud/runtime';
import { startGateway } from '../localcloud/gateway';
import { functions } from '../localcloud/functions';
import { buildWorld, Gateway, rid } from '../proof/kit';
import { argValue } from './lib';
import { ProfileName } from '../localcloud/profile';

async function main(): Promise<void> {
  const n = Number(argValue('orders', '2000'));
  const conc = Number(argValue('concurrency', '20'));
  const profile = argValue('profile', 'local') as ProfileName;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cpu-'));
  process.env.ADMIN_OPENIDS = 'o_proof_admin';
  const cloud = createLocalCloud({ dataDir: dir, functions, log: () => undefined, profile });
  const gwServer = await startGateway(cloud, { h5Dir: null });
  const gw = new Gateway(gwServer.url);
  try {
    const world = await buildWorld(gw, { prefix: 'bc', merchants: 20, users: 100, depositPoints: '2400' });
    let next = 0;
    const order = async (i: number) => {
      const buyer = world.users[i % world.users.length].openid;
      const cr = await gw.ok('order', buyer, { action: 'create', requestId: rid('bc'), merchantId: world.merchants[i % world.merchants.length].id, amountFen: 1000 + (i % 9000) });
      await gw.pay(cr.pay.outTradeNo, buyer);
    };
    const run = async (count: number) => {
      next = 0;
      await Promise.all(Array.from({ length: conc }, async () => {
        for (let i = next++; i < count; i = next++) await order(i);
      }));
    };
    await run(Math.min(300, n)); // warm-up
    const stats = cloud.engine.store.stats;
    const s0 = { ...stats };
    const seq0 = cloud.engine.currentSeq();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run(n);
    const c = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    const per = (k: keyof typeof stats) => ((stats[k] - s0[k]) / n).toFixed(1);
    console.log(`per order: ${((cloud.engine.currentSeq() - seq0) / n).toFixed(1)} commits, ${per('docWrites')} documents written, ${per('docReads')} read, ${per('batches')} SQLite transactions`);
    console.log(`${n} orders, ${conc} concurrent, profile ${profile}: CPU ${((c.user + c.system) / 1000 / n).toFixed(3)} ms/order (user ${(c.user / 1000 / n).toFixed(3)}, sys ${(c.system / 1000 / n).toFixed(3)}), wall ${(ms / n).toFixed(3)} ms/order = ${((n / ms) * 1000).toFixed(0)}/s; load ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
  } finally {
    gw.close();
    await gwServer.close();
    await cloud.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
