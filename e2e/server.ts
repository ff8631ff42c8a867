/**
 * The local cloud for the end-to-end journeys: a fresh data folder, the demo world, the gateway on a free
 * port serving build/h5, the timers running. Used by e2e/run.ts; e2e/serve.ts runs it by hand:
 *   node e2e/build.mjs && node build/e2e/serve.js   → prints the URL (PORT, DATA_DIR, SEED=0)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLocalCloud, LocalCloud, REPO_ROOT } from '../localcloud/runtime';
import { startGateway, Gateway } from '../localcloud/gateway';
import { functions } from '../localcloud/functions';
import { readFunctionConfigs } from '../localcloud/timers';
import { releaseTestHooks } from '../server/release';
import { seedDemoWorld, DEMO_USERS } from '../localcloud/demo';

export interface E2EServer {
  url: string;
  cloud: LocalCloud;
  gateway: Gateway;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * `releaseTimer: false` leaves out the daily-release trigger and the minute job's release, as if every run had
 * failed: the admin's "release now" then releases the missed day (journey 1).
 */
export async function startE2EServer(opts: { port?: number; dataDir?: string; seed?: boolean; releaseTimer?: boolean; log?: (l: string) => void } = {}): Promise<E2EServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gxg-e2e-'));
  const logLines: string[] = [];
  const functionConfigs = readFunctionConfigs(REPO_ROOT, Object.keys(functions));
  if (opts.releaseTimer === false && functionConfigs.release) functionConfigs.release = { ...functionConfigs.release, triggers: [] };
  // the every-minute job also runs due releases (issue 11): off too, or the day would not stay missed
  releaseTestHooks.minuteJobOff = opts.releaseTimer === false;
  const cloud = createLocalCloud({
    dataDir,
    functions,
    functionConfigs,
    log: opts.log ?? ((l) => { logLines.push(l); if (/failed|threw|did not return/.test(l)) console.error(l); }),
  });
  if (opts.seed ?? true) await seedDemoWorld(cloud);
  const gateway = await startGateway(cloud, {
    port: opts.port ?? 0,
    host: '127.0.0.1',
    h5Dir: path.join(REPO_ROOT, 'build', 'h5'),
    demoUsers: () => DEMO_USERS,
  });
  cloud.timers.start();
  return {
    url: gateway.url,
    cloud,
    gateway,
    dataDir,
    async close() {
      cloud.timers.stop();
      await gateway.close();
      await cloud.close();
    },
  };
}
