// Bundles the e2e runner and its local cloud (TypeScript) into build/e2e/ with esbuild:
// wx-server-sdk → the local runtime's implementation, native and browser-driver packages left external.
import { build } from 'esbuild'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
await build({
  entryPoints: { serve: path.join(root, 'e2e/serve.ts'), run: path.join(root, 'e2e/run.ts') },
  outdir: path.join(root, 'build/e2e'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  alias: { 'wx-server-sdk': path.join(root, 'localcloud/sdk/index.ts') },
  external: ['better-sqlite3', 'playwright-core', 'mingo', 'decimal.js', 'dayjs'],
})
