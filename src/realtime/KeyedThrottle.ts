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

export const keyedThrottle = (intervalMs: number, run: (key: string) => void, now: () => number = Date.now): KeyedThrottle => {
  const lastRun = new Map<string, number>()
  const scheduled = new Map<string, ReturnType<typeof setTimeout>>()
  const runNow = (key: string) => {
    scheduled.delete(key)
    lastRun.set(key, now())
    run(key)
  }
  // forget keys idle for an interval, so the map holds only recently active ones
  const sweep = setInterval(() => {
    const old = now() - intervalMs
    for (const [key, at] of lastRun) if (at < old && !scheduled.has(key)) lastRun.delete(key)
  }, Math.max(1000, intervalMs * 10))
  ;(sweep as { unref?: () => void }).unref?.()
  return {
    request: (key) => {
      if (scheduled.has(key)) return
      const wait = (lastRun.get(key) ?? -Infinity) + intervalMs - now()
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
