/** `npm run simulate` as a user runs it: the JSON last line, the CSV series, a config file, refusals. */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { simulate, validateSimInput } from '../shared/simulate';

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args: string[]) => execFileSync(npm, ['run', '-s', 'simulate', '--', ...args], { cwd: root, encoding: 'utf8' });

describe('npm run simulate', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--days 1095 --gmv-per-day 500 --json: the last line is the summary, the figures of the pure simulation', () => {
    const out = path.join(dir, 'series.csv');
    const stdout = run(['--days', '1095', '--gmv-per-day', '500', '--json', '--out', out]);
    const lines = stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]);
    const r = simulate(validateSimInput({ assumptions: { days: 1095, spending: { kind: 'constant', yuanPerDay: '500' } } }));
    expect(summary).toMatchObject({
      days: 1095,
      released: r.summary.released,
      unreleased: r.summary.unreleased,
      svTotal: r.summary.svTotal,
      guidePrice: '2.00',
      reference: { pointsReceived: r.summary.reference.pointsReceived, valueReceivedYuan: r.summary.reference.valueReceivedYuan, rebateYuan: '100.00' },
    });
    // ¥500 a day is 600 SV a day, a third of the 888 × ¥2 a release could pay: capped every day but the first
    expect(summary).toMatchObject({ released: '329100.00', unreleased: '643260.00', cappedDays: 1094 });
    for (const k of ['released', 'unreleased', 'svTotal', 'guidePrice']) expect(summary[k]).toMatch(/^\d+\.\d{2}$/);
    const csv = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1096);
    expect(csv[0].split(',').slice(0, 3)).toEqual(['day', 'date', 'guidePriceFen']);
    expect(csv[1095].startsWith('1095,2029-02-28,200,')).toBe(true);
  });

  test('a config file, flags over it, and a table', () => {
    const cfg = path.join(dir, 'run.json');
    fs.writeFileSync(cfg, JSON.stringify({ params: { releaseTotal: '2000' }, assumptions: { days: 10, spending: { kind: 'constant', yuanPerDay: '1' } } }));
    const table = run(['--config', cfg, '--gmv-per-day', '100000', '--param', 'releasePerDay=888']);
    expect(table).toMatch(/3 days to 2026-03-04: released 2000\.00, unreleased 0\.00, capped days 0/);
  });

  test('an unknown flag or a refused input exits 2 with the reason', () => {
    const bad = spawnSync(npm, ['run', '-s', 'simulate', '--', '--days', '0'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/模拟天数/);
    const unknown = spawnSync(npm, ['run', '-s', 'simulate', '--', '--gmv', '5'], { cwd: root, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flag: --gmv/);
  });
});
