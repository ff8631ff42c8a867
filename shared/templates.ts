/**
 * The subscribe-message templates (订阅消息) the platform sends, declared once: the mini-program asks for
 * consent with these (wx.requestSubscribeMessage), the functions send with them (subscribeMessage.send), and
 * the deployment declares their ids (deploy/). A template's id is per mini-program (chosen in mp.weixin.qq.com
 * → 订阅消息), so it is configuration: `env` names the cloud-function variable that holds it and `clientEnv`
 * the build-time variable of the mini-program (Taro inlines TARO_APP_* at build). `page` is the page the
 * message opens; it must be a page of app.config.ts (deploy/deploy.test.ts checks), or WeChat refuses the send.
 * `keys` are the template's keywords, in the template's order; their types (thing, number, …) limit the values.
 */
export type TemplateKey = 'releaseNotice' | 'tradePaid' | 'tradeCompleted' | 'tradeCancelled' | 'appealDecided';

export interface TemplateDecl {
  key: TemplateKey;
  /** Cloud-function environment variable with the template id. */
  env: string;
  /** Mini-program build-time variable with the same id (for requestSubscribeMessage). */
  clientEnv: string;
  /** The page the message opens (no leading slash; a query may follow). */
  page: string;
  keys: string[];
  /** What the user is told / what the operator picks in the template library. */
  title: string;
}

export const TEMPLATES: Record<TemplateKey, TemplateDecl> = {
  releaseNotice: {
    key: 'releaseNotice',
    env: 'TMPL_RELEASE_NOTICE',
    clientEnv: 'TARO_APP_TMPL_RELEASE_NOTICE',
    page: 'pages/assets/index',
    keys: ['date1', 'number2', 'thing3'],
    title: '每日释放到账通知（释放时间、到账积分、备注）',
  },
  tradePaid: {
    key: 'tradePaid',
    env: 'TMPL_MARKET_TRADE_PAID',
    clientEnv: 'TARO_APP_TMPL_MARKET_TRADE_PAID',
    page: 'pages/trade/index',
    keys: ['character_string1', 'amount2', 'number3', 'thing4', 'time5'],
    title: '交易付款通知（交易单号、金额、数量、状态、时间）',
  },
  tradeCompleted: {
    key: 'tradeCompleted',
    env: 'TMPL_MARKET_TRADE_COMPLETED',
    clientEnv: 'TARO_APP_TMPL_MARKET_TRADE_COMPLETED',
    page: 'pages/trade/index',
    keys: ['character_string1', 'amount2', 'number3', 'thing4', 'time5'],
    title: '交易完成通知（交易单号、金额、数量、状态、时间）',
  },
  tradeCancelled: {
    key: 'tradeCancelled',
    env: 'TMPL_MARKET_TRADE_CANCELLED',
    clientEnv: 'TARO_APP_TMPL_MARKET_TRADE_CANCELLED',
    page: 'pages/trade/index',
    keys: ['character_string1', 'amount2', 'number3', 'thing4', 'time5'],
    title: '交易取消通知（交易单号、金额、数量、原因、时间）',
  },
  appealDecided: {
    key: 'appealDecided',
    env: 'TMPL_MARKET_APPEAL_DECIDED',
    clientEnv: 'TARO_APP_TMPL_MARKET_APPEAL_DECIDED',
    page: 'pages/trade/index',
    keys: ['character_string1', 'amount2', 'number3', 'thing4', 'time5'],
    title: '申诉结果通知（交易单号、金额、数量、结果、时间）',
  },
};

/** The page path with the trade's id, as the market notices open it. */
export function tradePage(tradeId: string): string {
  return `${TEMPLATES.tradePaid.page}?id=${encodeURIComponent(tradeId)}`;
}

/**
 * The moments the app asks for consent (at most 3 templates per wx.requestSubscribeMessage call, WeChat's limit).
 * - afterSell: a seller listed points: they want to hear the buyer paid, and when it completes or is cancelled.
 * - afterBuy: a buyer took an offer: completion, cancellation (e.g. not paid in time), an appeal's outcome.
 * - release: on the assets page, the nightly release notice.
 */
export const CONSENT_MOMENTS: Record<'afterSell' | 'afterBuy' | 'release', TemplateKey[]> = {
  afterSell: ['tradePaid', 'tradeCompleted', 'tradeCancelled'],
  afterBuy: ['tradeCompleted', 'tradeCancelled', 'appealDecided'],
  release: ['releaseNotice'],
};
