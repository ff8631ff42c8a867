import { useShareAppMessage, useShareTimeline } from '@tarojs/taro'
import { getSession } from './session'

/**
 * Issue 15, sharing. A shared page carries the sharer's user number (`ref`), which the page hands to
 * rememberReferral: the new user's referrer, recorded once at their first login (one level only, SPEC).
 */
export function withReferrer(query: Record<string, string>): string {
  const me = getSession().me
  const all = me ? { ...query, ref: me.userNo } : query
  return Object.entries(all).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')
}

/**
 * The chat card and, where WeChat allows it (weapp pages whose config has `enableShareTimeline`), 分享到朋友圈:
 * Moments opens the same page with `query`. On h5 neither hook is ever called (the page's share button copies a
 * link instead). `get` is read when the user shares, so it sees what the page has loaded by then.
 */
export function usePageShare(page: string, get: () => { title: string; query: Record<string, string>; imageUrl?: string }) {
  useShareAppMessage(() => {
    const s = get()
    return { title: s.title, path: `${page}?${withReferrer(s.query)}`, ...(s.imageUrl ? { imageUrl: s.imageUrl } : {}) }
  })
  useShareTimeline(() => {
    const s = get()
    return { title: s.title, query: withReferrer(s.query), ...(s.imageUrl ? { imageUrl: s.imageUrl } : {}) }
  })
}
