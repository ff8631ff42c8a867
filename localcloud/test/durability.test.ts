/**
 * Durability: a gateway process doing acknowledged writes under load is killed with SIGKILL and started again.
 * Every write it acknowledged is there; no transaction is partly there (balances always add up and match the
 * recorded transfers exactly); the only unacknowledged writes present are ones in flight at the kill.
 */
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { createLocalCloud } from '../runtime';
import { ACCOUNTS, START_BALANCE } from './durability-server';

const ROOT = path.resolve(__dirname, '..', '..');
const CONCURRENCY = 24;
let bundle: string;
let dataDir: string;

beforeAll(() => {
  const out = path.join(ROOT, 'node_modules', '.cache', 'localcloud-durability');
  fs.mkdirSync(out, { recursive: true });
  bundle = path.join(out, 'server.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'durability-server.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: { 'wx-server-sdk': path.join(ROOT, 'localcloud', 'sdk', 'index.ts') },
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-durability-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function startChild(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], { env: { ...process.env, DATA_DIR: dataDir, DURABILITY_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /READY (\d+)/.exec(buf);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}

async function load(port: number, acked: Set<string>, sent: Set<string>, stop: () => boolean, round: number) {
  let n = 0;
  const worker = async (w: number) => {
    while (!stop()) {
      const id = `r${round}w${w}n${n++}`;
      const from = Math.floor(Math.random() * ACCOUNTS);
      const to = (from + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
      sent.add(id);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/transfer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-openid': 'o_load' },
          body: JSON.stringify({ id, from, to, amount: 1 + Math.floor(Math.random() * 5) }),
        });
        const body = await res.json();
        if (body?.ok) acked.add(id);
      } catch {
        return; // the server is gone
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_x, i) => worker(i)));
}

async function check(acked: Set<string>, sent: Set<string>) {
  const lc = createLocalCloud({ dataDir, indexes: {}, collections: ['d_accounts', 'd_transfers', 'd_plain'], log: () => undefined });
  try {
    const e = lc.engine;
    const transfers = e.find('d_transfers', {}, {}) as Array<{ _id: string; from: number; to: number; amount: number }>;
    const plain = new Set(e.find('d_plain', {}, {}).map((d) => d._id as string));
    const present = new Set(transfers.map((t) => t._id));
    const missing = [...acked].filter((id) => !present.has(id) || !plain.has(id));
    expect(missing).toEqual([]);
    const expected = new Array(ACCOUNTS).fill(START_BALANCE);
    for (const t of transfers) {
      expected[t.from] -= t.amount;
      expected[t.to] += t.amount;
    }
    const accounts = e.find('d_accounts', {}, { sort: [['_id', 1]] }) as Array<{ _id: string; balance: number }>;
    const actual = new Array(ACCOUNTS).fill(0);
    for (const a of accounts) actual[Number(a._id.slice(1))] = a.balance;
    expect(actual).toEqual(expected);
    expect(actual.reduce((s, x) => s + x, 0)).toBe(ACCOUNTS * START_BALANCE);
    const unacked = [...present].filter((id) => !acked.has(id));
    expect(unacked.every((id) => sent.has(id))).toBe(true);
    expect(unacked.length).toBeLessThanOrEqual(CONCURRENCY);
    return { transfers: transfers.length, unacked: unacked.length };
  } finally {
    await lc.close();
  }
}

test('SIGKILL under load, twice: every acknowledged write survives, no partial transaction', async () => {
  const acked = new Set<string>();
  const sent = new Set<string>();
  for (let round = 0; round < 2; round++) {
    const { child, port } = await startChild();
    let stopped = false;
    const exited = new Promise((r) => child.on('exit', r));
    const running = load(port, acked, sent, () => stopped, round);
    const before = acked.size;
    const t0 = Date.now();
    while (acked.size - before < 300 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    stopped = true;
    await running;
    expect(acked.size - before).toBeGreaterThanOrEqual(300);
    await check(acked, sent);
  }
  // and it starts again and serves
  const { child, port } = await startChild();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/ping`, { method: 'POST', headers: { 'x-openid': 'o_x' }, body: '{}' });
    expect(await res.json()).toEqual({ ok: true, data: 'pong' });
  } finally {
    child.kill('SIGKILL');
  }
});
