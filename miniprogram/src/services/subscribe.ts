/**
 * Subscribe-message consent (订阅消息): WeChat sends a notice only after the user accepted its template with
 * wx.requestSubscribeMessage, one notice per acceptance. The app asks at the moments a user expects one
 * (shared/templates.ts CONSENT_MOMENTS): after listing points for sale, after buying, and on the assets page for
 * the nightly release. WeChat accepts the request only inside a tap, so callers call `askConsent` first thing in
 * a tap handler (or a modal's confirm).
 *
 * The template ids are the mini-program's (mp.weixin.qq.com → 订阅消息); `npm run deploy` builds the app with
 * them (TARO_APP_TMPL_*, the same ids as the functions' TMPL_*). On h5 (the local runtime) there is no WeChat
 * to ask: nothing is requested and the caller says so.
 */
import Taro from '@tarojs/taro'
import { CONSENT_MOMENTS, TemplateKey } from '../../../shared/templates'

/** Written out so that Taro inlines each id at build time (it replaces process.env.TARO_APP_* literally). */
const TEMPLATE_IDS: Record<TemplateKey, string | undefined> = {
  releaseNotice: process.env.TARO_APP_TMPL_RELEASE_NOTICE,
  tradePaid: process.env.TARO_APP_TMPL_MARKET_TRADE_PAID,
  tradeCompleted: process.env.TARO_APP_TMPL_MARKET_TRADE_COMPLETED,
  tradeCancelled: process.env.TARO_APP_TMPL_MARKET_TRADE_CANCELLED,
  appealDecided: process.env.TARO_APP_TMPL_MARKET_APPEAL_DECIDED,
}

export type Moment = keyof typeof CONSENT_MOMENTS

export interface Consent {
  /** False on h5, or when the build has no template ids. */
  asked: boolean
  /** The templates the user accepted. */
  accepted: TemplateKey[]
  /** Why nothing was asked (for the page to explain). */
  reason?: string
}

export const H5_EXPLANATION = '订阅消息仅在微信小程序中可用（本地网页版不会发送通知）'

export async function askConsent(moment: Moment): Promise<Consent> {
  if (process.env.TARO_ENV !== 'weapp') return { asked: false, accepted: [], reason: H5_EXPLANATION }
  const keys = CONSENT_MOMENTS[moment].filter((k) => TEMPLATE_IDS[k])
  if (keys.length === 0) return { asked: false, accepted: [], reason: '消息模板尚未配置' }
  try {
    const res = (await Taro.requestSubscribeMessage({ tmplIds: keys.map((k) => TEMPLATE_IDS[k]!) } as Taro.requestSubscribeMessage.Option)) as unknown as Record<string, string>
    return { asked: true, accepted: keys.filter((k) => res[TEMPLATE_IDS[k]!] === 'accept') }
  } catch (e) {
    // refused by WeChat (e.g. the user turned notices off in settings): the action itself went through
    console.warn('requestSubscribeMessage failed', e)
    return { asked: true, accepted: [], reason: '未能请求订阅' }
  }
}
