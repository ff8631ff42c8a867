/**
 * Unread messages (issue 15): one small shared store, refreshed when a page shows (at most every 10 s unless
 * forced), shown as the badge of the 我的 tab and on the 我的 page.
 */
import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import { call } from './cloud'
import type { UnreadCounts } from './types'

const ME_TAB = 3 // 首页 · 市场 · 资产 · 我的
let counts: UnreadCounts | null = null
let fetchedAt = 0
let inFlight: Promise<void> | null = null
const listeners = new Set<(c: UnreadCounts | null) => void>()

function publish(c: UnreadCounts) {
  counts = c
  for (const l of listeners) l(c)
  const text = c.total > 99 ? '99+' : String(c.total)
  // the tab bar exists only while a tab page is in the stack; outside it the call fails harmlessly
  const p = c.total > 0 ? Taro.setTabBarBadge({ index: ME_TAB, text }) : Taro.removeTabBarBadge({ index: ME_TAB })
  Promise.resolve(p).catch(() => undefined)
}

export function setUnread(c: UnreadCounts) {
  fetchedAt = Date.now()
  publish(c)
}

export async function refreshUnread(force = false): Promise<void> {
  if (!force && Date.now() - fetchedAt < 10_000) return
  if (inFlight) return inFlight
  fetchedAt = Date.now()
  inFlight = call('user', 'unread', {})
    .then(publish)
    .catch(() => undefined) // a badge is not worth an error message
    .finally(() => {
      inFlight = null
    })
  return inFlight
}

export function useUnread(): UnreadCounts | null {
  const [c, setC] = useState(counts)
  useEffect(() => {
    listeners.add(setC)
    return () => {
      listeners.delete(setC)
    }
  }, [])
  return c
}
