/** admin.simulate through the gateway: admins only, the live parameters, bounded, and the same figures as shared/simulate.ts. */
import type { TestCloud } from '../../localcloud/testing';
import { DEFAULT_PARAMS } from '../../shared/params';
import { simSeries, simulate, validateSimInput } from '../../shared/simulate';
import { ADMIN, fail, login, ok, worldForFile } from '../testkit.testutil';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('admin.simulate (模拟沙盘)', () => {
  let tc: TestCloud;
  worldForFile((c) => (tc = c), {
    setup: async (c) => {
      await login(c, ADMIN);
      await login(c, 'o_eve');
    },
  });

  test('only an admin may run it', async () => {
    expect((await fail(tc, 'admin', 'o_eve', { action: 'simulate' })).code).toBe('FORBIDDEN');
    expect((await fail(tc, 'admin', 'o_nobody', { action: 'simulate' })).code).toBe('FORBIDDEN');
  });

  test('the live parameters with the admin changes: the figures of the pure simulation, series sampled', async () => {
    const assumptions = { days: 400, spending: { kind: 'constant', yuanPerDay: '50000' }, storeMix: ['2', '1'] };
    const r = await ok(tc, 'admin', ADMIN, { action: 'simulate', params: { releasePerDay: '1000' }, assumptions });
    const local = simulate(validateSimInput({ params: { ...DEFAULT_PARAMS, releasePerDay: '1000' }, assumptions }));
    expect(r.params.releasePerDay).toBe('1000');
    expect(r.summary).toEqual(local.summary);
    expect(r.series).toEqual(simSeries(local.days));
    expect(r.series.step).toBe(2);
    expect(r.series.day[0]).toBe(1);
    expect(r.series.day[r.series.day.length - 1]).toBe(400);
    expect(r.series.day.length).toBeLessThanOrEqual(366);
    // a live change is what the next run starts from
    await ok(tc, 'admin', ADMIN, { action: 'setParam', name: 'rebateRate', value: '0.2', reason: '测试' });
    const after = await ok(tc, 'admin', ADMIN, { action: 'simulate', assumptions: { days: 3 } });
    expect(after.params.rebateRate).toBe('0.2');
    expect(after.summary.reference.rebateYuan).toBe('200.00');
  });

  test('bounded and validated, with a reason', async () => {
    const bad = async (e: Record<string, unknown>) => fail(tc, 'admin', ADMIN, { action: 'simulate', ...e });
    expect(await bad({ assumptions: { days: 1096 } })).toMatchObject({ code: 'INVALID_SIMULATION', message: expect.stringMatching(/模拟天数/) });
    expect(await bad({ assumptions: { storeMix: Array(21).fill('1') } })).toMatchObject({ code: 'INVALID_SIMULATION', message: expect.stringMatching(/最多 20 家/) });
    expect(await bad({ params: { noSuchParam: 1 } })).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await bad({ params: { rebateRate: '7' } })).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await bad({ assumptions: 'all' })).toMatchObject({ code: 'INVALID_SIMULATION' });
    expect(await bad({ assumptions: { spending: { kind: 'constant', yuanPerDay: 'lots' } } })).toMatchObject({ code: 'INVALID_SIMULATION' });
  });
});
