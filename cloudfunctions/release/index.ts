/**
 * The `release` cloud function: the daily release at 22:00 Asia/Shanghai (SPEC §5) and the next day's
 * guide price (SPEC §9) — server/release.ts; then a batch of release notices (server/releaseNotify.ts).
 *
 * Fired by the timer (config.json, `0 0 22 * * * *`, UTC+8): the event is { Type: 'timer', ... } with
 * SOURCE wx_trigger and no OPENID; a failed run is retried by the cloud, and every run only releases
 * the days that are due and not yet released, so retries, late runs and concurrent runs release each
 * day once. Actions:
 * - `run`: release every due day, then send notices. Allowed to the timer, another function
 *   (no OPENID) or an admin.
 * - `notices`: one more batch of notices (also run every minute by the `timeouts` function).
 * Its timeout (60 s) is in config.json; the budgets (server/budgets.ts) keep a run inside it (deploy/bounds.ts).
 */
import cloud from 'wx-server-sdk';
import { DomainError } from '../../shared/errors';
import { ensureBootstrap, isAdmin } from '../../server/config';
import { handler, Caller } from '../../server/handler';
import { isChainedCall, isTimerSource, wrongSource } from '../../server/sources';
import { runDueReleases } from '../../server/release';
import { sendReleaseNotices } from '../../server/releaseNotify';
import { NOTICE_BATCH_BUDGET_MS, RELEASE_DAYS_BUDGET_MS, RELEASE_RUN_BUDGET_MS } from '../../server/budgets';

/** The timer, another function (no OPENID, SOURCE wx_trigger / …,scf) or an admin; a call without a user from anywhere else is WRONG_SOURCE. */
async function mayRun(caller: Caller): Promise<void> {
  if (!caller.openid) {
    if (!isTimerSource(caller.source) && !isChainedCall(caller.source)) throw wrongSource('每日释放');
    return;
  }
  if (!(await isAdmin(caller.openid))) throw new DomainError('FORBIDDEN', '仅管理员可以操作');
}

const inner = handler(
  {
    async run(_payload, caller) {
      await mayRun(caller);
      await ensureBootstrap();
      const by = caller.openid ? `admin:${caller.openid}` : caller.source.includes('wx_trigger') ? 'timer' : caller.source || 'function';
      const started = Date.now();
      const run = await runDueReleases({ by, budgetMs: RELEASE_DAYS_BUDGET_MS });
      let notices: unknown = null;
      const left = RELEASE_RUN_BUDGET_MS - (Date.now() - started);
      try {
        // out of time: the `timeouts` function sends them in its next minutes
        notices = left > 0 ? await sendReleaseNotices({ budgetMs: left }) : { skipped: 'out of time: sent by timeouts' };
      } catch (e) {
        // the release is done; the notices continue in the next batches
        console.error('[release] notices failed', e);
      }
      return { released: run.released.map((d) => ({ day: d.day, released: d.released, totalSv: d.T, guidePriceFen: d.guidePriceFen, nextGuidePriceFen: d.nextGuidePriceFen })), stillDue: run.stillDue, notices };
    },
    async notices(_payload, caller) {
      await mayRun(caller);
      await ensureBootstrap();
      return sendReleaseNotices({ budgetMs: NOTICE_BATCH_BUDGET_MS });
    },
  },
  { anonymous: ['run', 'notices'] },
);

/**
 * A timer event carries no action: it means `run`. It is believed only from the timer itself (SOURCE
 * wx_trigger); sent by anyone else it is refused with WRONG_SOURCE (an answer, not a throw). A failed timer
 * run throws, so the cloud retries it (a retry only releases what is still due).
 */
export const main = async (event: unknown) => {
  const ev = (event && typeof event === 'object' && !Array.isArray(event) ? event : {}) as Record<string, unknown>;
  if (ev.Type === 'timer' || (ev.TriggerName && !ev.action)) {
    const e = wrongSource('定时触发');
    if (!isTimerSource(String(cloud.getWXContext().SOURCE ?? ''))) return { ok: false, error: { code: e.code, message: e.message } };
    const out = (await inner({ action: 'run' })) as { ok: boolean; error?: { code: string; message: string } };
    if (!out.ok) throw new Error(`daily release failed: ${out.error?.code} ${out.error?.message}`);
    return out;
  }
  return inner(ev);
};
