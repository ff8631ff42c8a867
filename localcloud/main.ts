/**
 * `npm start`: the local cloud with the gateway on 127.0.0.1.
 *   PORT      port (default 8787)
 *   DATA_DIR  data folder (default ./data/local); delete it to start over
 *   SEED=0    on a first start, leave the database empty instead of seeding the demo world
 *   TIMERS=0  do not fire timers automatically (POST /__local/timer/<fn> still works)
 *   CLOUD_PROFILE=cloudbase  CloudBase's latency, locks, isolation and limits (localcloud/profile.ts)
 */
import * as fs from 'fs';
import * as path from 'path';
import { createLocalCloud, REPO_ROOT } from './runtime';
import { startGateway } from './gateway';
import { functions } from './functions';
import { seedDemoWorld } from './demo';

async function main() {
  const port = Number(process.env.PORT ?? 8787);
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(REPO_ROOT, 'data', 'local'));
  const h5Dir = path.join(REPO_ROOT, 'build', 'h5');
  const cloud = createLocalCloud({ dataDir, functions });
  cloud.pay.autoRetry = true;

  const store = cloud.engine.store;
  if (!store.metaGet('initializedAt')) {
    if (process.env.SEED === '0') {
      console.log('[localcloud] first start with SEED=0: the database starts empty');
      store.metaSet('demoUsers', '[]');
    } else {
      console.log('[localcloud] first start: seeding the demo world…');
      const users = await seedDemoWorld(cloud);
      store.metaSet('demoUsers', JSON.stringify(users ?? []));
      console.log(`[localcloud] seeded (${(users ?? []).length} demo users)`);
    }
    store.metaSet('initializedAt', new Date().toISOString());
  }
  const demoUsers = JSON.parse(store.metaGet('demoUsers') ?? '[]') as unknown[];

  const gw = await startGateway(cloud, { port, host: '127.0.0.1', h5Dir, demoUsers: () => demoUsers, logRequests: process.env.LOG_REQUESTS === '1' });
  if (process.env.TIMERS !== '0') cloud.timers.start();

  const h5 = fs.existsSync(path.join(h5Dir, 'index.html')) ? `${gw.url}/` : '(no h5 build: npm run build:h5)';
  console.log(
    [
      '',
      '  共享购 local cloud',
      `  app        ${h5}`,
      `  API        POST ${gw.url}/api/<function>   (header x-openid)`,
      `  PORT       ${gw.port}`,
      `  DATA_DIR   ${dataDir}`,
      `  functions  ${Object.keys(cloud.functions).join(', ') || '(none)'}`,
      `  timers     ${cloud.timers.list().map((t) => `${t.fn} "${t.config}"`).join(', ') || '(none)'}${process.env.TIMERS === '0' ? ' (off)' : ''}`,
      `  clock      ${new Date(cloud.clock.now()).toISOString()} (move it: POST /__local/clock)`,
      `  profile    ${cloud.profile.name}${cloud.profile.dbRoundTripMs ? ` (${cloud.profile.dbRoundTripMs} ms a database round trip, ${cloud.profile.isolation} isolation; docs/localcloud.md)` : ''}`,
      '',
    ].join('\n'),
  );

  let closing = false;
  const shutdown = async (sig: string) => {
    if (closing) return;
    closing = true;
    console.log(`[localcloud] ${sig}: closing`);
    await gw.close();
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
