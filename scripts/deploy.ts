/**
 * npm run deploy -- --env <envId> [--appid wx…] [--dry-run] [--var KEY=VALUE ...]
 *
 * --dry-run: prints the plan (functions, collections, variables, the mini-program) and, as its last line, one
 * JSON object (deploy/plan.ts planSummary). No network, no credentials; exits 0 even when the plan has
 * problems (they are listed in it), so the plan can be read before the values exist.
 * Without --dry-run: refuses while the plan has problems, then deploys with @cloudbase/manager-node
 * (deploy/apply.ts): functions (code, timeout, memory, variables, triggers), collections (indexes,
 * ADMINONLY rule); writes the appid into project.config.json and builds the mini-program for the env.
 * --write-rc: rewrites cloudbaserc.json from the declaration (the committed file is checked by the tests).
 */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './paths';
import { buildPlan, cloudbaserc, Plan, planSummary, readValues } from '../deploy/plan';

export interface DeployArgs {
  env: string | null;
  appid?: string;
  dryRun: boolean;
  writeRc: boolean;
  vars: Record<string, string>;
}

export function parseArgs(argv: string[]): DeployArgs {
  const out: DeployArgs = { env: null, dryRun: false, writeRc: false, vars: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--env' || a === '-e') out.env = next();
    else if (a.startsWith('--env=')) out.env = a.slice(6);
    else if (a === '--appid') out.appid = next();
    else if (a.startsWith('--appid=')) out.appid = a.slice(8);
    else if (a === '--dry-run') out.dryRun = true;
    else if (a === '--write-rc') out.writeRc = true;
    else if (a === '--var') {
      const kv = next();
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`--var takes KEY=VALUE, not "${kv}"`);
      out.vars[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else throw new Error(`unknown argument "${a}" (usage: npm run deploy -- --env <envId> [--appid wx…] [--dry-run] [--var KEY=VALUE])`);
  }
  return out;
}

export function describePlan(plan: Plan): string[] {
  const lines: string[] = [];
  lines.push(`Deployment plan for cloud environment ${plan.env}`);
  lines.push('Functions (build/cloudfunctions/<name>, runtime, timeout, memory, timer, cloud calls, variables):');
  for (const f of plan.functions) {
    lines.push(
      `  ${f.name.padEnd(9)} ${f.runtime} ${String(f.timeout).padStart(2)} s ${f.memorySize} MB` +
        `${f.triggers.length ? `  timer "${f.triggers[0].config}"` : ''}` +
        `${f.openapi.length ? `  openapi ${f.openapi.join(', ')}` : ''}` +
        `  env ${f.envVars.join(', ')}`,
    );
  }
  lines.push(`Collections (${plan.collections.length}, every one ${plan.collections[0]?.rule}: only the functions read and write):`);
  for (const c of plan.collections) lines.push(`  ${c.name.padEnd(18)} ${c.indexes.length ? c.indexes.map((i) => `${i.keys.join('+')}${i.unique ? ' (unique)' : ''}`).join(', ') : '(no index)'}`);
  lines.push(`Storage rule (${plan.storage.acl}): read "${plan.storage.rule.read}", write "${plan.storage.rule.write}"`);
  lines.push('Variables:');
  for (const v of plan.variables) lines.push(`  ${v.name.padEnd(38)} ${v.target === 'miniprogram' ? (v.set ? 'app build, from the deploy' : 'app build, MISSING (its TMPL_* is not set)') : v.set ? 'set' : v.required ? 'MISSING' : 'unset'}`);
  lines.push(`Mini-program: appid ${plan.miniprogram.appid ?? '(none)'}, built with TARO_APP_CLOUD_ENV=${plan.miniprogram.envId}`);
  lines.push('  privacy guideline must declare: ' + plan.miniprogram.privacy.join('; '));
  if (plan.problems.length) {
    lines.push(`Problems (${plan.problems.length}) — a real deploy refuses until they are fixed:`);
    for (const p of plan.problems) lines.push(`  - ${p}`);
  } else lines.push('No problems.');
  return lines;
}

/** `baseValues`: the variable values before --var (default: environment, .env.local, .env; tests pass their own). */
export async function main(argv: string[], root = repoRoot(), print: (s: string) => void = console.log, baseValues?: Record<string, string>): Promise<number> {
  const args = parseArgs(argv);
  const rcPath = path.join(root, 'cloudbaserc.json');
  if (args.writeRc) {
    const plan = buildPlan({ root, env: args.env ?? 'env-id', values: {} });
    fs.writeFileSync(rcPath, JSON.stringify(cloudbaserc(plan), null, 2) + '\n');
    print(`wrote ${path.relative(root, rcPath)}`);
    if (!args.env) return 0;
  }
  if (!args.env) throw new Error('--env <envId> is required (the cloud environment id, 云开发控制台 → 设置)');
  const values = { ...(baseValues ?? readValues(root)), ...args.vars };
  const plan = buildPlan({ root, env: args.env, appid: args.appid, values });
  for (const l of describePlan(plan)) print(l);
  if (args.dryRun) {
    print(JSON.stringify(planSummary(plan)));
    return 0;
  }
  if (plan.problems.length) {
    print('Not deploying: fix the problems above (values go in .env.local or the environment; see docs/deploy.md).');
    return 1;
  }
  const { applyPlan } = await import('../deploy/apply');
  await applyPlan(plan, values, { root, print });
  return 0;
}

if (require.main === module || process.argv[1]?.endsWith('deploy.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e?.message ?? e);
      process.exit(2);
    },
  );
}
