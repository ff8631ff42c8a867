/**
 * The build (scripts/build-functions.ts): each function becomes a deployable folder — index.js (CommonJS, one
 * bundle, wx-server-sdk external), package.json depending on wx-server-sdk, config.json (timeout, memory, cloud-call
 * permissions, timer trigger; every function has one) — and the bundle runs unchanged on the local runtime.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildFunctions } from '../../scripts/build-functions';
import { startTestCloud } from '../testing';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-build-'));
  const w = (p: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  };
  w('lib/greet.ts', "export const greet = (n: string): string => `你好, ${n}`;\n");
  w(
    'cloudfunctions/hello/index.ts',
    [
      "import cloud from 'wx-server-sdk';",
      "import { greet } from '../../lib/greet';",
      'cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });',
      'export const main = async (event: { name: string }) => {',
      '  const { OPENID, SOURCE } = cloud.getWXContext();',
      '  return { ok: true, data: { text: greet(event.name ?? OPENID ?? "?"), SOURCE } };',
      '};',
    ].join('\n'),
  );
  w(
    'cloudfunctions/hello/config.json',
    JSON.stringify({ timeout: 60, memorySize: 256, permissions: { openapi: ['subscribeMessage.send'] }, triggers: [{ name: 'daily-release', type: 'timer', config: '0 0 22 * * * *' }] }),
  );
  w('cloudfunctions/plain/index.ts', "export const main = async () => ({ ok: true, data: 1 });\n");
  w('cloudfunctions/plain/config.json', JSON.stringify({ timeout: 20, memorySize: 256, permissions: { openapi: [] } }));
  w('cloudfunctions/notafunction.md', 'ignored');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('deployable folders: index.js + package.json (+ config.json)', async () => {
  const out = path.join(root, 'build', 'cloudfunctions');
  const r = await buildFunctions({ root, quiet: true });
  expect(r.map((x) => x.name)).toEqual(['hello', 'plain']);
  expect(fs.readdirSync(path.join(out, 'hello')).sort()).toEqual(['config.json', 'index.js', 'package.json']);
  expect(fs.readdirSync(path.join(out, 'plain')).sort()).toEqual(['config.json', 'index.js', 'package.json']);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'plain', 'config.json'), 'utf8'))).toEqual({ timeout: 20, memorySize: 256, permissions: { openapi: [] } });
  const pkg = JSON.parse(fs.readFileSync(path.join(out, 'hello', 'package.json'), 'utf8'));
  expect(pkg).toMatchObject({ main: 'index.js', dependencies: { 'wx-server-sdk': '~3.0.1' } });
  expect(JSON.parse(fs.readFileSync(path.join(out, 'hello', 'config.json'), 'utf8'))).toMatchObject({
    timeout: 60,
    permissions: { openapi: ['subscribeMessage.send'] },
    triggers: [{ config: '0 0 22 * * * *' }],
  });
  const js = fs.readFileSync(path.join(out, 'hello', 'index.js'), 'utf8');
  expect(js).toContain('require("wx-server-sdk")'); // the real SDK in the cloud
  expect(js).toContain('你好'); // the shared code is inlined
  expect(js).not.toMatch(/better-sqlite3|localcloud/);

  // the bundle runs on the local runtime (jest maps wx-server-sdk to the emulation)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hello = require(path.join(out, 'hello', 'index.js'));
  const tc = await startTestCloud({ functions: { hello: hello.main }, http: true });
  try {
    expect(await tc.call('hello', 'o_built', { name: '小明' })).toEqual({ ok: true, data: { text: '你好, 小明', SOURCE: 'wx_client' } });
  } finally {
    await tc.close();
  }
});

test('a function that imports the local runtime is refused', async () => {
  fs.mkdirSync(path.join(root, 'localcloud'), { recursive: true });
  fs.writeFileSync(path.join(root, 'localcloud', 'x.ts'), 'export const x = 1;\n');
  fs.mkdirSync(path.join(root, 'cloudfunctions', 'bad'), { recursive: true });
  fs.writeFileSync(path.join(root, 'cloudfunctions', 'bad', 'index.ts'), "import { x } from '../../localcloud/x';\nexport const main = async () => x;\n");
  await expect(buildFunctions({ root, only: ['bad'], quiet: true })).rejects.toThrow(/local runtime/);
});

test('a function without config.json (timeout, cloud calls) is refused', async () => {
  fs.mkdirSync(path.join(root, 'cloudfunctions', 'bare'), { recursive: true });
  fs.writeFileSync(path.join(root, 'cloudfunctions', 'bare', 'index.ts'), 'export const main = async () => 1;\n');
  await expect(buildFunctions({ root, only: ['bare'], quiet: true })).rejects.toThrow(/config\.json is missing/);
  fs.writeFileSync(path.join(root, 'cloudfunctions', 'bare', 'config.json'), JSON.stringify({ timeout: 90, memorySize: 256, permissions: { openapi: [] } }));
  await expect(buildFunctions({ root, only: ['bare'], quiet: true })).rejects.toThrow(/timeout must be 1–60 s/);
  fs.rmSync(path.join(root, 'cloudfunctions', 'bare'), { recursive: true, force: true });
});
