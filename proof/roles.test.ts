/**
 * The role matrix: every action (proof/catalogue.ts, which must name every action of shared/api.ts) called by
 * every role — anonymous, a user, the merchant owner, another merchant, an admin. The allowed ones succeed;
 * every other call is refused with a known code and a Chinese sentence, never INTERNAL, and changes nothing
 * (not one database commit, no WeChat Pay order).
 */
import * as fs from 'fs';
import * as path from 'path';
import { startTestCloud, TestCloud } from '../localcloud/testing';
import { actionOf, apiActions, CASES, docActions, Fixtures, Role, ROLES } from './catalogue';
import { checkWorld, stateFingerprint } from './checks';
import { ADMIN, CHINESE, Gateway, knownCodes, ROOT, T0 } from './kit';

/* eslint-disable @typescript-eslint/no-explicit-any */
let tc: TestCloud;
let gw: Gateway;
let f: Fixtures;
const known = knownCodes();

beforeAll(async () => {
  process.env.ADMIN_OPENIDS = ADMIN;
  tc = await startTestCloud({ now: T0 });
  gw = new Gateway(tc.url);
  f = new Fixtures(tc, gw);
  await f.setup();
});
afterAll(async () => {
  const w = await checkWorld(tc.db, tc.cloud.pay.list(), { statsExact: true });
  gw.close();
  await tc.close();
  expect(w.errors).toEqual([]);
});

/** Call as a role: anonymous = in the cloud with no OPENID (the gateway itself answers 401 without x-openid). */
async function callAs(role: Role, fn: string, event: Record<string, unknown>, caller?: string): Promise<any> {
  if (role === 'anon') return tc.invoke(fn, event, { SOURCE: 'scf' }); // another function (a timer run is wx_trigger)
  return (await gw.call(fn, caller ?? f.ids[role], event)).body;
}

/** Nothing changed: the commit counter, the pay orders, the ledger's entries and every balance (proof/checks.ts). */
const fingerprint = () => stateFingerprint(tc);

test('the matrix names every action of shared/api.ts', () => {
  const api = apiActions(fs.readFileSync(path.join(ROOT, 'shared', 'api.ts'), 'utf8'));
  expect(api.length).toBeGreaterThan(50);
  const covered = new Set(CASES.map((c) => `${c.fn}.${actionOf(c)}`));
  expect(api.filter((a) => !covered.has(a))).toEqual([]);
});

test('the matrix names every action of docs/api.md', () => {
  const doc = docActions(fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8'));
  expect(doc.length).toBeGreaterThan(60);
  const covered = new Set(CASES.map((c) => `${c.fn}.${actionOf(c)}`));
  expect(doc.filter((a) => !covered.has(a))).toEqual([]);
  // and nothing the matrix calls is undocumented
  expect([...covered].filter((a) => !doc.includes(a))).toEqual([]);
});

test('without x-openid the gateway answers 401 UNAUTHENTICATED for every function', async () => {
  for (const fn of ['user', 'merchant', 'order', 'market', 'admin', 'payment', 'release', 'timeouts']) {
    const a = await gw.call(fn, null, { action: 'list' });
    expect(a.status).toBe(401);
    expect(a.body.error.code).toBe('UNAUTHENTICATED');
  }
});

describe.each(CASES.map((c) => [`${c.fn}.${c.action}`, c] as const))('%s', (_name, c) => {
  const refused = ROLES.filter((r) => !c.allowed.includes(r));
  if (refused.length) {
    test(`refused to ${refused.join(', ')}: a clear refusal, nothing changed`, async () => {
      for (const role of refused) {
        const payload = await c.payload(f);
        const before = await fingerprint();
        const res = await callAs(role, c.fn, { action: actionOf(c), ...payload });
        const where = `${c.fn}.${c.action} as ${role}: ${JSON.stringify(res)}`;
        expect([where, res?.ok]).toEqual([where, false]);
        expect([where, known.has(res.error.code)]).toEqual([where, true]);
        expect([where, CHINESE.test(res.error.message)]).toEqual([where, true]);
        expect([where, await fingerprint()]).toEqual([where, before]);
      }
    });
  }
  test(`allowed to ${c.allowed.join(', ')}: succeeds`, async () => {
    for (const role of c.allowed) {
      const payload = await c.payload(f);
      const caller = role !== 'anon' && c.callerFor ? await c.callerFor(f, role) : undefined;
      const before = c.mutating ? null : await fingerprint();
      const res = await callAs(role, c.fn, { action: actionOf(c), ...payload }, caller);
      const where = `${c.fn}.${c.action} as ${role}: ${JSON.stringify(res)?.slice(0, 400)}`;
      expect([where, res?.ok]).toEqual([where, true]);
      // a read changes nothing either
      if (before) {
        const after = await fingerprint();
        if (c.bookkeeping) expect([where, { ...after, commits: 0 }]).toEqual([where, { ...before, commits: 0 }]); // its own counter moves
        else expect([where, after]).toEqual([where, before]);
      }
    }
  });
});

test('a payment notification sent by a user (any role) through the gateway pays nothing', async () => {
  const orderId = await f.order('unpaid');
  const event = tc.payNotificationEvent(orderId);
  for (const role of ['user', 'owner', 'other', 'admin'] as const) {
    const before = await fingerprint();
    await gw.call('payment', f.ids[role], event);
    expect(await fingerprint()).toEqual(before);
  }
  expect(((await tc.db.collection('orders').doc(orderId).get()).data as any).status).toBe('unpaid');
});
