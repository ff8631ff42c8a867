/**
 * npm run build:functions — each cloudfunctions/<name>/index.ts becomes a deployable folder
 * build/cloudfunctions/<name>/ with:
 *   index.js      one CommonJS bundle for the cloud's Node runtime (target node16); shared/ and server/ code is
 *                 inlined, `wx-server-sdk` stays external (the real SDK, installed by the cloud's npm install)
 *   package.json  { "dependencies": { "wx-server-sdk": "~3.0.1" } }
 *   config.json   copied from cloudfunctions/<name>/config.json, which every function has (checked by
 *                 deploy/plan.ts readFunctionConfig): timeout, memorySize, permissions.openapi (the cloud calls
 *                 it may make; without them WeChat refuses the call with -604101) and its timer trigger
 * project.config.json's cloudfunctionRoot points here, so WeChat DevTools uploads these folders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { repoRoot } from './paths';
import { readFunctionConfig } from '../deploy/plan';

export const WX_SERVER_SDK_VERSION = '~3.0.1';

export async function buildFunctions(opts: { root?: string; only?: string[]; outDir?: string; quiet?: boolean } = {}) {
  const root = opts.root ?? repoRoot();
  const srcDir = path.join(root, 'cloudfunctions');
  const outRoot = opts.outDir ?? path.join(root, 'build', 'cloudfunctions');
  const names = fs
    .readdirSync(srcDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(srcDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .filter((n) => !opts.only || opts.only.includes(n))
    .sort();
  fs.mkdirSync(outRoot, { recursive: true });
  // folders of functions that no longer exist would be uploaded by DevTools: remove them
  if (!opts.only) {
    for (const d of fs.readdirSync(outRoot)) if (!names.includes(d)) fs.rmSync(path.join(outRoot, d), { recursive: true, force: true });
  }
  const results: Array<{ name: string; bytes: number; timer?: string }> = [];
  for (const name of names) {
    const out = path.join(outRoot, name);
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    const r = await build({
      entryPoints: [path.join(srcDir, name, 'index.ts')],
      outfile: path.join(out, 'index.js'),
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node16',
      external: ['wx-server-sdk'],
      metafile: true,
      legalComments: 'none',
      charset: 'utf8',
      logLevel: 'error',
      banner: { js: `/* ${name}: built by scripts/build-functions.ts — do not edit; the source is cloudfunctions/${name}/ */` },
    });
    const inputs = Object.keys(r.metafile!.inputs);
    const local = inputs.filter((i) => i.startsWith('localcloud/') || i.includes('better-sqlite3') || i.includes('/mingo/'));
    if (local.length) throw new Error(`${name}: the function bundle must not include the local runtime (${local.slice(0, 3).join(', ')})`);
    fs.writeFileSync(
      path.join(out, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js', dependencies: { 'wx-server-sdk': WX_SERVER_SDK_VERSION } }, null, 2) + '\n',
    );
    // every function declares its deployment (deploy/plan.ts checks the fields); DevTools and the cloud read it
    const cfg = path.join(srcDir, name, 'config.json');
    const parsed = readFunctionConfig(root, name);
    const timer = parsed.triggers?.map((t) => t.config).join(', ') || undefined;
    fs.copyFileSync(cfg, path.join(out, 'config.json'));
    results.push({ name, bytes: fs.statSync(path.join(out, 'index.js')).size, timer });
  }
  if (!opts.quiet) {
    for (const r of results) console.log(`  build/cloudfunctions/${r.name}/  index.js ${(r.bytes / 1024).toFixed(0)} kB${r.timer ? `  timer "${r.timer}"` : ''}`);
  }
  return results;
}

if (require.main === module || process.argv[1]?.endsWith('build-functions.ts')) {
  const only = process.argv.slice(2);
  buildFunctions({ only: only.length ? only : undefined }).catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
