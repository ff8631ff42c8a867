/**
 * The end-to-end journeys in headless Chromium against the local cloud (npm run test:e2e):
 * builds the h5 app if it is missing or older than its sources, starts the gateway on a free port with a
 * fresh data folder and the demo world, runs each journey as real people tapping through the app, saves
 * screenshots to artifacts/screenshots/<journey>/, and exits non-zero if any journey fails.
 *   E2E_ONLY=c2c      run only journeys whose name contains the text
 *   E2E_KEEP=1        keep the server running after the journeys (prints its URL)
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { launchBrowser, Local, REPO, SHOTS_DIR } from './lib';
import { startE2EServer } from './server';
import { sharedLinkJourney } from './journeys/sharedLink';
import { c2cJourney } from './journeys/c2c';
import { merchantOnboardingJourney } from './journeys/merchantOnboarding';
import { simulatorJourney } from './journeys/simulator';
import { badInputJourney } from './journeys/badInput';
import { fulfilmentJourney } from './journeys/fulfilment';
import { messagesJourney } from './journeys/messages';
import { merchantCentreJourney } from './journeys/merchantCentre';
import { searchInviteJourney } from './journeys/searchInvite';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureH5Build() {
  const index = path.join(REPO, 'build', 'h5', 'index.html');
  const sources = Math.max(newestMtime(path.join(REPO, 'miniprogram', 'src')), newestMtime(path.join(REPO, 'miniprogram', 'config')));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs > sources && process.env.E2E_BUILD !== '1') {
    console.log('== h5 build is up to date (build/h5)');
    return;
  }
  const log = path.join(REPO, 'build', 'e2e', 'h5-build.log');
  console.log(`== building the h5 app (npm run build:h5, log in ${path.relative(REPO, log)})`);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const fd = fs.openSync(log, 'w');
  const r = spawnSync('npm', ['run', 'build:h5'], { cwd: REPO, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  if (r.status !== 0) {
    console.error(fs.readFileSync(log, 'utf8').split('\n').slice(-40).join('\n'));
    throw new Error('npm run build:h5 failed');
  }
}

const JOURNEYS = [
  { name: '1-shared-link: new user by a shared link, order with points, ship, confirm, release, statement', fn: sharedLinkJourney },
  { name: '2-c2c: a completed C2C trade and a timed-out one', fn: c2cJourney },
  { name: '3-merchant-onboarding: apply, approve, deposit, list a product', fn: merchantOnboardingJourney },
  { name: '4-simulator: the explanation from the risk notice; the admin runs 模拟沙盘', fn: simulatorJourney },
  { name: '5-bad-input: every number field refuses what it cannot submit, with the reason beside it', fn: badInputJourney },
  { name: '6-fulfilment: pickup with a code typed by the store; delivery to an address, shipped with a tracking no., received', fn: fulfilmentJourney },
  { name: '7-messages: unread badge on the tab bar and 我的, a message opened, all read', fn: messagesJourney },
  { name: '8-merchant-centre: sales figures, orders to handle, charts; a product with images and specs, deleted', fn: merchantCentreJourney },
  { name: '9-search-invite: banner and 热销商品 on the home page, search finds stores and products, a share poster drawn and downloaded, its code scanned, 我邀请的人', fn: searchInviteJourney },
];

async function main() {
  ensureH5Build();
  fs.rmSync(SHOTS_DIR, { recursive: true, force: true });
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const server = await startE2EServer({ releaseTimer: false });
  console.log(`== local cloud at ${server.url} (data ${server.dataDir})`);
  const local = new Local(server.url);
  const browser = await launchBrowser();
  const results: { name: string; ok: boolean; ms: number; error?: string; warnings: string[] }[] = [];
  // E2E_ONLY=1-shared,6-fulfil runs the journeys whose names contain one of the parts
  const only = process.env.E2E_ONLY?.split(',').map((x) => x.trim()).filter(Boolean);
  try {
    for (const j of JOURNEYS) {
      if (only && !only.some((o) => j.name.includes(o))) continue;
      const started = Date.now();
      process.stdout.write(`-- ${j.name} … `);
      try {
        const warnings = await j.fn(browser, server.url, local);
        results.push({ name: j.name, ok: true, ms: Date.now() - started, warnings });
        console.log(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        const err = (e as Error)?.stack ?? String(e);
        results.push({ name: j.name, ok: false, ms: Date.now() - started, error: err, warnings: [] });
        console.log('FAILED');
        console.log(err);
        // whatever is on screen in every open page, for the post-mortem
        let i = 0;
        for (const ctx of browser.contexts()) {
          for (const p of ctx.pages()) {
            const dir = path.join(SHOTS_DIR, 'failures');
            fs.mkdirSync(dir, { recursive: true });
            await p.screenshot({ path: path.join(dir, `${j.name.split(':')[0]}-${++i}.png`) }).catch(() => undefined);
          }
          await ctx.close().catch(() => undefined);
        }
      }
    }
  } finally {
    await browser.close();
    if (process.env.E2E_KEEP === '1') {
      console.log(`== E2E_KEEP=1: the local cloud keeps running at ${server.url} (Ctrl-C to stop)`);
      await new Promise(() => undefined);
    }
    await server.close();
  }
  fs.writeFileSync(path.join(SHOTS_DIR, '..', 'e2e-report.json'), JSON.stringify(results, null, 2));
  const failed = results.filter((r) => !r.ok);
  const warnings = results.flatMap((r) => r.warnings);
  if (warnings.length) console.log(`== browser errors seen (not failures):\n  ${warnings.join('\n  ')}`);
  console.log(`== ${results.length - failed.length}/${results.length} journeys passed; screenshots in ${path.relative(REPO, SHOTS_DIR)}/`);
  process.exit(failed.length || results.length === 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
