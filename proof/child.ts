/**
 * The gateway as `npm start` runs it (localcloud/main.ts bundled with esbuild as scripts/build-local.ts does),
 * in a child process on a data folder of our choosing: for the SIGKILL test and the settlement benchmark.
 */
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { ADMIN, ROOT } from './kit';
import { GATEWAY_NODE_FLAGS } from '../localcloud/runtime';

let bundled: string | null = null;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Bundle localcloud/main.ts (+ every registered cloud function) once per process. */
export function gatewayBundle(): string {
  if (bundled) return bundled;
  const cache = path.join(ROOT, 'node_modules', '.cache');
  // bundles left by processes that are gone (a jest worker may exit without its 'exit' handlers)
  for (const d of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
    const m = /^proof-gateway-(\d+)$/.exec(d);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) fs.rmSync(path.join(cache, d), { recursive: true, force: true });
  }
  const out = path.join(cache, `proof-gateway-${process.pid}`);
  fs.mkdirSync(out, { recursive: true });
  const outfile = path.join(out, 'main.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'localcloud', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: { 'wx-server-sdk': path.join(ROOT, 'localcloud', 'sdk', 'index.ts') },
    external: ['better-sqlite3'],
    sourcemap: 'linked',
    logLevel: 'error',
  });
  process.once('exit', removeGatewayBundle);
  bundled = outfile;
  return outfile;
}

/** Remove this process's bundle (also done at exit). */
export function removeGatewayBundle(): void {
  if (!bundled) return;
  fs.rmSync(path.dirname(bundled), { recursive: true, force: true });
  bundled = null;
}

export interface Child {
  proc: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Start the gateway on `dataDir` (SEED=0, TIMERS=0, the proof admin); resolves once it listens. */
export function startGatewayChild(dataDir: string, opts: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<Child> {
  const main = gatewayBundle();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...(opts.nodeArgs ?? []), main], {
      // REPO_ROOT: the bundle sits under node_modules/.cache, perhaps a symlink into another checkout (scripts/run-ts.cjs)
      env: { ...process.env, REPO_ROOT: ROOT, DATA_DIR: dataDir, PORT: '0', SEED: '0', TIMERS: '0', ADMIN_OPENIDS: ADMIN, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let ready = false;
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
      const m = /PORT\s+(\d+)/.exec(out);
      if (m && !ready) {
        ready = true;
        const port = Number(m[1]);
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        const child: Child = {
          proc,
          port,
          url: `http://127.0.0.1:${port}`,
          output: () => out,
          async stop() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            await exited;
          },
          async kill() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            await exited;
          },
        };
        resolve(child);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, sig) => {
      if (!ready) reject(new Error(`gateway exited before listening (${code ?? sig}):\n${out}`));
    });
  });
}
