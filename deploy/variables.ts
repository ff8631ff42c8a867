/**
 * Every environment variable of the deployment, with its meaning: the cloud functions' variables (set on each
 * function that reads it; deploy/deploy.test.ts fails when a function reads a variable not declared here for it)
 * and the mini-program's build-time variables (Taro inlines TARO_APP_* into the bundle).
 *
 * Values are never kept in the repository: `npm run deploy` reads them from the process environment, then from
 * `.env` and `.env.local` at the repository root (the files the CloudBase CLI reads for `{{env.X}}` in
 * cloudbaserc.json; keep `.env.local` out of git).
 */
import { TEMPLATES } from '../shared/templates';

export const FUNCTION_NAMES = ['admin', 'market', 'merchant', 'order', 'payment', 'release', 'timeouts', 'user'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface VariableDecl {
  name: string;
  meaning: string;
  /** Functions that get it (cloud) — or 'miniprogram' for a build-time variable of the app. */
  target: FunctionName[] | 'miniprogram';
  /** The deploy refuses to run without a value. */
  required: boolean;
  /** Set by the platform itself in every function: declared, never deployed. */
  platform?: boolean;
  /** A check of the value (the deploy refuses a value that fails it). */
  pattern?: RegExp;
  example?: string;
}


export const VARIABLES: VariableDecl[] = [
  {
    name: 'ADMIN_OPENIDS',
    meaning: 'Comma-separated openids of the first administrators; every function that bootstraps (all but `order` and `payment`) adds them to `admins` on first use (server/config.ts ensureBootstrap). Find your openid in 云开发控制台 → 数据库 → users after logging in once.',
    target: FUNCTION_NAMES.filter((f) => f !== 'order' && f !== 'payment'),
    required: true,
    pattern: /^[A-Za-z0-9_-]{6,64}(,[A-Za-z0-9_-]{6,64})*$/,
    example: 'oAbCdEf123456789,oXyZ987654321',
  },
  {
    name: 'PLATFORM_SUB_MCH_ID',
    meaning: "The platform's own WeChat Pay sub-merchant id (特约商户号), bound to the cloud environment (微信支付配置): merchants' deposit purchases are paid to it. Without it no merchant can become active.",
    target: ['merchant'],
    required: true,
    pattern: /^\d{8,12}$/,
    example: '1900000109',
  },
  {
    name: 'TCB_ENV',
    meaning: 'The environment id, set by CloudBase in every function; server/pay.ts uses it only when getWXContext() has no ENV.',
    target: ['merchant', 'order'],
    required: false,
    platform: true,
  },
  ...Object.values(TEMPLATES).map<VariableDecl>((t) => ({
    name: t.env,
    meaning: `Subscribe-message template id: ${t.title}; opens ${t.page}. Keywords in order: ${t.keys.join(', ')}.`,
    // server/templates.ts reads every template id: each function that sends a notice gets them all
    target: ['admin', 'market', 'release', 'timeouts'],
    required: true,
    pattern: /^[A-Za-z0-9_-]{10,64}$/,
  })),
  {
    name: 'TARO_APP_CLOUD_ENV',
    meaning: 'The cloud environment id the mini-program calls (Taro.cloud.init({ env })); set by `npm run deploy` to --env when it builds the app.',
    target: 'miniprogram',
    required: true,
  },
  ...Object.values(TEMPLATES).map<VariableDecl>((t) => ({
    name: t.clientEnv,
    meaning: `The same template id as ${t.env}, for Taro.requestSubscribeMessage; set by \`npm run deploy\` from ${t.env}.`,
    target: 'miniprogram' as const,
    required: true,
  })),
];

export function variablesOf(fn: FunctionName): VariableDecl[] {
  return VARIABLES.filter((v) => v.target !== 'miniprogram' && v.target.includes(fn));
}
