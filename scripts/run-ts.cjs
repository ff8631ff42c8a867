#!/usr/bin/env node
/**
 * Run a TypeScript script: bundle it with esbuild (node platform, packages external) into a temporary file
 * and require it. Usage: node scripts/run-ts.cjs scripts/build-functions.ts [args...]
 */
const path = require('path');
const fs = require('fs');
const esbuild = require('esbuild');

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-ts.cjs <script.ts> [args...]');
  process.exit(2);
}
// inside the repository, so that the script's packages resolve from node_modules
const cache = path.join(__dirname, '..', 'node_modules', '.cache');
fs.mkdirSync(cache, { recursive: true });
for (const d of fs.readdirSync(cache)) {
  // leftovers of runs that were killed
  const p = path.join(cache, d);
  if (d.startsWith('run-ts-') && Date.now() - fs.statSync(p).mtimeMs > 3600_000) fs.rmSync(p, { recursive: true, force: true });
}
const outdir = fs.mkdtempSync(path.join(cache, 'run-ts-'));
const outfile = path.join(outdir, path.basename(entry).replace(/\.ts$/, '.cjs'));
esbuild.buildSync({
  entryPoints: [path.resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'error',
  define: { 'import.meta.dirname': JSON.stringify(path.dirname(path.resolve(entry))) },
});
process.setSourceMapsEnabled?.(true);
// The bundle lives in node_modules/.cache, which in a git worktree may be a symlink to another checkout's
// node_modules: Node resolves it to its real path, and code that finds the repository by walking up from
// __dirname would find that other checkout. REPO_ROOT names this one (localcloud/runtime.ts, proof/kit.ts read
// it; child processes inherit it).
process.env.REPO_ROOT = process.env.REPO_ROOT || path.join(__dirname, '..');
process.argv.splice(1, 2, path.resolve(entry));
process.on('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    fs.rmSync(outdir, { recursive: true, force: true });
    if (process.listenerCount(sig) === 0) process.exit(130);
  });
}
require(outfile);
