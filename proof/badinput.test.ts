/**
 * Bad input: every action (proof/catalogue.ts) fed malformed and hostile requests, generated with fast-check
 * from its valid request — fields replaced by wrong types, out-of-range and malformed numbers, huge and
 * control-character strings, MongoDB operators, prototype keys, and extra fields forging an identity or a
 * state — called by a role allowed to call it. Each answer is either a success or a refusal with a known code
 * and a Chinese sentence: never INTERNAL, never an HTTP error; a refusal changes nothing; a forged identity is
 * never taken. Malformed bodies (not JSON, not an object, too large, odd action names) are refused by the
 * gateway or the handler, and hostile WeChat Pay notifications pay nothing. The ledger and every invariant
 * hold at the end.
 *
 * PROOF_FC_RUNS (default 12) runs per action; PROOF_FC_SEED (default fixed) to explore other inputs.
 */
import fc from 'fast-check';
import { startTestCloud, TestCloud } from '../localcloud/testing';
import * as fs from 'fs';
import * as path from 'path';
import { actionOf, CASES, docActions, Fixtures, Role } from './catalogue';
import { checkWorld, stateFingerprint } from './checks';
import { ADMIN, CHINESE, Gateway, knownCodes, rid, ROOT, T0 } from './kit';

/* eslint-disable @typescript-eslint/no-explicit-any */
const RUNS = Number(process.env.PROOF_FC_RUNS ?? 12);
/** Fixed, so CI is repeatable; set PROOF_FC_SEED to explore other inputs. */
const SEED = Number(process.env.PROOF_FC_SEED ?? 20260302);
const VICTIM = 'o_forged_victim';
let tc: TestCloud;
let gw: Gateway;
let f: Fixtures;
const known = knownCodes();
const accepted: Record<string, number> = {};

beforeAll(async () => {
  process.env.ADMIN_OPENIDS = ADMIN;
  tc = await startTestCloud({ now: T0 });
  gw = new Gateway(tc.url);
  f = new Fixtures(tc, gw);
  await f.setup();
  await gw.ok('user', VICTIM, { action: 'login' });
});
afterAll(async () => {
  console.log(`[proof/badinput] hostile variants accepted (valid after all), by action: ${JSON.stringify(accepted)}`);
  const w = await checkWorld(tc.db, tc.cloud.pay.list(), { statsExact: true });
  gw.close();
  await tc.close();
  expect(w.errors).toEqual([]);
});

/** Nothing changed: the commit counter, the pay orders, the ledger's entries and every balance (proof/checks.ts). */
const fingerprint = () => stateFingerprint(tc);

/** Values no field should choke on. */
const nasty = fc.oneof(
  fc.constantFrom<unknown>(
    null, '', ' ', '\t\n', 0, -1, -0.01, 0.001, 1.5, 1e21, -1e21, 2 ** 53 + 2, Number.MAX_VALUE, true, false, [], {}, [1, 2],
    'NaN', 'Infinity', '-Infinity', '-1', '0', '0.00', '1e3', '1e-7', '0x10', '1,000', '١٢٣', '１２３', '12.345', '.5', '5.', '+5', ' 5 ',
    '99999999999999999999999', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '<script>alert(1)</script>', "' OR 1=1 --",
    '../../etc/passwd', '\u0000', '\ud800', '😀'.repeat(300), 'x'.repeat(20_000), 'o_someone_else',
    { $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { _id: { $exists: true } }, [{ productId: { $gt: '' }, quantity: 1 }],
    [{ productId: 'x', quantity: -1 }], [{ productId: 'x', quantity: 1e9 }], Array.from({ length: 500 }, () => ({ productId: 'x', quantity: 1 })),
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.anything({ maxDepth: 2 }),
);

/** Keys a client might send to act as someone else or to set what only the server sets. */
const forged = fc.dictionary(
  fc.constantFrom('openid', '_openid', 'OPENID', 'buyerOpenid', 'ownerOpenid', 'seller', 'buyer', 'userNo', 'roles', 'isAdmin', 'status', 'settled', 'balance', '_id', 'merchantDeduction', 'priceFen', '$set', 'constructor'),
  fc.constantFrom<unknown>(VICTIM, 'admin', true, 'completed', '999999.00', 0, { $set: { status: 'completed' } }),
  { maxKeys: 4 },
);

async function call(c: (typeof CASES)[number], caller: string, event: Record<string, unknown>): Promise<any> {
  if (c.fn === 'release' || c.fn === 'timeouts') return (await gw.call(c.fn, ADMIN, event)).body;
  const a = await gw.call(c.fn, caller, event);
  expect([`${c.fn}.${c.action}`, a.status]).toEqual([`${c.fn}.${c.action}`, 200]);
  return a.body;
}

describe.each(CASES.map((c) => [`${c.fn}.${c.action}`, c] as const))('%s', (_name, c) => {
  test(`${RUNS} hostile requests: only clear refusals or success, refusals change nothing, no identity forged`, async () => {
    const role = (c.allowed.find((r) => r !== 'anon') ?? 'admin') as Exclude<Role, 'anon'>;
    const valid = await c.payload(f);
    const caller = c.callerFor ? await c.callerFor(f, role) : f.ids[role];
    const keys = Object.keys(valid);
    const mutation = fc.record({
      replace: fc.subarray(keys, { minLength: keys.length ? 1 : 0 }),
      values: fc.array(nasty, { minLength: keys.length, maxLength: keys.length }),
      drop: fc.boolean(),
      extra: forged,
      freshRequestId: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const event: Record<string, unknown> = { ...valid };
        if ('requestId' in event && m.freshRequestId) event.requestId = rid('fc');
        m.replace.forEach((k, i) => {
          if (m.drop && i === 0) delete event[k];
          else event[k] = m.values[keys.indexOf(k)];
        });
        Object.assign(event, m.extra, { action: actionOf(c) });
        const before = await fingerprint();
        const res = await call(c, caller, event);
        const where = `${c.fn}.${c.action} ${JSON.stringify(event).slice(0, 300)} → ${JSON.stringify(res).slice(0, 300)}`;
        expect([where, typeof res?.ok]).toEqual([where, 'boolean']);
        if (res.ok) {
          accepted[`${c.fn}.${c.action}`] = (accepted[`${c.fn}.${c.action}`] ?? 0) + 1;
          // a forged identity never comes back as who acted (user.transfer may name the recipient's number only)
          const out = JSON.stringify(res.data);
          const echoed = c.action === 'updateProfile' ? out.replace(/"nickname":"[^"]*"/, '') : out;
          expect([where, echoed.includes(VICTIM)]).toEqual([where, false]);
        } else {
          expect([where, res.error.code !== 'INTERNAL' && known.has(res.error.code)]).toEqual([where, true]);
          expect([where, CHINESE.test(res.error.message)]).toEqual([where, true]);
          expect([where, await fingerprint()]).toEqual([where, before]);
        }
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 15_000 },
    );
  });
});

test('the suite covers every action of docs/api.md', () => {
  const doc = docActions(fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8'));
  const covered = new Set(CASES.map((c) => `${c.fn}.${actionOf(c)}`));
  expect(doc.filter((x) => !covered.has(x))).toEqual([]);
});

/** A field nested `n` levels deep (the handler takes at most 8). */
function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { x: v };
  return v;
}

/** The lists docs/api.md says refuse a cursor they did not give (the BAD_CURSOR row of its error table). */
function cursorLists(): string[] {
  const row = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8').split('\n').find((l) => l.startsWith('| `BAD_CURSOR` |')) ?? '';
  return [...row.split('|')[3].matchAll(/(\w+)\.(\w+)/g)].map((m) => `${m[1]}.${m[2]}`);
}

describe.each(CASES.map((c) => [`${c.fn}.${c.action}`, c] as const))('%s: shapes no request has', (_name, c) => {
  // the appeal fixtures move the clock a day: trades left unpaid by the runs above lapse and would bar the fixture
  // buyer from buying (SPEC §8), which the next trade fixture needs; that bar is not what is tested here
  beforeEach(async () => {
    await tc.db.collection('marketPenalty').doc(f.ids.user).remove().catch(() => undefined);
  });
  test('too deep, too large, a timer event, a junk cursor: a clear refusal (never INTERNAL), nothing changed', async () => {
    const role = (c.allowed.find((r) => r !== 'anon') ?? 'admin') as Exclude<Role, 'anon'>;
    const valid = await c.payload(f);
    const caller = c.callerFor ? await c.callerFor(f, role) : f.ids[role];
    const action = actionOf(c);
    const variants: Array<[string, Record<string, unknown>, string | null]> = [
      ['a field 20 levels deep', { ...valid, action, extra: deep(20) }, 'BAD_REQUEST'],
      ['300 K characters', { ...valid, action, pad: 'x'.repeat(300_000) }, 'BAD_REQUEST'],
      ['6,000 values', { ...valid, action, pad: Array.from({ length: 6000 }, () => 0) }, 'BAD_REQUEST'],
      ['a timer event', { Type: 'timer', TriggerName: 'x' }, null],
    ];
    if (cursorLists().includes(`${c.fn}.${action}`)) {
      for (const cursor of ['junk', '1|', 'm1', '99999999999999999999|O1', 7, { $gt: '' }]) variants.push([`cursor ${JSON.stringify(cursor)}`, { ...valid, action, cursor }, 'BAD_CURSOR']);
    }
    for (const [what, event, code] of variants) {
      const before = await fingerprint();
      const res = await call(c, caller, event);
      const where = `${c.fn}.${c.action} ${what} → ${JSON.stringify(res).slice(0, 300)}`;
      if (code === null) {
        // a timer event to a client function is an unknown action; to release/timeouts from a user it is
        // WRONG_SOURCE / FORBIDDEN (an admin may run the minute job: that one may succeed)
        expect([where, res?.ok === true ? c.fn === 'timeouts' : known.has(res?.error?.code) && res.error.code !== 'INTERNAL']).toEqual([where, true]);
        if (res?.ok) continue;
      } else {
        expect([where, res?.ok, res?.error?.code]).toEqual([where, false, code]);
      }
      expect([where, CHINESE.test(res.error.message)]).toEqual([where, true]);
      expect([where, await fingerprint()]).toEqual([where, before]);
    }
  });
});

test('malformed bodies and action names: refused by the gateway or the handler, nothing changed', async () => {
  const raw = [
    'not json', '{"action":', '[]', '[{"action":"list"}]', '"list"', '123', 'null', 'true',
    '{"action":"__proto__"}', '{"action":"constructor"}', '{"action":"toString"}', '{"action":"hasOwnProperty"}', '{"action":"valueOf"}',
    '{"action":null}', '{"action":1}', '{"action":["list"]}', '{"action":{"$gt":""}}', '{}', '{"__proto__":{"action":"login"}}',
    '{"action":"login","__proto__":{"isAdmin":true}}', '{"action":"params","constructor":{"prototype":{"isAdmin":true}}}',
  ];
  for (const fn of ['user', 'merchant', 'order', 'market', 'admin']) {
    for (const body of raw) {
      const before = await fingerprint();
      const a = await gw.raw('POST', `/api/${fn}`, body, { 'x-openid': fn === 'admin' ? f.ids.user : f.ids.user });
      const where = `${fn} ${body} → ${a.status} ${JSON.stringify(a.body)}`;
      if (a.status === 200 && a.body?.ok === true) {
        // only a login of an existing user may succeed here, and it changes nothing of note
        expect([where, body.includes('"login"')]).toEqual([where, true]);
        continue;
      }
      expect([where, a.status === 200 || a.status === 400]).toEqual([where, true]);
      expect([where, a.body?.ok]).toEqual([where, false]);
      expect([where, known.has(a.body.error.code)]).toEqual([where, true]);
      expect([where, await fingerprint()]).toEqual([where, before]);
    }
  }
  // a body over 1 MB: refused with 413 BAD_REQUEST 请求过大 (proof/FINDINGS.md 4), nothing changed
  const before = await fingerprint();
  const big = await gw
    .raw('POST', '/api/user', JSON.stringify({ action: 'updateProfile', nickname: 'x'.repeat(1_100_000) }), { 'x-openid': f.ids.user })
    .catch((e: Error) => ({ status: 0, body: String(e.message), ms: 0 }));
  expect([big.status, big.body]).toEqual([413, { ok: false, error: { code: 'BAD_REQUEST', message: '请求过大' } }]);
  expect(await fingerprint()).toEqual(before);
  expect((await gw.call('user', f.ids.user, { action: 'assets' })).status).toBe(200);
  // an openid header that is not an openid
  for (const bad of ['', ' ', 'a b', 'x'.repeat(65), '../admin', 'o_admin\u0000']) {
    const a = await gw.raw('POST', '/api/admin', { action: 'params' }, { 'x-openid': encodeURIComponent(bad) === bad ? bad : encodeURIComponent(bad) });
    expect([bad, a.status]).toEqual([bad, 401]);
  }
});

test('hostile WeChat Pay notifications (even from the pay callback source) pay nothing and do not throw', async () => {
  const orderId = await f.order('unpaid');
  const genuine = tc.payNotificationEvent(orderId);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); // the payment function logs each refusal
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.anything({ maxDepth: 2 }),
        // every field of a notification: an unpaid order's has no transactionId nor timeEnd yet, so they are named
        fc.record({ key: fc.constantFrom(...new Set([...Object.keys(genuine), 'transactionId', 'timeEnd'])), value: nasty }).map(({ key, value }) => ({ ...genuine, [key]: value })),
        fc.constant({ ...genuine, totalFee: 1 }),
        fc.constant({ ...genuine, subMchId: '1999999999' }),
        fc.constant({ ...genuine, returnCode: 'SUCCESS', resultCode: 'SUCCESS' }),
      ),
      async (event) => {
        const before = await fingerprint();
        const r = await tc.invoke('payment', event, { SOURCE: 'wx_paycallback' });
        expect(typeof r?.errcode).toBe('number');
        expect(await fingerprint()).toEqual(before);
      },
    ),
    { numRuns: RUNS * 3, seed: SEED },
  );
  expect(warn.mock.calls.length).toBeGreaterThan(0);
  warn.mockRestore();
  expect(((await tc.db.collection('orders').doc(orderId).get()).data as any).status).toBe('unpaid');
});
