/**
 * npm start — build what is missing and run the local cloud on 127.0.0.1:
 *  1. the h5 app (npm run build:h5) when build/h5 has no index.html (SKIP_H5=1 skips it);
 *  2. the gateway bundle (build/localcloud/main.js), always (it takes a moment);
 *  3. run it in this process (PORT, DATA_DIR, SEED, TIMERS: see localcloud/main.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { repoRoot } from './paths';
import { buildLocal } from './build-local';

async function start() {
  const root = repoRoot();
  const h5Index = path.join(root, 'build', 'h5', 'index.html');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!fs.existsSync(h5Index) && process.env.SKIP_H5 !== '1') {
    if (pkg.scripts?.['build:h5']) {
      console.log('[start] build/h5 is missing: npm run build:h5 (once; delete build/h5 to rebuild)');
      const r = spawnSync('npm', ['run', 'build:h5'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
      if (r.status !== 0) console.warn('[start] the h5 build failed: serving the API only (see the output above)');
    } else {
      console.warn('[start] no build:h5 script yet: serving the API only');
    }
  }
  const t0 = Date.now();
  const main = await buildLocal(root);
  console.log(`[start] gateway built in ${Date.now() - t0} ms`);
  process.setSourceMapsEnabled?.(true);
  require(main); // eslint-disable-line @typescript-eslint/no-require-imports
}

start().catch((e) => {
  console.error(e);
  process.exit(1);
});
