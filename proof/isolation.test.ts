/**
 * The server under the cloudbase profile's weak isolation (localcloud/profile.ts; docs/localcloud.md "Cloud
 * profile"): in a CloudBase transaction a read returns the document as last committed and a commit does not check
 * that what was read is still current; only a write's lock protects. A path that reads a balance, then writes the
 * balance it computed, loses the updates committed in between (and can overdraw).
 *
 * One user with 100.00 points sends twelve transfers of 30.00 at once: at most three may succeed, the sender keeps
 * 100 − 30 × that, the receivers get exactly what was sent, and the ledger verifies.
 *
 * Found 2026-11-28 under the profile: postEntry read the debit account and then `set` the balance it computed, so
 * five or six of the twelve transfers succeeded (overdraw) and balances lost updates. The ledger now writes (locks)
 * each account before reading it (server/ledger.ts lockAccount), and this test holds.
 */
import { startTestCloud, TestCloud } from '../localcloud/testing';
import { checkWorld } from './checks';
import { ADMIN, buildWorld, Gateway, rid, T0 } from './kit';

let tc: TestCloud;
let gw: Gateway;

beforeAll(async () => {
  process.env.ADMIN_OPENIDS = ADMIN;
  tc = await startTestCloud({ now: T0, profile: 'cloudbase' });
  gw = new Gateway(tc.url);
});
afterAll(async () => {
  gw?.close();
  await tc?.close();
});

const available = async (openid: string) => (await gw.ok('user', openid, { action: 'assets' })).available as string;

test('concurrent transfers from one account: no overdraw, no lost update, the ledger verifies', async () => {
  const world = await buildWorld(gw, { prefix: 'iso', merchants: 2, users: 13, depositPoints: '1500', userPoints: 100 });
  const [sender, ...receivers] = world.users;
  expect(await available(sender.openid)).toBe('100.00');
  const before = await Promise.all(receivers.map((r) => available(r.openid)));
  const answers = await Promise.all(
    receivers.map((r) => gw.call('user', sender.openid, { action: 'transfer', toUserNo: r.userNo, points: '30.00', requestId: rid('iso') })),
  );
  const ok = answers.filter((a) => a.body?.ok === true).length;
  for (const a of answers) if (a.body?.ok !== true) expect(['INSUFFICIENT_POINTS', 'BUSY']).toContain(a.body?.error?.code);
  const after = await Promise.all(receivers.map((r) => available(r.openid)));
  const received = after.reduce((s, x, i) => s + Math.round(Number(x) * 100) - Math.round(Number(before[i]) * 100), 0);
  expect(ok).toBeLessThanOrEqual(3);
  expect(received).toBe(3000 * ok);
  expect(await available(sender.openid)).toBe(((10000 - 3000 * ok) / 100).toFixed(2));
  const w = await checkWorld(tc.db, tc.cloud.pay.list(), { statsExact: true });
  expect(w.errors).toEqual([]);
});
