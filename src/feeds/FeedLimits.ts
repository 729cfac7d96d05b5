/**
 * How many live feeds each user and each client address holds open in this process
 * (FEED_MAX_PER_USER, FEED_MAX_PER_IP). A feed takes a slot of both before it starts and gives
 * them back when it ends; a full one is refused (HTTP 429, the WebSocket upgrade too). Counts are per node: behind a balancer with N
 * nodes a user may hold up to N times the cap, which still bounds what one node carries.
 */
import { Data } from "effect"

/** A cap is full: TOO_MANY_FEEDS (429). A slot frees when one of the client's own feeds ends. */
export class TooManyFeeds extends Data.TaggedError("TooManyFeeds")<{ readonly message: string }> {}

export interface FeedCaps {
  readonly maxPerUser: number
  readonly maxPerIp: number
}

export interface FeedLimits {
  /** Takes a slot for `userId` from `ip`: the function that gives it back (once), or the refusal. */
  acquire(userId: string, ip: string): (() => void) | TooManyFeeds
  /** Open feeds now, for tests and metrics. */
  readonly open: () => number
}

const tooMany = (message: string) => new TooManyFeeds({ message })

const take = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1)

const give = (counts: Map<string, number>, key: string) => {
  const n = (counts.get(key) ?? 1) - 1
  if (n <= 0) counts.delete(key)
  else counts.set(key, n)
}

export const makeFeedLimits = (caps: FeedCaps): FeedLimits => {
  const perUser = new Map<string, number>()
  const perIp = new Map<string, number>()
  let open = 0
  return {
    acquire: (userId, ip) => {
      if ((perUser.get(userId) ?? 0) >= caps.maxPerUser) {
        return tooMany(`you already hold ${caps.maxPerUser} live feeds open (FEED_MAX_PER_USER): close one first`)
      }
      if ((perIp.get(ip) ?? 0) >= caps.maxPerIp) {
        return tooMany(`this address already holds ${caps.maxPerIp} live feeds open (FEED_MAX_PER_IP): close one first`)
      }
      take(perUser, userId)
      take(perIp, ip)
      open++
      let released = false
      return () => {
        if (released) return
        released = true
        give(perUser, userId)
        give(perIp, ip)
        open--
      }
    },
    open: () => open
  }
}
