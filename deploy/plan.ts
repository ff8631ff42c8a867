/**
 * The deployment plan: what `npm run deploy` creates or updates in a cloud environment, built only from files
 * in the repository (cloudfunctions/<name>/config.json, deploy/variables.ts, localcloud/indexes.json,
 * shared/templates.ts, project.config.json) and the command's arguments — no network, no credentials.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CollectionDecl, readCollections, STORAGE_RULE } from './collections';
import { FUNCTION_NAMES, FunctionName, VARIABLES, VariableDecl, variablesOf } from './variables';
import { TEMPLATES } from '../shared/templates';

/** The cloud's Node runtime for the bundles (scripts/build-functions.ts targets node16). */
export const RUNTIME = 'Nodejs16.13';
export const FUNCTION_ROOT = 'build/cloudfunctions';

export interface TriggerDecl {
  name: string;
  type: 'timer';
  config: string;
}

/** cloudfunctions/<name>/config.json, as WeChat DevTools reads it plus the fields of cloudbaserc.json. */
export interface FunctionConfigFile {
  timeout: number;
  memorySize: number;
  permissions: { openapi: string[] };
  triggers?: TriggerDecl[];
}

export interface FunctionPlan {
  name: FunctionName;
  timeout: number;
  memorySize: number;
  runtime: string;
  triggers: TriggerDecl[];
  openapi: string[];
  /** Names of the variables deployed to it (values are not printed). */
  envVars: string[];
}

export interface Plan {
  env: string;
  functions: FunctionPlan[];
  collections: CollectionDecl[];
  /** The cloud storage security rule (deploy/collections.ts). */
  storage: typeof STORAGE_RULE;
  miniprogram: {
    envId: string;
    appid: string | null;
    /** Build-time variables the app is built with (names). */
    buildEnv: string[];
    /** Template ids the app asks consent for, by template (set or not). */
    templates: Record<string, { env: string; page: string; set: boolean }>;
    privacy: string[];
  };
  /** Every declared variable: whether a value is there (cloud variables only; platform ones never). */
  variables: Array<{ name: string; target: string; required: boolean; set: boolean }>;
  /** What stops a real deploy (the dry run lists them and still prints the plan). */
  problems: string[];
}

export function readFunctionConfig(root: string, name: string): FunctionConfigFile {
  const p = path.join(root, 'cloudfunctions', name, 'config.json');
  if (!fs.existsSync(p)) throw new Error(`cloudfunctions/${name}/config.json is missing (every function declares its timeout and cloud calls)`);
  const cfg = JSON.parse(fs.readFileSync(p, 'utf8')) as Partial<FunctionConfigFile>;
  if (!Number.isInteger(cfg.timeout) || cfg.timeout! < 1 || cfg.timeout! > 60) throw new Error(`cloudfunctions/${name}/config.json: timeout must be 1–60 s (the WeChat console's range)`);
  if (![128, 256, 512, 1024, 2048].includes(cfg.memorySize as number)) throw new Error(`cloudfunctions/${name}/config.json: memorySize must be 128, 256, 512, 1024 or 2048`);
  if (!Array.isArray(cfg.permissions?.openapi)) throw new Error(`cloudfunctions/${name}/config.json: permissions.openapi must be a list (empty when the function makes no cloud call)`);
  for (const t of cfg.triggers ?? []) {
    if (t.type !== 'timer' || !/^[A-Za-z][A-Za-z0-9_-]{0,59}$/.test(t.name) || t.config.trim().split(/\s+/).length !== 7) {
      throw new Error(`cloudfunctions/${name}/config.json: trigger ${JSON.stringify(t)} must be a timer with a 7-field cron`);
    }
  }
  if ((cfg.triggers ?? []).length > 1) throw new Error(`cloudfunctions/${name}/config.json: one trigger per function`);
  return cfg as FunctionConfigFile;
}

/** The functions in cloudfunctions/ (a folder with index.ts). */
export function functionFolders(root: string): string[] {
  const dir = path.join(root, 'cloudfunctions');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** Variable values: process environment first, then .env.local, then .env (the files cloudbaserc.json's {{env.X}} reads). */
export function readValues(root: string, environ: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of ['.env', '.env.local']) {
    const p = path.join(root, file);
    if (!fs.existsSync(p)) continue;
    for (const line of fs.readFileSync(p, 'utf8').split(/\r?\n/)) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (m && !line.trim().startsWith('#')) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  for (const v of VARIABLES) if (environ[v.name] !== undefined && environ[v.name] !== '') out[v.name] = String(environ[v.name]);
  return out;
}

export interface PlanInput {
  root: string;
  env: string;
  appid?: string;
  values: Record<string, string>;
}

export const ENV_ID = /^[a-z0-9][a-z0-9-]{3,40}$/;
export const APPID = /^wx[0-9a-f]{16}$/;

function valueProblem(v: VariableDecl, value: string | undefined): string | null {
  if (v.platform || v.target === 'miniprogram') return null;
  if (value === undefined || value === '') return v.required ? `${v.name} is not set: ${v.meaning}` : null;
  if (v.pattern && !v.pattern.test(value)) return `${v.name} does not look right (expected ${v.example ?? v.pattern.source})`;
  return null;
}

export function buildPlan(input: PlanInput): Plan {
  const { root, env, values } = input;
  const problems: string[] = [];
  if (!ENV_ID.test(env)) problems.push(`--env "${env}" is not a cloud environment id (e.g. prod-1a2b3c)`);

  const folders = functionFolders(root);
  const declared = [...FUNCTION_NAMES].sort();
  if (folders.join(',') !== declared.join(',')) problems.push(`deploy/variables.ts FUNCTION_NAMES (${declared.join(', ')}) differ from cloudfunctions/ (${folders.join(', ')})`);

  const functions: FunctionPlan[] = FUNCTION_NAMES.map((name) => {
    const cfg = readFunctionConfig(root, name);
    return {
      name,
      timeout: cfg.timeout,
      memorySize: cfg.memorySize,
      runtime: RUNTIME,
      triggers: cfg.triggers ?? [],
      openapi: [...cfg.permissions.openapi].sort(),
      envVars: variablesOf(name)
        .filter((v) => !v.platform)
        .map((v) => v.name),
    };
  });

  for (const v of VARIABLES) {
    const p = valueProblem(v, values[v.name]);
    if (p) problems.push(p);
  }

  // the app's id: --appid, else project.config.json; never the tourist id (it cannot use the cloud)
  const project = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8')) as { appid?: string };
  const appid = input.appid ?? project.appid ?? null;
  if (!appid || !APPID.test(appid)) problems.push(`appid "${appid ?? ''}" is not a mini-program AppID (wx + 16 hex): pass --appid (touristappid cannot use cloud development)`);

  const templates: Plan['miniprogram']['templates'] = {};
  for (const t of Object.values(TEMPLATES)) templates[t.key] = { env: t.env, page: t.page, set: !!values[t.env] };

  return {
    env,
    functions,
    collections: readCollections(root),
    storage: STORAGE_RULE,
    miniprogram: {
      envId: env,
      appid: appid && APPID.test(appid) ? appid : null,
      buildEnv: VARIABLES.filter((v) => v.target === 'miniprogram').map((v) => v.name),
      templates,
      privacy: PRIVACY_APIS,
    },
    variables: VARIABLES.filter((v) => !v.platform).map((v) => ({
      name: v.name,
      target: v.target === 'miniprogram' ? 'miniprogram' : v.target.join(','),
      required: v.required,
      // an app variable is set by the deploy from its source: the env id, or the function variable of the same template
      set: v.target === 'miniprogram' ? v.name === 'TARO_APP_CLOUD_ENV' || !!values[Object.values(TEMPLATES).find((t) => t.clientEnv === v.name)?.env ?? ''] : !!values[v.name],
    })),
    problems,
  };
}

/**
 * The privacy-relevant APIs the app calls: each needs its purpose in the 用户隐私保护指引 (mp.weixin.qq.com →
 * 设置 → 服务内容声明), or WeChat refuses the call (errno 112) once the guideline applies. Kept as a list so the
 * deploy prints it (docs/deploy.md).
 */
export const PRIVACY_APIS = [
  'chooseImage (选中的照片或视频信息: payment-detail QR codes, product images, the business licence)',
  'saveImageToPhotosAlbum (相册（仅写入）权限: the merchant pay code)',
  'setClipboardData (剪切板: copying a store link)',
];

/** The mini-program's build environment: the cloud env and the template ids (Taro inlines TARO_APP_*). */
export function appBuildEnv(plan: Plan, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { TARO_APP_CLOUD_ENV: plan.miniprogram.envId };
  for (const t of Object.values(TEMPLATES)) if (values[t.env]) out[t.clientEnv] = values[t.env];
  return out;
}

/**
 * cloudbaserc.json (CloudBase CLI, config version 2.0): the functions with their timeout, memory, runtime,
 * triggers and variables. Values are `{{env.X}}` (read by the CLI from .env / .env.local), so the file holds
 * no deployment's values and is committed; `npm run deploy` checks it is current.
 */
export function cloudbaserc(plan: Pick<Plan, 'functions'>): Record<string, unknown> {
  return {
    version: '2.0',
    envId: '{{env.ENV_ID}}',
    functionRoot: FUNCTION_ROOT,
    functions: plan.functions.map((f) => functionDeclaration(f, (n) => `{{env.${n}}}`)),
  };
}

/**
 * One function as CloudBase declares it (cloudbaserc.json's entry, manager-node's createFunction `func`); the
 * variables' values come from `valueOf` (placeholders for the committed file, real values for a deploy).
 */
export function functionDeclaration(f: Plan['functions'][number], valueOf: (name: string) => string) {
  return {
    name: f.name,
    timeout: f.timeout,
    memorySize: f.memorySize,
    runtime: f.runtime,
    handler: 'index.main',
    installDependency: true,
    ...(f.triggers.length ? { triggers: f.triggers } : {}),
    envVariables: Object.fromEntries(f.envVars.map((n) => [n, valueOf(n)])),
  };
}

/** The dry run's last line: one JSON object (the shape docs/deploy.md documents). */
export function planSummary(plan: Plan): Record<string, unknown> {
  return {
    env: plan.env,
    functions: plan.functions.map((f) => ({ name: f.name, timeout: f.timeout, memorySize: f.memorySize, runtime: f.runtime, triggers: f.triggers, openapi: f.openapi, envVars: f.envVars })),
    collections: plan.collections.map((c) => ({ name: c.name, indexes: c.indexes, rule: c.rule })),
    storage: plan.storage,
    miniprogram: plan.miniprogram,
    variables: plan.variables,
    problems: plan.problems,
  };
}
