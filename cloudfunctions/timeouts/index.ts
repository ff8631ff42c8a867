/**
 * The `timeouts` cloud function, timer every minute (config.json): unpaid orders cancelled after
 * unpaidOrderMinutes, shipped orders confirmed autoConfirmDays after shipping, pending refunds retried,
 * unpaid deposit purchases cancelled (server/orders.ts runOrderTimeouts), settled income swept from the treasury
 * inboxes into the treasury (server/ledger.ts sweepTreasuryInbox); other jobs join `jobs`.
 * The jobs share TICK_BUDGET_MS, so a run ends inside the function's timeout (config.json, deploy/bounds.ts).
 * A timer run has no OPENID (SOURCE wx_trigger); a user may run it only as an admin; a call without a user from
 * a source that is neither the timer nor another function is refused (WRONG_SOURCE).
 * First of all, any due daily release (server/release.ts releaseIfDue: at most once a day, days in order,
 * whatever else fires it; a day stops being started after the budget), then stores its released points bring
 * to their deposit are activated.
 */
import cloud from 'wx-server-sdk';
import { DomainError } from '../../shared/errors';
import { ensureBootstrap, isAdmin } from '../../server/config';
import { handler } from '../../server/handler';
import { checkEventShape } from '../../server/validate';
import { isChainedCall, isTimerSource, wrongSource } from '../../server/sources';
import { runOrderTimeouts } from '../../server/orders';
import { sendReleaseNotices } from '../../server/releaseNotify';
import { releaseIfDue } from '../../server/release';
import { activateFundedStores } from '../../server/merchants';
import { cancelLapsedTrades } from '../../server/market';
import { sweepTreasuryInbox } from '../../server/ledger';
import { backfillProducts } from '../../server/search';
import { RELEASE_DAYS_BUDGET_MS, TICK_BUDGET_MS } from '../../server/budgets';

/** The jobs, in order; each gets the part of TICK_BUDGET_MS the previous ones left (server/budgets.ts). */
const jobs: Record<string, (budgetMs: number) => Promise<unknown>> = {
  release: (budgetMs) => releaseIfDue({ budgetMs: Math.min(budgetMs, RELEASE_DAYS_BUDGET_MS) }),
  activation: () => activateFundedStores(),
  orders: (budgetMs) => runOrderTimeouts(budgetMs),
  releaseNotices: (budgetMs) => sendReleaseNotices({ budgetMs }),
  market: (budgetMs) => cancelLapsedTrades(undefined, budgetMs),
  treasury: (budgetMs) => sweepTreasuryInbox({ budgetMs }),
  // products saved before search and the category feed: their searchText and category (server/search.ts)
  catalogue: (budgetMs) => backfillProducts(budgetMs),
};

const inner = handler(
  {
    async tick(_payload, caller) {
      // the timer, another function, or an admin; without a user from anywhere else: WRONG_SOURCE
      if (!caller.openid && !isTimerSource(caller.source) && !isChainedCall(caller.source)) throw wrongSource('定时任务');
      if (caller.openid && !(await isAdmin(caller.openid))) throw new DomainError('FORBIDDEN', '仅管理员可以操作');
      const started = Date.now();
      await ensureBootstrap();
      const out: Record<string, unknown> = {};
      for (const [name, job] of Object.entries(jobs)) {
        const left = TICK_BUDGET_MS - (Date.now() - started);
        if (left <= 0) {
          out[name] = { skipped: 'out of time: next minute' };
          continue;
        }
        try {
          out[name] = await job(left);
        } catch (e) {
          console.error(`[timeouts] job ${name} failed`, e);
          out[name] = { failed: true };
        }
      }
      return out;
    },
  },
  { anonymous: ['tick'] },
);

export const main = async (event: unknown) => {
  void cloud;
  // whatever the event says, it only ever means `tick`: nothing of it is read, but an event no timer sends (too
  // deep or too large) is refused like everywhere else
  try {
    checkEventShape(event);
  } catch (e) {
    const err = e as { code: string; message: string };
    return { ok: false, error: { code: err.code, message: err.message } };
  }
  return inner({ action: 'tick' });
};
