/**
 * The deployment declaration (cloudfunctions/<name>/config.json, deploy/variables.ts, localcloud/indexes.json,
 * shared/templates.ts) against the code: each test fails when they disagree — a cloud call not declared, a
 * variable read but not declared, a query no declared index serves, work that can outlast the declared timeout,
 * a notice opening a page the app does not have — and `npm run deploy` builds its plan without network.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFunctions } from '../scripts/build-functions';
import { main, parseArgs } from '../scripts/deploy';
import { repoRoot } from '../scripts/paths';
import { workBound, ROUND_TRIP_MS } from './bounds';
import { envReads, openapiCalls, queryProblems, querySites } from './checks';
import { readCollections } from './collections';
import { buildPlan, cloudbaserc, readFunctionConfig } from './plan';
import { FUNCTION_NAMES, VARIABLES, variablesOf } from './variables';
import { TEMPLATES } from '../shared/templates';
import { createFunctionRequest, createIndexRequest } from './apply';

const root = repoRoot();
let out: string;
const bundle: Record<string, string> = {};

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-check-'));
  await buildFunctions({ root, outDir: out, quiet: true });
  for (const name of FUNCTION_NAMES) bundle[name] = fs.readFileSync(path.join(out, name, 'index.js'), 'utf8');
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const VALUES: Record<string, string> = {
  ADMIN_OPENIDS: 'oAdmin000001',
  PLATFORM_SUB_MCH_ID: '1900000109',
  TMPL_RELEASE_NOTICE: 'tmplRelease000001',
  TMPL_MARKET_TRADE_PAID: 'tmplPaid000000001',
  TMPL_MARKET_TRADE_COMPLETED: 'tmplDone000000001',
  TMPL_MARKET_TRADE_CANCELLED: 'tmplCancel0000001',
  TMPL_MARKET_APPEAL_DECIDED: 'tmplAppeal0000001',
};

describe('the declaration agrees with the code', () => {
  test('every function is declared, and each declares exactly the cloud calls its bundle makes (permissions.openapi)', () => {
    const declared = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, [...readFunctionConfig(root, n).permissions.openapi].sort()]));
    const called = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, openapiCalls(bundle[n])]));
    expect(called).toEqual(declared);
    // the calls the issue names are there: the pay code and the notices
    expect(called.merchant).toEqual(['wxacode.getUnlimited']);
    expect(called.release).toEqual(['subscribeMessage.send']);
    expect(called.market).toEqual(['subscribeMessage.send']);
  });

  test('every variable a function reads is declared for it (and nothing unread is deployed to it)', () => {
    for (const name of FUNCTION_NAMES) {
      const reads = envReads(bundle[name]);
      expect({ name, dynamic: reads.dynamic }).toEqual({ name, dynamic: 0 });
      const declared = variablesOf(name).map((v) => v.name).sort();
      expect({ name, reads: reads.names }).toEqual({ name, reads: declared });
    }
  });

  test('every query that filters or sorts is served by a declared index', () => {
    const sites = querySites(root, ['server', 'cloudfunctions']);
    expect(sites.length).toBeGreaterThan(30); // the scan sees the queries (33 when written)
    expect(queryProblems(sites, readCollections(root))).toEqual([]);
  });

  test("every function's work ends within its declared timeout (8 ms a round trip, the cloud profile)", () => {
    expect(ROUND_TRIP_MS).toBe(8);
    const rows = FUNCTION_NAMES.map((n) => ({ name: n, timeoutMs: readFunctionConfig(root, n).timeout * 1000, boundMs: workBound(n).ms }));
    for (const r of rows) expect({ ...r, fits: r.boundMs <= r.timeoutMs }).toEqual({ ...r, fits: true });
    // the timers' bounds as the budgets give them (server/budgets.ts): 56.4 s and 48.1 s of 60 s
    expect(workBound('timeouts').ms).toBe(56_352);
    expect(workBound('release').ms).toBe(48_096);
  });

  test('the subscribe-message templates open pages the app has, and their ids are declared variables', () => {
    const appConfig = fs.readFileSync(path.join(root, 'miniprogram', 'src', 'app.config.ts'), 'utf8');
    const pagesBlock = /pages:\s*\[([\s\S]*?)\]/.exec(appConfig)![1];
    const pages = [...pagesBlock.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    for (const t of Object.values(TEMPLATES)) {
      expect({ key: t.key, page: t.page.split('?')[0], exists: pages.includes(t.page.split('?')[0]) }).toEqual({ key: t.key, page: t.page.split('?')[0], exists: true });
      expect(VARIABLES.find((v) => v.name === t.env)?.required).toBe(true);
      expect(VARIABLES.find((v) => v.name === t.clientEnv)?.target).toBe('miniprogram');
    }
    // every build-time variable of the app is always defined by the Taro config (an unset one becomes '')
    const taroConfig = fs.readFileSync(path.join(root, 'miniprogram', 'config', 'index.ts'), 'utf8');
    for (const v of VARIABLES.filter((x) => x.target === 'miniprogram')) expect({ v: v.name, defined: taroConfig.includes(`'${v.name}'`) }).toEqual({ v: v.name, defined: true });
    expect(TEMPLATES.tradePaid.page).toBe('pages/trade/index');
    expect(TEMPLATES.releaseNotice.page).toBe('pages/assets/index');
  });

  test('the committed cloudbaserc.json is what the declaration generates (npm run deploy -- --write-rc)', () => {
    const plan = buildPlan({ root, env: 'prod-1a2b3c', values: {} });
    expect(JSON.parse(fs.readFileSync(path.join(root, 'cloudbaserc.json'), 'utf8'))).toEqual(cloudbaserc(plan));
  });
});

describe('the checks catch disagreement', () => {
  test('a cloud call or a variable in a bundle is found', () => {
    const js = 'await cloud.openapi.security.msgSecCheck({ content }); const t = getCloud().openapi.subscribeMessage.send({}); x = process.env.NEW_SECRET; y = process.env["A"];';
    expect(openapiCalls(js)).toEqual(['security.msgSecCheck', 'subscribeMessage.send']);
    expect(envReads(js)).toEqual({ names: ['NEW_SECRET'], dynamic: 1 });
  });

  test('a query on an undeclared field, an unindexed sort, an unknown collection are reported', () => {
    const colls = readCollections(root);
    const site = (collection: string | null, filter: string[] | null, sort: string[] = []) => ({ file: 'x.ts', line: 1, collection, filter, sort });
    expect(
      queryProblems(
        [
          site('orders', ['buyerOpenid', 'status']), // served
          site('orders', ['note']),
          site('ledger', [], ['amount']),
          site('marketTrades', ['parties', 'status']), // served (parties is indexed)
          site('marketOrders', ['status', 'buyerNote', 'openid'].filter((f) => f !== 'openid').concat('merchantId')),
          site('nope', ['a']),
          site(null, ['a']),
          site('orders', null),
          site('admins', [], ['at']), // bounded collection
        ],
        colls,
      ),
    ).toEqual([
      'x.ts:1: orders filtered on note — no declared index starts with any of them',
      'x.ts:1: ledger sorted on amount — no declared index starts with it',
      "x.ts:1: marketOrders filtered on merchantId (one user's documents) — no declared index uses it, so the query reads everyone's",
      'x.ts:1: collection "nope" is not declared in localcloud/indexes.json',
      'x.ts:1: cannot tell which collection (use a string constant)',
      'x.ts:1: cannot read the filter of a orders query (write it as an object literal or a local variable)',
    ]);
  });

  test('the scan reads filters through variables, spreads, typed parameters and _.and/_.or', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-scan-'));
    try {
      fs.mkdirSync(path.join(dir, 'server'));
      fs.writeFileSync(
        path.join(dir, 'server', 'q.ts'),
        [
          "const COLL = 'orders';",
          'export async function f(db: any, by: { buyerOpenid?: string }, cur: number) {',
          '  const _ = db.command;',
          '  const base: any = { ...by };',
          "  base.status = 'paid';",
          '  let where: any = base;',
          '  if (cur) where = _.and([base, _.or([{ createdAt: _.lt(cur) }])]);',
          "  return db.collection(COLL).where(where).orderBy('createdAt', 'desc').get();",
          '}',
          "export const g = (db: any) => db.collection('ledger').orderBy('amount', 'asc').get();",
        ].join('\n'),
      );
      const sites = querySites(dir, ['server']);
      expect(sites.map((s) => ({ ...s, filter: s.filter?.sort() }))).toEqual([
        { file: 'server/q.ts', line: 8, collection: 'orders', filter: ['buyerOpenid', 'createdAt', 'status'], sort: ['createdAt'] },
        { file: 'server/q.ts', line: 10, collection: 'ledger', filter: [], sort: ['amount'] },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('work over the timeout is caught: the timers do not fit a 30 s timeout', () => {
    expect(workBound('timeouts').ms).toBeGreaterThan(30_000);
    expect(workBound('release').ms).toBeGreaterThan(30_000);
  });
});

describe('npm run deploy', () => {
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    // no values from this machine's environment or .env files: the test states them
    const code = await main(argv, root, (s) => lines.push(s), {});
    return { code, lines };
  };

  test('arguments', () => {
    expect(parseArgs(['--env', 'prod-1a2b3c', '--dry-run', '--var', 'A=b=c', '--appid=wx0123456789abcdef'])).toEqual({
      env: 'prod-1a2b3c',
      appid: 'wx0123456789abcdef',
      dryRun: true,
      writeRc: false,
      vars: { A: 'b=c' },
    });
    expect(() => parseArgs(['--env'])).toThrow('--env needs a value');
    expect(() => parseArgs(['--envv', 'x'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--var', 'novalue'])).toThrow(/KEY=VALUE/);
  });

  test('--dry-run prints the plan, its last line one JSON object; the problems are listed', async () => {
    // --appid touristappid: what project.config.json holds until the first deploy writes the real one
    const { code, lines } = await run(['--env', 'prod-1a2b3c', '--dry-run', '--appid', 'touristappid']);
    expect(code).toBe(0);
    const plan = JSON.parse(lines[lines.length - 1]);
    expect(plan.env).toBe('prod-1a2b3c');
    expect(plan.functions.map((f: { name: string }) => f.name)).toEqual([...FUNCTION_NAMES]);
    expect(plan.functions.find((f: { name: string }) => f.name === 'release')).toEqual({
      name: 'release',
      timeout: 60,
      memorySize: 256,
      runtime: 'Nodejs16.13',
      triggers: [{ name: 'daily-release', type: 'timer', config: '0 0 22 * * * *' }],
      openapi: ['subscribeMessage.send'],
      envVars: ['ADMIN_OPENIDS', 'TMPL_RELEASE_NOTICE', 'TMPL_MARKET_TRADE_PAID', 'TMPL_MARKET_TRADE_COMPLETED', 'TMPL_MARKET_TRADE_CANCELLED', 'TMPL_MARKET_APPEAL_DECIDED'],
    });
    const indexes = JSON.parse(fs.readFileSync(path.join(root, 'localcloud', 'indexes.json'), 'utf8'));
    expect(plan.collections.map((c: { name: string }) => c.name).sort()).toEqual(Object.keys(indexes).filter((k) => !k.startsWith('$')).sort());
    expect(new Set(plan.collections.map((c: { rule: string }) => c.rule))).toEqual(new Set(['ADMINONLY']));
    expect(plan.storage).toEqual({ acl: 'CUSTOM', rule: { read: 'auth != null', write: 'resource.openid == auth.openid' } });
    expect(plan.collections.find((c: { name: string }) => c.name === 'holderHistory').indexes).toEqual([
      { name: 'holderId_seq0', keys: ['holderId', 'seq0'], unique: false },
      { name: 'holderId_n', keys: ['holderId', 'n'], unique: false },
    ]);
    expect(plan.miniprogram).toMatchObject({ envId: 'prod-1a2b3c', appid: null });
    expect(plan.variables.find((v: { name: string }) => v.name === 'TARO_APP_TMPL_RELEASE_NOTICE')).toMatchObject({ target: 'miniprogram', set: false });
    expect(plan.variables.find((v: { name: string }) => v.name === 'TARO_APP_CLOUD_ENV')).toMatchObject({ set: true });
    expect(plan.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^PLATFORM_SUB_MCH_ID is not set/), expect.stringMatching(/touristappid cannot use cloud development/)]));
    expect(lines).toContain(`Problems (${plan.problems.length}) — a real deploy refuses until they are fixed:`);
  });

  test('with the values and the appid the plan has no problems; a deploy without --dry-run refuses while it has', async () => {
    const vars = Object.entries(VALUES).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
    const ok = await run(['--env', 'prod-1a2b3c', '--dry-run', '--appid', 'wx0123456789abcdef', ...vars]);
    const plan = JSON.parse(ok.lines[ok.lines.length - 1]);
    expect(plan.problems).toEqual([]);
    expect(plan.miniprogram.appid).toBe('wx0123456789abcdef');
    expect(plan.variables.filter((v: { set: boolean }) => !v.set)).toEqual([]);
    const bad = await run(['--env', 'prod-1a2b3c', ...vars, '--var', 'PLATFORM_SUB_MCH_ID=12ab']);
    expect(bad.code).toBe(1);
    expect(bad.lines.join('\n')).toMatch(/PLATFORM_SUB_MCH_ID does not look right/);
  });

  test('what the real deploy would send to @cloudbase/manager-node (requests built, never sent)', () => {
    const plan = buildPlan({ root, env: 'prod-1a2b3c', appid: 'wx0123456789abcdef', values: VALUES });
    const merchant = plan.functions.find((f) => f.name === 'merchant')!;
    expect(createFunctionRequest(merchant, VALUES, root)).toEqual({
      func: {
        name: 'merchant',
        timeout: 30,
        memorySize: 256,
        runtime: 'Nodejs16.13',
        handler: 'index.main',
        installDependency: true,
        envVariables: { ADMIN_OPENIDS: 'oAdmin000001', PLATFORM_SUB_MCH_ID: '1900000109' },
      },
      functionRootPath: path.join(root, 'build', 'cloudfunctions'),
      force: true,
    });
    expect(createIndexRequest({ name: 'status_payExpiresAt', keys: ['status', 'payExpiresAt'], unique: false })).toEqual({
      IndexName: 'status_payExpiresAt',
      MgoKeySchema: { MgoIsUnique: false, MgoIndexKeys: [{ Name: 'status', Direction: '1' }, { Name: 'payExpiresAt', Direction: '1' }] },
    });
  });
});
