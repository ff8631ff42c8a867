/**
 * `npm run simulate`: the economy simulator (shared/simulate.ts) from the command line.
 *
 *   npm run simulate -- --days 1095 --gmv-per-day 500 --json     # last line: one JSON object (the summary)
 *   npm run simulate -- --gmv-per-day 50000 --growth 0.002        # a table, one row every 30 days
 *   npm run simulate -- --config run.json --out series.csv         # {"params":{…},"assumptions":{…}}; the series as CSV
 *
 * Assumption flags (the defaults are DEFAULT_ASSUMPTIONS): --days N, --start YYYY-MM-DD, --gmv-per-day Y
 * (yuan a day; with --growth G each day G more, 0.01 = 1 %), --gmv-list "500,600,…", --points-share S,
 * --stores N (equal mix) or --mix "3,1,1", --sell-share S, --price-drift X or --price-path "200,210,…" (fen),
 * --reference-yuan Y, --reference-day N. Parameters (SPEC §3, default DEFAULT_PARAMS): --param name=value,
 * repeatable. Flags override the config file. --every N: table row every N days.
 * --write-explainer FILE: write the plain-language page's figures (shared/simExplainer.ts) and stop.
 */
import * as fs from 'fs';
import { fenToYuanString } from '../shared/decimal';
import { DomainError } from '../shared/errors';
import { explainerFigures, explainerModule } from '../shared/simExplainer';
import { DEFAULT_ASSUMPTIONS, SimAssumptions, SimDay, SimResult, simulate, validateSimInput } from '../shared/simulate';

interface Cli {
  params: Record<string, unknown>;
  assumptions: Record<string, unknown>;
  json: boolean;
  out: string | null;
  every: number | null;
}

function usage(msg: string): never {
  throw new DomainError('USAGE', msg);
}

const csv = (v: string) => v.split(',').map((x) => x.trim()).filter((x) => x !== '');

export function parseArgs(argv: string[]): Cli {
  const cli: Cli = { params: {}, assumptions: {}, json: false, out: null, every: null };
  const flags = new Map<string, string>();
  const params: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') cli.json = true;
    else if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s, 2);
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`--${k} needs a value`);
      if (k === 'param') params.push(v);
      else flags.set(k, v);
    } else usage(`unexpected argument ${a}`);
  }
  const config = flags.get('config');
  if (config) {
    const file = JSON.parse(fs.readFileSync(config, 'utf8')) as { params?: Record<string, unknown>; assumptions?: Record<string, unknown> };
    cli.params = { ...(file.params ?? {}) };
    cli.assumptions = { ...(file.assumptions ?? {}) };
  }
  const as = cli.assumptions;
  const take = (k: string) => {
    const v = flags.get(k);
    flags.delete(k);
    return v;
  };
  const num = (k: string, v: string) => {
    if (!/^\d+$/.test(v)) usage(`--${k} must be a whole number`);
    return Number(v);
  };
  let v: string | undefined;
  take('config');
  if ((v = take('days')) !== undefined) as.days = num('days', v);
  if ((v = take('start')) !== undefined) as.startDay = v;
  const gmv = take('gmv-per-day');
  const growth = take('growth');
  const list = take('gmv-list');
  if (list !== undefined) as.spending = { kind: 'list', yuan: csv(list) };
  else if (gmv !== undefined || growth !== undefined) {
    const base = gmv ?? (as.spending as { yuanPerDay?: string } | undefined)?.yuanPerDay ?? (DEFAULT_ASSUMPTIONS.spending as { yuanPerDay: string }).yuanPerDay;
    as.spending = growth !== undefined ? { kind: 'growth', yuanPerDay: base, growthPerDay: growth } : { kind: 'constant', yuanPerDay: base };
  }
  if ((v = take('points-share')) !== undefined) as.pointsShare = v;
  if ((v = take('mix')) !== undefined) as.storeMix = csv(v);
  else if ((v = take('stores')) !== undefined) as.storeMix = Array.from({ length: num('stores', v) }, () => '1');
  if ((v = take('sell-share')) !== undefined) as.sellShare = v;
  if ((v = take('price-path')) !== undefined) as.price = { kind: 'path', fen: csv(v).map((x) => num('price-path', x)) };
  else if ((v = take('price-drift')) !== undefined) as.price = { kind: 'drift', perDay: v };
  const refYuan = take('reference-yuan');
  const refDay = take('reference-day');
  if (refYuan !== undefined || refDay !== undefined) {
    const ref = { ...DEFAULT_ASSUMPTIONS.reference, ...((as.reference as object) ?? {}) } as SimAssumptions['reference'];
    as.reference = { yuan: refYuan ?? ref.yuan, day: refDay !== undefined ? num('reference-day', refDay) : ref.day };
  }
  if ((v = take('out')) !== undefined) cli.out = v;
  if ((v = take('every')) !== undefined) cli.every = Math.max(1, num('every', v));
  for (const p of params) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(p);
    if (!m) usage(`--param must be name=value, got ${p}`);
    cli.params[m[1]] = m[2]; // validateParams reads integer fields from numeric strings too
  }
  if (flags.size) usage(`unknown flag${flags.size > 1 ? 's' : ''}: ${[...flags.keys()].map((k) => `--${k}`).join(' ')}`);
  return cli;
}

/** The summary line `--json` prints last. */
export function summaryJson(r: SimResult): string {
  const s = r.summary;
  return JSON.stringify({
    days: s.days,
    released: s.released,
    unreleased: s.unreleased,
    svTotal: s.svTotal,
    guidePrice: s.guidePrice,
    cappedDays: s.cappedDays,
    circulation: s.circulation,
    treasury: s.treasury,
    reference: s.reference,
  });
}

const COLUMNS: [string, (d: SimDay) => string | number | boolean | null][] = [
  ['day', (d) => d.day],
  ['date', (d) => d.date],
  ['guidePriceFen', (d) => d.guidePriceFen],
  ['orderFen', (d) => d.orderFen],
  ['cashFen', (d) => d.cashFen],
  ['pointsPaid', (d) => d.pointsPaid],
  ['refusedFen', (d) => d.refusedFen],
  ['deductions', (d) => d.deductions],
  ['topUpTreasury', (d) => d.topUpTreasury],
  ['topUpMarket', (d) => d.topUpMarket],
  ['sold', (d) => d.sold],
  ['tradePriceFen', (d) => d.tradePriceFen],
  ['fee', (d) => d.fee],
  ['svTotal', (d) => d.svTotal],
  ['scheduled', (d) => d.scheduled],
  ['released', (d) => d.released],
  ['capped', (d) => d.capped],
  ['svAfter', (d) => d.svAfter],
  ['releasedTotal', (d) => d.releasedTotal],
  ['unreleased', (d) => d.unreleased],
  ['buyersPoints', (d) => d.buyersPoints],
  ['merchantsPoints', (d) => d.merchantsPoints],
  ['circulation', (d) => d.circulation],
  ['treasury', (d) => d.treasury],
  ['pool', (d) => d.pool],
  ['merchantBalances', (d) => d.merchantBalances.join(';')],
  ['nextGuidePriceFen', (d) => d.nextGuidePriceFen],
  ['refSv', (d) => d.reference.sv],
  ['refPointsReceived', (d) => d.reference.pointsReceived],
  ['refValueYuan', (d) => d.reference.valueYuan],
];

export function toCsv(r: SimResult): string {
  const lines = [COLUMNS.map((c) => c[0]).join(',')];
  for (const d of r.days) lines.push(COLUMNS.map(([, f]) => String(f(d) ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}

const TABLE: [string, (d: SimDay) => string][] = [
  ['day', (d) => String(d.day)],
  ['date', (d) => d.date],
  ['price', (d) => fenToYuanString(d.guidePriceFen)],
  ['orders ¥', (d) => fenToYuanString(d.orderFen)],
  ['T', (d) => d.svTotal],
  ['released', (d) => d.released + (d.capped ? '*' : '')],
  ['unreleased', (d) => d.unreleased],
  ['circulation', (d) => d.circulation],
  ['treasury', (d) => d.treasury],
  ['stores', (d) => d.merchantsPoints],
  ['ref points', (d) => d.reference.pointsReceived],
  ['ref ¥', (d) => d.reference.valueYuan],
];

export function toTable(r: SimResult, every: number): string {
  const rows = r.days.filter((d, i) => i === 0 || d.day % every === 0 || i === r.days.length - 1).map((d) => TABLE.map(([, f]) => f(d)));
  const head = TABLE.map(([h]) => h);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  const s = r.summary;
  const ref = s.reference;
  return [
    fmt(head),
    ...rows.map(fmt),
    '(* = capped: the release was worth more than all shared value)',
    `${s.days} days to ${s.lastDate}: released ${s.released}, unreleased ${s.unreleased}, capped days ${s.cappedDays}, guide price ¥${s.guidePrice}`,
    `reference purchase ¥${ref.purchaseYuan}: ${ref.pointsReceived} points worth ¥${ref.valueReceivedYuan} against a rebate of ¥${ref.rebateYuan}; ` +
      `half of it on day ${ref.halfDay ?? 'never'}, 90 % on day ${ref.ninetyDay ?? 'never'}`,
  ].join('\n');
}

function main(): void {
  const explainer = process.argv.indexOf('--write-explainer');
  if (explainer >= 0) {
    // the plain-language page's figures (shared/simExplainer.ts): the default run at a few platform sizes
    const file = process.argv[explainer + 1];
    fs.writeFileSync(file, explainerModule(explainerFigures()));
    console.log(`wrote ${file}`);
    return;
  }
  let cli: Cli;
  let result: SimResult;
  try {
    cli = parseArgs(process.argv.slice(2));
    result = simulate(validateSimInput({ params: cli.params, assumptions: cli.assumptions }));
  } catch (e) {
    console.error(e instanceof DomainError ? e.message : String(e));
    process.exit(2);
  }
  if (cli.out) fs.writeFileSync(cli.out, toCsv(result));
  if (cli.json) console.log(summaryJson(result));
  else console.log(toTable(result, cli.every ?? Math.max(1, Math.ceil(result.days.length / 36))));
}

main();
