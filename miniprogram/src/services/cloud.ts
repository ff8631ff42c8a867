/**
 * The one client module. Pages call `call('order', 'create', {...})` and never know the platform:
 * - weapp: Taro.cloud.callFunction({ name, data: { action, ...req } })
 * - h5:    POST /api/<fn> with the event as JSON and the developer-login identity in `x-openid`
 * Both return `{ ok, data } | { ok: false, error: { code, message } }`; a refusal is thrown as a
 * CloudError carrying the backend's Chinese message.
 */
import Taro from '@tarojs/taro'
import type { ActionName, ApiResult, FunctionName, RequestOf, ResponseOf } from './types'

export class CloudError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message)
    this.name = 'CloudError'
  }
}

export const NETWORK_MESSAGE = '网络异常，请检查网络后重试'
export const INTERNAL_MESSAGE = '服务暂时不可用，请稍后再试'

let cloudReady = false
/** Called once at app start (weapp only). */
export function initCloud(): void {
  if (process.env.TARO_ENV === 'weapp' && !cloudReady) {
    const env = process.env.TARO_APP_CLOUD_ENV
    Taro.cloud.init(env ? { env, traceUser: true } : { traceUser: true })
    cloudReady = true
  }
}

// ---- h5: the developer login identity (local runtime only) ----
const IDENTITY_KEY = 'gxg.devOpenid'
export function getDevOpenid(): string | null {
  if (process.env.TARO_ENV !== 'h5') return null
  try {
    return window.localStorage.getItem(IDENTITY_KEY)
  } catch {
    return null
  }
}
export function setDevOpenid(openid: string | null): void {
  if (process.env.TARO_ENV !== 'h5') return
  if (openid) window.localStorage.setItem(IDENTITY_KEY, openid)
  else window.localStorage.removeItem(IDENTITY_KEY)
}

function unwrap<T>(result: unknown): T {
  const r = result as ApiResult<T> | undefined
  if (!r || typeof r !== 'object' || typeof (r as { ok?: unknown }).ok !== 'boolean') {
    throw new CloudError('INTERNAL', INTERNAL_MESSAGE)
  }
  if (r.ok) return r.data
  throw new CloudError(r.error?.code || 'INTERNAL', r.error?.message || INTERNAL_MESSAGE)
}

export async function call<F extends FunctionName, A extends ActionName<F>>(
  fn: F,
  action: A,
  req: RequestOf<F, A>,
): Promise<ResponseOf<F, A>> {
  const event = { ...(req as object), action }
  if (process.env.TARO_ENV === 'weapp') {
    initCloud()
    let res: Taro.cloud.CallFunctionResult
    try {
      res = (await Taro.cloud.callFunction({ name: fn, data: event })) as Taro.cloud.CallFunctionResult
    } catch (e) {
      console.error('callFunction failed', fn, action, e)
      throw new CloudError('NETWORK', NETWORK_MESSAGE)
    }
    return unwrap<ResponseOf<F, A>>(res.result)
  }
  // h5: the local gateway of `npm start`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const openid = getDevOpenid()
  if (openid) headers['x-openid'] = openid
  let resp: Response
  try {
    resp = await fetch('/api/' + fn, { method: 'POST', headers, body: JSON.stringify(event) })
  } catch (e) {
    console.error('fetch failed', fn, action, e)
    throw new CloudError('NETWORK', NETWORK_MESSAGE)
  }
  let body: unknown
  try {
    body = await resp.json()
  } catch {
    throw new CloudError('INTERNAL', resp.ok ? INTERNAL_MESSAGE : `${INTERNAL_MESSAGE}（${resp.status}）`)
  }
  return unwrap<ResponseOf<F, A>>(body)
}

/** The message to show for anything thrown by `call` (or elsewhere). */
export function errorMessage(e: unknown): string {
  if (e instanceof CloudError) return e.message
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
    const m = (e as { message: string }).message
    // platform errors (errMsg in English) are not for people
    if (/[\u4e00-\u9fa5]/.test(m)) return m
  }
  return INTERNAL_MESSAGE
}

/** A fresh idempotency key for a mutating action (8–64 of [A-Za-z0-9_-]). */
export function newRequestId(prefix = 'r'): string {
  const rand = Math.random().toString(36).slice(2, 10) + Math.random().toString(36).slice(2, 10)
  return `${prefix}${Date.now().toString(36)}${rand}`.slice(0, 40)
}

// ---- local-runtime helpers (h5 only; never used on weapp) ----
export async function localPost<T = unknown>(path: string, body: unknown, withIdentity = false): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const openid = getDevOpenid()
  if (withIdentity && openid) headers['x-openid'] = openid
  const resp = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body ?? {}) })
  const text = await resp.text()
  let data: unknown = null
  try { data = text ? JSON.parse(text) : null } catch { data = text }
  if (!resp.ok) {
    const msg = data && typeof data === 'object' ? (data as { error?: { message?: string } }).error?.message : undefined
    throw new CloudError('LOCAL', msg || `本地运行时请求失败（${resp.status}）`)
  }
  return data as T
}
export async function localGet<T = unknown>(path: string): Promise<T> {
  const resp = await fetch(path)
  if (!resp.ok) throw new CloudError('LOCAL', `本地运行时请求失败（${resp.status}）`)
  return (await resp.json()) as T
}
