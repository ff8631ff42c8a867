/**
 * The `timeouts` cloud function, timer every minute (config.json): unpaid orders cancelled after
 * unpaidOrderMinutes, shipped orders confirmed autoConfirmDays after shipping, pending refunds retried,
 * unpaid deposit purchases cancelled (server/orders.ts runOrderTimeouts), settled income swept from the treasury
 * inboxes into the treasury (server/ledger.ts sweepTreasuryInbox); other jobs join `jobs`.
 * A timer run has no OPENID (SOURCE wx_trigger); a user may run it only as an admin.
 */
import cloud from 'wx-server-sdk';
import { DomainError } from '../../shared/errors';
import { ensureBootstrap, isAdmin } from '../../server/config';
import { handler } from '../../server/handler';
import { runOrderTimeouts } from '../../server/orders';
import { sendReleaseNotices } from '../../server/releaseNotify';
import { cancelLapsedTrades } from '../../server/market';
import { sweepTreasuryInbox } from '../../server/ledger';

const jobs: Record<string, () => Promise<unknown>> = {
  orders: () => runOrderTimeouts(),
  releaseNotices: () => sendReleaseNotices({ budgetMs: 20_000 }),
  market: () => cancelLapsedTrades(),
  treasury: () => sweepTreasuryInbox({ budgetMs: 10_000 }),
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
