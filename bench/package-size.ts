/**
 * Benchmark: the weapp build's main package against WeChat's 2 MB limit (target: under 1 MB), and each
 * subpackage (2 MB each, 20 MB in all).
 *
 *   npm run bench:size                 # npm run build:weapp, then measure build/weapp
 *   npm run bench:size -- --no-build   # measure the build that is there
 *   npm run bench:size -- --write      # rewrite the section of docs/benchmarks.md
 *
 * The main package is every file of build/weapp outside the subpackage roots named in app.json (what WeChat
 * DevTools uploads as the main package; source maps are not counted: DevTools does not upload them).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { argValue, hasFlag, machine, REPO, writeSection } from './lib';

const MB = 1024 * 1024;

function walk(dir: string, out: Array<{ rel: string; bytes: number }>, base = dir): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out, base);
    else if (!e.name.endsWith('.map')) out.push({ rel: path.relative(base, p).split(path.sep).join('/'), bytes: fs.statSync(p).size });
  }
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

function main() {
  const dir = path.resolve(REPO, argValue('dir', 'build/weapp'));
  const m = machine();
  if (!hasFlag('no-build')) {
    console.log('[bench:size] npm run build:weapp …');
    const t = Date.now();
    const r = spawnSync('npm', ['run', 'build:weapp'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm run build:weapp failed (${r.status})`);
    console.log(`[bench:size] built in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  const appJson = JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')) as {
    pages: string[];
    subPackages?: Array<{ root: string; pages: string[] }>;
    subpackages?: Array<{ root: string; pages: string[] }>;
  };
  const subs = (appJson.subPackages ?? appJson.subpackages ?? []).map((s) => s.root.replace(/\/$/, ''));
  const files: Array<{ rel: string; bytes: number }> = [];
  walk(dir, files);
  const main = files.filter((f) => !subs.some((r) => f.rel === r || f.rel.startsWith(`${r}/`)));
  const sum = (xs: Array<{ bytes: number }>) => xs.reduce((a, b) => a + b.bytes, 0);
  const mainBytes = sum(main);
  const subRows = subs.map((r) => ({ root: r, bytes: sum(files.filter((f) => f.rel.startsWith(`${r}/`))) }));
  const total = sum(files);
  const missing = appJson.pages.filter((p) => !fs.existsSync(path.join(dir, `${p}.js`)));
  const biggest = [...main].sort((a, b) => b.bytes - a.bytes).slice(0, 10);

  const verdict = mainBytes < MB ? 'met' : 'missed';
  console.log(`[bench:size] main package ${kb(mainBytes)} (${main.length} files; target < 1 MB: ${verdict}; WeChat limit 2 MB)`);
  for (const s of subRows) console.log(`[bench:size] subpackage ${s.root}: ${kb(s.bytes)}`);
  console.log(`[bench:size] total ${kb(total)}; ${appJson.pages.length} main pages${missing.length ? `, MISSING: ${missing.join(', ')}` : ''}`);
  for (const f of biggest) console.log(`  ${kb(f.bytes).padStart(10)}  ${f.rel}`);

  if (hasFlag('write')) {
    writeSection(
      'size',
      `## The weapp package size

\`npm run bench:size\` (bench/package-size.ts: \`npm run build:weapp\`, then build/weapp measured; source maps not
counted). Measured ${m.date} with Node ${m.node}.

| package | size | limit | target |
|---|---:|---:|---|
| main (${appJson.pages.length} pages + app, tab bar, shared code) | **${kb(mainBytes)}** | 2 MB | < 1 MB: ${verdict} |
${subRows.map((s) => `| subpackage \`${s.root}\` | ${kb(s.bytes)} | 2 MB | |`).join('\n')}
| all | ${kb(total)} | 20 MB | |

Largest files of the main package: ${biggest.map((f) => `\`${f.rel}\` ${kb(f.bytes)}`).join(', ')}.`,
    );
  }
  if (mainBytes >= 2 * MB) process.exitCode = 1;
}

main();
