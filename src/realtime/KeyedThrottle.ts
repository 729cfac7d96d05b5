/**
 * At most one run per key per interval, the last request never lost: a request runs at once when the
 * key's last run is an interval old, else once at the end of the interval (however many came meanwhile).
 * The room channel sends presence through it: a burst of n joins to a big room would otherwise send n
 * presence frames of up to n entries to up to n sockets (n³ bytes).
 */
export interface KeyedThrottle {
  request(key: string): void
  /** Drops what is scheduled (shutdown). */
  stop(): void
}

/** `interval`: ms, or per key (a bigger room's presence goes out less often). */
export const keyedThrottle = (
  interval: number | ((key: string) => number),
  run: (key: string) => void,
  now: () => number = Date.now
): KeyedThrottle => {
  const intervalOf = typeof interval === "number" ? () => interval : interval
  const intervalMs = typeof interval === "number" ? interval : 1000
  const lastRun = new Map<string, number>()
  const scheduled = new Map<string, ReturnType<typeof setTimeout>>()
  const runNow = (key: string) => {
    scheduled.delete(key)
    lastRun.set(key, now())
    run(key)
  }
  // forget keys idle for their interval, so the map holds only recently active ones
  const sweep = setInterval(() => {
    const at = now()
    for (const [key, last] of lastRun) if (last < at - intervalOf(key) && !scheduled.has(key)) lastRun.delete(key)
  }, Math.max(1000, intervalMs * 10))
  ;(sweep as { unref?: () => void }).unref?.()
  return {
    request: (key) => {
      if (scheduled.has(key)) return
      const wait = (lastRun.get(key) ?? -Infinity) + intervalOf(key) - now()
      if (wait <= 0) runNow(key)
      else scheduled.set(key, setTimeout(() => runNow(key), wait))
    },
    stop: () => {
      clearInterval(sweep)
      for (const timer of scheduled.values()) clearTimeout(timer)
      scheduled.clear()
    }
  }
}
