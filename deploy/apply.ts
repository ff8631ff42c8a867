/**
 * The real deployment (npm run deploy without --dry-run), with Tencent CloudBase's own management SDK,
 * @cloudbase/manager-node (docs.cloudbase.net/api-reference/manager/node). Never run by the tests: they check
 * the plan it is given (deploy/deploy.test.ts).
 *
 * The SDK is loaded when a deploy runs, not installed with the project (it brings ~100 packages the project
 * never uses otherwise): `npm install --no-save @cloudbase/manager-node@5.6.5` first. Credentials are a
 * Tencent Cloud API key pair of the account that owns the environment, from TENCENTCLOUD_SECRETID /
 * TENCENTCLOUD_SECRETKEY (and TENCENTCLOUD_SESSIONTOKEN for a temporary key) — never in a file of the repository.
 *
 * Steps, each idempotent (a deploy can be re-run after a failure):
 * 1. build the functions (scripts/build-functions.ts) into build/cloudfunctions;
 * 2. per function: createFunction with force (creates or updates code and configuration: timeout, memory,
 *    runtime, variables, and its timer trigger; the cloud runs npm install for wx-server-sdk);
 *    the folder carries config.json with permissions.openapi (the cloud-call permissions);
 * 3. per collection: create it if missing, add the missing indexes, set the ADMINONLY rule; then the storage
 *    bucket's rule (deploy/collections.ts STORAGE_RULE);
 * 4. the mini-program: the appid goes into project.config.json and build/weapp is built with the env id and
 *    the template ids; uploading it (DevTools or miniprogram-ci with the upload key) stays a step for a person,
 *    as does submitting it for review.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildFunctions } from '../scripts/build-functions';
import { appBuildEnv, FUNCTION_ROOT, functionDeclaration, Plan } from './plan';
import { IndexDecl } from './collections';

export const MANAGER_NODE_VERSION = '5.6.5';

/* eslint-disable @typescript-eslint/no-explicit-any */
function loadManager(): any {
  try {
    // optional: scripts/run-ts.cjs keeps packages external, so this resolves when the deploy runs
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@cloudbase/manager-node');
  } catch {
    throw new Error(`@cloudbase/manager-node is not installed: npm install --no-save @cloudbase/manager-node@${MANAGER_NODE_VERSION}`);
  }
}

/** The CreateIndexes entry of the flexdb UpdateTable call for one declared index. */
export function createIndexRequest(i: IndexDecl) {
  return { IndexName: i.name, MgoKeySchema: { MgoIsUnique: i.unique, MgoIndexKeys: i.keys.map((k) => ({ Name: k, Direction: '1' })) } };
}

/** createFunction's argument for one function of the plan (values of its variables filled in). */
export function createFunctionRequest(f: Plan['functions'][number], values: Record<string, string>, root: string) {
  return {
    func: functionDeclaration(f, (n) => values[n] ?? ''),
    functionRootPath: path.join(root, FUNCTION_ROOT),
    force: true,
  };
}

export async function applyPlan(plan: Plan, values: Record<string, string>, opts: { root: string; print: (s: string) => void }): Promise<void> {
  const { root, print } = opts;
  const secretId = process.env.TENCENTCLOUD_SECRETID;
  const secretKey = process.env.TENCENTCLOUD_SECRETKEY;
  if (!secretId || !secretKey) throw new Error('set TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY (a Tencent Cloud API key of the account that owns the environment; docs/deploy.md)');
  const CloudBase = loadManager();
  const app = (CloudBase.default ?? CloudBase).init({ secretId, secretKey, token: process.env.TENCENTCLOUD_SESSIONTOKEN, envId: plan.env });

  print('1/4 building the functions');
  await buildFunctions({ root, quiet: true });

  print('2/4 functions');
  for (const f of plan.functions) {
    // createFunction (force) creates or updates the code and configuration, then creates the timer triggers
    // of func.triggers itself (manager-node 5.6.5 lib/function: retryCreateTrigger after create and update)
    await app.functions.createFunction(createFunctionRequest(f, values, root));
    print(`  ${f.name}: deployed (${f.timeout} s${f.triggers.length ? `, timer ${f.triggers[0].config}` : ''})`);
  }

  print('3/4 collections and storage');
  const acl = app.commonService('tcb', '2018-06-08');
  for (const c of plan.collections) {
    await app.database.createCollectionIfNotExists(c.name);
    const existing = new Set<string>(((await app.database.describeCollection(c.name)).Indexes ?? []).map((i: { Name: string }) => i.Name));
    const missing = c.indexes.filter((i) => !existing.has(i.name));
    if (missing.length) await app.database.updateCollection(c.name, { CreateIndexes: missing.map(createIndexRequest) });
    await acl.call({ Action: 'ModifyDatabaseACL', Param: { EnvId: plan.env, CollectionName: c.name, AclTag: c.rule } });
    print(`  ${c.name}: ${missing.length} index(es) added, rule ${c.rule}`);
  }

  // the storage bucket's rule (manager-node storage.setStorageAcl; CUSTOM takes { read, write })
  await app.storage.setStorageAcl(plan.storage.acl, plan.storage.rule);
  print(`  storage: rule ${plan.storage.acl} read "${plan.storage.rule.read}", write "${plan.storage.rule.write}"`);

  print('4/4 mini-program');
  const projectPath = path.join(root, 'project.config.json');
  const project = JSON.parse(fs.readFileSync(projectPath, 'utf8'));
  if (project.appid !== plan.miniprogram.appid) {
    project.appid = plan.miniprogram.appid;
    fs.writeFileSync(projectPath, JSON.stringify(project, null, 2) + '\n');
    print(`  project.config.json appid = ${plan.miniprogram.appid}`);
  }
  const built = spawnSync('npm', ['run', 'build:weapp'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...appBuildEnv(plan, values) } });
  if (built.status !== 0) throw new Error('the mini-program build failed');
  print('Done. Left to a person: upload build/weapp (DevTools 上传, or miniprogram-ci with the upload key) and submit it for review;');
  print('check the cloud calls in 云开发控制台 → 云函数 → 日志: a -604101 error means the permissions of config.json were not applied — upload that function once from DevTools (上传并部署), which applies its config.json.');
}
