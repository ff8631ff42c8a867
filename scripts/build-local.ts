/**
 * npm run build:local — the local runtime's gateway (localcloud/main.ts and every registered cloud function) as
 * one bundle, build/localcloud/main.js, with `wx-server-sdk` replaced by the emulation in localcloud/sdk.
 * better-sqlite3 (native) stays a dependency from node_modules.
 */
import * as path from 'path';
import { build } from 'esbuild';
import { repoRoot } from './paths';

export async function buildLocal(root = repoRoot()): Promise<string> {
  const outfile = path.join(root, 'build', 'localcloud', 'main.js');
  await build({
    entryPoints: [path.join(root, 'localcloud', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: { 'wx-server-sdk': path.join(root, 'localcloud', 'sdk', 'index.ts') },
    external: ['better-sqlite3'],
    sourcemap: 'linked',
    logLevel: 'error',
  });
  return outfile;
}

if (process.argv[1]?.endsWith('build-local.ts')) {
  buildLocal()
    .then((f) => console.log(`  ${path.relative(process.cwd(), f)}`))
    .catch((e) => {
      console.error(e.message ?? e);
      process.exit(1);
    });
}
