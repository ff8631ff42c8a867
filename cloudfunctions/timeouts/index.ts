/**
 * The `timeouts` cloud function, timer every minute (config.json): unpaid orders cancelled after
 * unpaidOrderMinutes, shipped orders confirmed autoConfirmDays after shipping, pending refunds retried,
 * unpaid deposit purchases cancelled (server/orders.ts runOrderTimeouts); other jobs join `jobs`.
 * A timer run has no OPENID (SOURCE wx_trigger); a user may run it only as an admin; a call without a user from
 * a source that is neither the timer nor another function is refused (WRONG_SOURCE).
 */
import cloud from 'wx-server-sdk';
import { DomainError } from '../../shared/errors';
import { ensureBootstrap, isAdmin } from '../../server/config';
import { handler } from '../../server/handler';
import { isChainedCall, isTimerSource, wrongSource } from '../../server/sources';
import { runOrderTimeouts } from '../../server/orders';
import { sendReleaseNotices } from '../../server/releaseNotify';
import { cancelLapsedTrades } from '../../server/market';

const jobs: Record<string, () => Promise<unknown>> = {
  orders: () => runOrderTimeouts(),
  releaseNotices: () => sendReleaseNotices({ budgetMs: 20_000 }),
  market: () => cancelLapsedTrades(),
};

const inner = handler(
  {
    async tick(_payload, caller) {
      // the timer, another function, or an admin; without a user from anywhere else: WRONG_SOURCE
      if (!caller.openid && !isTimerSource(caller.source) && !isChainedCall(caller.source)) throw wrongSource('定时任务');
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
  void event;
  void cloud;
  // whatever the event says, it only ever means `tick`: nothing of it is read
  return inner({ action: 'tick' });
};
