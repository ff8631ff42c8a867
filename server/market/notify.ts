/**
 * Subscribe messages for the market (cloud.openapi.subscribeMessage.send; the local runtime records them).
 * Sent after the state change has committed; a failure to notify is logged and never undoes the change.
 * Template ids and pages are declared in shared/templates.ts (ids from the function environment, server/templates.ts).
 */
import { getCloud } from '../db';
import { templateId } from '../templates';
import { tradePage } from '../../shared/templates';
import type { TradeDoc } from './model';

export const TEMPLATES = {
  tradePaid: () => templateId('tradePaid'),
  tradeCompleted: () => templateId('tradeCompleted'),
  tradeCancelled: () => templateId('tradeCancelled'),
  appealDecided: () => templateId('appealDecided'),
};

export type MarketEvent = 'paid' | 'completed' | 'cancelled' | 'appeal_decided';

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A time as WeChat's `time` keyword expects it, in Asia/Shanghai. */
function shanghaiTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

const STATUS_WORDS: Record<MarketEvent, string> = {
  paid: '买家已付款，请确认收款',
  completed: '交易完成，积分已到账',
  cancelled: '交易已取消',
  appeal_decided: '申诉已处理',
};

/** Tell `touser` about `trade`. Never throws. */
export async function notifyTrade(touser: string, event: MarketEvent, trade: TradeDoc, at: number, note?: string): Promise<void> {
  const templateId =
    event === 'paid' ? TEMPLATES.tradePaid() : event === 'completed' ? TEMPLATES.tradeCompleted() : event === 'cancelled' ? TEMPLATES.tradeCancelled() : TEMPLATES.appealDecided();
  try {
    await getCloud().openapi.subscribeMessage.send({
      touser,
      templateId,
      page: tradePage(trade._id),
      data: {
        character_string1: { value: trade._id.slice(0, 32) },
        amount2: { value: yuan(trade.amountFen) },
        number3: { value: trade.quantity },
        thing4: { value: (note ?? STATUS_WORDS[event]).slice(0, 20) },
        time5: { value: shanghaiTime(at) },
      },
      miniprogramState: 'formal',
    });
  } catch (e) {
    console.warn('[market] subscribe message not sent', event, trade._id, String((e as Error)?.message ?? e));
  }
}
