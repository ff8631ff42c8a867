/**
 * The server's "now", for countdowns. In the cloud it is the real time (offset 0). The local runtime can
 * move its clock (tests, demos): on h5 the offset is read from GET /__local/clock (local-only endpoint).
 */
let offsetMs = 0
let lastSync = 0
let inflight: Promise<void> | null = null
const listeners = new Set<() => void>()

export function serverNow(): number {
  return Date.now() + offsetMs
}

export function onClockSync(fn: () => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export function syncServerClock(force = false): Promise<void> {
  if (process.env.TARO_ENV !== 'h5') return Promise.resolve()
  if (!force && Date.now() - lastSync < 3000) return inflight || Promise.resolve()
  if (inflight) return inflight
  const sent = Date.now()
  inflight = fetch('/__local/clock')
    .then((r) => r.json())
    .then((j: { ok?: boolean; data?: { now?: number } }) => {
      const now = j?.data?.now
      if (typeof now === 'number') {
        const received = Date.now()
        offsetMs = now - Math.round((sent + received) / 2)
        lastSync = received
        listeners.forEach((l) => l())
      }
    })
    .catch(() => undefined)
    .finally(() => {
      inflight = null
    })
  return inflight
}
