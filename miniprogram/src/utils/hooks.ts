import { useCallback, useEffect, useRef, useState } from 'react'
import Taro, { useDidHide, useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { errorMessage } from '../services/cloud'
import { onClockSync, serverNow, syncServerClock } from '../services/clock'

export interface Query<T> {
  data: T | undefined
  error: string | null
  loading: boolean
  reload: () => Promise<void>
  setData: (d: T) => void
}

/**
 * Loads on mount, reloads when the page is shown again and on pull-down. Keeps the last data while
 * reloading so a refresh does not flash a spinner.
 */
export function useQuery<T>(load: () => Promise<T>, deps: unknown[] = [], opts: { refreshOnShow?: boolean; pollMs?: number } = {}): Query<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const seq = useRef(0)
  const mounted = useRef(false)
  const loadRef = useRef(load)
  loadRef.current = load

  const reload = useCallback(async () => {
    const my = ++seq.current
    setLoading(true)
    try {
      const d = await loadRef.current()
      if (my === seq.current) {
        setData(d)
        setError(null)
      }
    } catch (e) {
      if (my === seq.current) setError(errorMessage(e))
    } finally {
      if (my === seq.current) setLoading(false)
    }
  }, [])

  useEffect(() => {
    reload()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)

  useDidShow(() => {
    if (mounted.current && opts.refreshOnShow !== false) reload()
    mounted.current = true
  })
  useEffect(() => {
    mounted.current = true
  }, [])

  // lists whose items change by someone else's action (a trade filling my order) refresh on their own
  const shown = useRef(true)
  useDidHide(() => {
    shown.current = false
  })
  useDidShow(() => {
    shown.current = true
  })
  useEffect(() => {
    if (!opts.pollMs) return
    const t = setInterval(() => {
      if (shown.current) reload()
    }, opts.pollMs)
    return () => clearInterval(t)
  }, [opts.pollMs, reload])

  usePullDownRefresh(() => {
    reload().finally(() => Taro.stopPullDownRefresh())
  })

  return { data, error, loading, reload, setData }
}

/** Milliseconds left until `deadline`, ticking every second (0 when past). */
export function useCountdown(deadline: number | null | undefined): number {
  const [now, setNow] = useState(serverNow())
  useEffect(() => {
    if (!deadline) return
    syncServerClock()
    const off = onClockSync(() => setNow(serverNow()))
    const t = setInterval(() => setNow(serverNow()), 1000)
    return () => {
      clearInterval(t)
      off()
    }
  }, [deadline])
  return deadline ? Math.max(0, deadline - now) : 0
}

/** Wraps a mutating action: disables re-entry, shows the backend's message on failure. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const busyRef = useRef(false)
  const run = useCallback(async <T,>(fn: () => Promise<T>, okText?: string): Promise<T | undefined> => {
    if (busyRef.current) return undefined
    busyRef.current = true
    setBusy(true)
    try {
      const r = await fn()
      if (okText) Taro.showToast({ title: okText, icon: 'success' })
      return r
    } catch (e) {
      showError(e)
      return undefined
    } finally {
      busyRef.current = false
      setBusy(false)
    }
  }, [])
  return { busy, run }
}

export function showError(e: unknown) {
  Taro.showModal({ title: '操作未完成', content: errorMessage(e), showCancel: false, confirmText: '知道了' })
}

export function toast(title: string) {
  Taro.showToast({ title, icon: 'none', duration: 2000 })
}
