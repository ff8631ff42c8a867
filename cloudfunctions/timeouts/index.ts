/**
 * The `timeouts` cloud function, timer every minute (config.json): unpaid orders cancelled after
 * unpaidOrderMinutes, shipped orders confirmed autoConfirmDays after shipping, pending refunds retried,
 * unpaid deposit purchases cancelled (server/orders.ts runOrderTimeouts); other jobs join `jobs`.
 * First of all, any due daily release (server/release.ts releaseIfDue: at most once a day, days in order,
 * whatever else fires it), then stores its released points bring to their deposit are activated.
 * A timer run has no OPENID (SOURCE wx_trigger); a user may run it only as an admin.
 */
import cloud from 'wx-server-sdk';
import { DomainError } from '../../shared/errors';
import { ensureBootstrap, isAdmin } from '../../server/config';
import { handler } from '../../server/handler';
import { runOrderTimeouts } from '../../server/orders';
import { sendReleaseNotices } from '../../server/releaseNotify';
import { releaseIfDue } from '../../server/release';
import { activateFundedStores } from '../../server/merchants';
import { cancelLapsedTrades } from '../../server/market';

const jobs: Record<string, () => Promise<unknown>> = {
  release: () => releaseIfDue(),
  activation: () => activateFundedStores(),
  orders: () => runOrderTimeouts(),
  releaseNotices: () => sendReleaseNotices({ budgetMs: 20_000 }),
  market: () => cancelLapsedTrades(),
};

const inner = handler(
  {
    async tick(_payload, caller) {
      if (caller.openid && !(await isAdmin(caller.openid))) throw new DomainError('FORBIDDEN', '仅管理员可以操作');
      await ensureBootstrap();
      const out: Record<string, unknown> = {};
      for (const [name, job] of Object.entries(jobs)) {
        try {
          out[name] = await job();
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
  const ev = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
  void cloud;
  return inner({ ...ev, action: 'tick' });
};
