/**
 * Admin: the economy sandbox (模拟沙盘, issue 17). Runs shared/simulate.ts — the product's own rules — on the
 * live parameters with the admin's changes and assumptions, and answers the summary and the sampled series.
 * Nothing is written: a simulation changes no state and needs no audit record.
 *
 * Bounded: at most SIM_ADMIN_MAX_DAYS days and SIM_ADMIN_MAX_STORES stores, so one run stays within the
 * function's time (measured in docs/simulator.md).
 */
import type { AdminApi } from '../../shared/api';
import { DomainError } from '../../shared/errors';
import { validateParamPatch } from '../../shared/params';
import { SIM_ADMIN_MAX_DAYS, simSeries, simulate, validateSimInput } from '../../shared/simulate';
import { getParams } from '../config';
import { Payload } from '../validate';
import { requireAdmin } from './params';

export const SIM_ADMIN_MAX_STORES = 20;

type Res = AdminApi['simulate']['res'];

function objectOrAbsent(v: unknown, label: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new DomainError('INVALID_SIMULATION', `${label}必须是对象`);
  return v as Record<string, unknown>;
}

export async function runSimulation(p: Payload): Promise<Res> {
  const live = await getParams();
  const patch = objectOrAbsent(p.params, '参数');
  // unknown parameter names are refused, as in setParam; absent = the live value
  const params = patch && Object.keys(patch).length ? validateParamPatch(live, patch) : live;
  const input = validateSimInput({ params, assumptions: objectOrAbsent(p.assumptions, '假设') ?? {} }, SIM_ADMIN_MAX_DAYS);
  if (input.assumptions.storeMix.length > SIM_ADMIN_MAX_STORES) {
    throw new DomainError('INVALID_SIMULATION', `模拟参数不正确：门店最多 ${SIM_ADMIN_MAX_STORES} 家`);
  }
  const started = Date.now();
  const r = simulate(input);
  return { params: input.params, assumptions: input.assumptions, summary: r.summary, series: simSeries(r.days), ms: Date.now() - started };
}

export const adminSimulateActions = {
  async simulate(p: Payload, caller: { openid: string }) {
    await requireAdmin(caller.openid);
    return runSimulation(p);
  },
};
