/**
 * Who I am: the logged-in user (`user.login`), shared by every page. On h5 the identity is the
 * developer login's openid (local runtime only); on weapp it is WeChat's, injected by the cloud.
 */
import { useEffect, useState } from 'react'
import { call, errorMessage, getDevOpenid, setDevOpenid } from './cloud'
import type { Me } from './types'

export type SessionStatus = 'idle' | 'needIdentity' | 'loading' | 'ready' | 'error'
export interface SessionState {
  status: SessionStatus
  me: Me | null
  error: string | null
}

let state: SessionState = { status: 'idle', me: null, error: null }
const listeners = new Set<(s: SessionState) => void>()
let pending: Promise<void> | null = null
let referral: { referrerUserNo?: string; referrerMerchantId?: string } = {}

function set(next: Partial<SessionState>) {
  state = { ...state, ...next }
  listeners.forEach((l) => l(state))
}

export function getSession(): SessionState {
  return state
}

export function useSession(): SessionState {
  const [s, setS] = useState(state)
  useEffect(() => {
    listeners.add(setS)
    setS(state)
    return () => {
      listeners.delete(setS)
    }
  }, [])
  return s
}

/** Remember who shared the link that opened the app; sent with the first login. */
export function rememberReferral(r: { referrerUserNo?: string; referrerMerchantId?: string }) {
  if (state.me) return
  if (r.referrerUserNo) referral.referrerUserNo = r.referrerUserNo
  if (r.referrerMerchantId) referral.referrerMerchantId = r.referrerMerchantId
}

/** Logs in once; later calls share the same promise. */
export function ensureSession(): Promise<void> {
  if (state.status === 'ready') return Promise.resolve()
  if (pending) return pending
  if (process.env.TARO_ENV === 'h5' && !getDevOpenid()) {
    set({ status: 'needIdentity' })
    return Promise.resolve()
  }
  set({ status: 'loading', error: null })
  pending = (async () => {
    try {
      const me = await call('user', 'login', { ...referral })
      referral = {}
      set({ status: 'ready', me, error: null })
    } catch (e) {
      set({ status: 'error', error: errorMessage(e) })
    } finally {
      pending = null
    }
  })()
  return pending
}

export async function refreshMe(): Promise<Me | null> {
  try {
    const me = await call('user', 'login', {})
    set({ status: 'ready', me })
    return me
  } catch {
    return state.me
  }
}

export function setMe(me: Me) {
  set({ me, status: 'ready' })
}

/** h5 developer login: become `openid` (then log in, passing any remembered referral). */
export async function chooseDevIdentity(openid: string, nickname?: string): Promise<void> {
  setDevOpenid(openid)
  set({ status: 'idle', me: null })
  await ensureSession()
  if (nickname && state.me && state.me.nickname !== nickname) {
    try {
      const me = await call('user', 'updateProfile', { nickname })
      set({ me })
    } catch {
      /* the nickname is cosmetic */
    }
  }
}

/** h5: forget the developer identity and start over on the home page. */
export function switchDevIdentity() {
  setDevOpenid(null)
  if (process.env.TARO_ENV === 'h5') {
    window.location.hash = '#/pages/index/index'
    window.location.reload()
  }
}

export function hasRole(me: Me | null, role: 'merchant' | 'admin'): boolean {
  return !!me && me.roles.includes(role)
}
