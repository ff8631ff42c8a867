/**
 * Subscribe messages for the market (cloud.openapi.subscribeMessage.send; the local runtime records them).
 * Sent after the state change has committed; a failure to notify is logged and never undoes the change.
 * Template ids and pages are declared in shared/templates.ts (ids from the function environment, server/templates.ts).
 */
import { getCloud } from '../db';
import { templateId } from '../templates';
import { tradePage } from '../../shared/templates';
import type { TradeDoc } from './model';
import { postMessages } from '../messages';

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

const TITLES: Record<MarketEvent, string> = { paid: '买家已付款', completed: '交易完成', cancelled: '交易已取消', appeal_decided: '申诉已处理' };

/** Tell `touser` about `trade`: the in-app message centre, then the subscribe message. Never throws. */
export async function notifyTrade(touser: string, event: MarketEvent, trade: TradeDoc, at: number, note?: string): Promise<void> {
  const role = trade.buyer === touser ? '买入' : '卖出';
  await postMessages([
    {
      openid: touser,
      key: `trade:${trade._id}:${event}`,
      kind: event === 'appeal_decided' || trade.appeal ? 'appeal' : 'trade',
      title: TITLES[event],
      body: `${role} ${trade.quantity} 积分，${yuan(trade.amountFen)}：${note ?? STATUS_WORDS[event]}`,
      link: `/pages/trade/index?id=${trade._id}`,
    },
  ]);
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

/** New trades from a match, after its commit: both sides hear of it in the message centre. Never throws. */
export async function notifyMatched(trades: TradeDoc[] | undefined): Promise<void> {
  for (const t of trades ?? []) {
    await postMessages([
      { openid: t.buyer, key: `trade:${t._id}:matched`, kind: 'trade', title: '买单已成交，请付款', body: `买入 ${t.quantity} 积分，请在时限内向卖家支付 ${yuan(t.amountFen)} 并标记已付款`, link: `/pages/trade/index?id=${t._id}` },
      { openid: t.seller, key: `trade:${t._id}:matched`, kind: 'trade', title: '卖单已成交', body: `卖出 ${t.quantity} 积分，等待买家付款 ${yuan(t.amountFen)}`, link: `/pages/trade/index?id=${t._id}` },
    ]);
  }
}

/** An appeal was filed: the other side hears of it. Never throws. */
export async function notifyAppealed(trade: TradeDoc, byOpenid: string): Promise<void> {
  const other = trade.buyer === byOpenid ? trade.seller : trade.buyer;
  await postMessages([
    { openid: other, key: `trade:${trade._id}:appealed`, kind: 'appeal', title: '对方发起了申诉', body: `交易 ${trade.quantity} 积分（${yuan(trade.amountFen)}）进入申诉，平台将处理`, link: `/pages/trade/index?id=${trade._id}` },
  ]);
}
