/**
 * Helpers of the benchmarks: the machine they ran on, and writing one section of docs/benchmarks.md (between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`) without touching the others.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from '../proof/kit';
import { profileFromArgv } from '../localcloud/profile';

// `--profile cloudbase` on any benchmark: the local clouds it makes (in process, or the gateway child, which
// inherits the environment) run under that profile (localcloud/profile.ts)
const argProfile = profileFromArgv();
if (argProfile) process.env.CLOUD_PROFILE = argProfile;

export const REPO = ROOT;
export const BENCH_DOC = path.join(REPO, 'docs', 'benchmarks.md');

export function machine(): { text: string; nproc: number; cpu: string; node: string; date: string; load: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  let nproc = os.cpus().length;
  try {
    nproc = Number(execSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    /* no nproc */
  }
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const node = process.version;
  const text = `${nproc} CPU (nproc), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${node}, ${os.platform()} ${os.release()}; ${date}; load average at start ${load}`;
  return { text, nproc, cpu, node, date, load };
}

/** The machine's CPU time so far (Linux /proc/stat, all CPUs, in clock ticks): all of it, and what was stolen. */
export function machineTicks(): { total: number; steal: number } | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is counted in user already)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, steal: f[7] ?? 0 };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU time the hypervisor gave to other guests between two readings (steal): on a
 * shared virtual machine, the same run is slower by about that much, so a figure is read with it.
 */
export function stealShare(from: ReturnType<typeof machineTicks>, to: ReturnType<typeof machineTicks>): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return (to.steal - from.steal) / (to.total - from.total);
}

export function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

const HEADER = `# Benchmarks

Measured figures of the project's performance claims, each with the machine it ran on. Not part of the tests:
\`npm run bench\` runs them all (or \`npm run bench:matching\`, \`bench:settlement\`, \`bench:size\`, \`bench:release\`),
and each rewrites its own section of this file. The claims are also kept measured in CI at a small scale by the
proof suites (\`proof/\`: load, faults, bad input, roles, SIGKILL; see \`proof/README.md\`).
`;

/** Replace (or append) the section NAME of docs/benchmarks.md. */
export function writeSection(name: string, markdown: string, file = BENCH_DOC): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : HEADER;
  if (!text.includes('# Benchmarks')) text = `${HEADER}\n${text}`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`[bench] wrote the "${name}" section of ${path.relative(REPO, file)}`);
}
