/**
 * How a live feed that is not finished ends: at its longest lifetime (FEED_MAX_LIFETIME_SECONDS),
 * when the token behind it expires, or when it falls too far behind. Each time the last message
 * is an `end` with `reconnect: true` and no id, so a reconnect with Last-Event-ID goes on from the
 * last stored event; after `token_expired` the client needs a fresh token or ticket first.
 */
import { Effect, Stream } from "effect"
import type { FeedMessage } from "./FeedMessage.ts"

export type ReconnectReason = "lifetime" | "token_expired" | "lagging"

const WHY: Record<ReconnectReason, string> = {
  lifetime: "the feed reached its longest lifetime: reconnect (with Last-Event-ID) to go on",
  token_expired: "the token has expired: reconnect with a fresh token or ticket (and Last-Event-ID) to go on",
  lagging: "the feed fell too far behind its events: reconnect (with Last-Event-ID) to go on"
}

export const reconnectMessage = (reason: ReconnectReason): FeedMessage => ({
  event: "end",
  data: { reason, reconnect: true, message: WHY[reason] }
})

export interface FeedDeadline {
  /** Ms since the epoch. */
  readonly at: number
  readonly reason: ReconnectReason
}

/** The earlier of the lifetime's end and the token's expiry. */
export const feedDeadline = (openedAt: number, maxLifetimeMillis: number, tokenExpiresAt: number | undefined): FeedDeadline => {
  const lifetimeEnd = openedAt + maxLifetimeMillis
  return tokenExpiresAt !== undefined && tokenExpiresAt < lifetimeEnd
    ? { at: tokenExpiresAt, reason: "token_expired" }
    : { at: lifetimeEnd, reason: "lifetime" }
}

/** `live` until it ends by itself or the deadline comes (then its reconnect message is the last). */
export const untilDeadline = <E, R>(live: Stream.Stream<FeedMessage, E, R>, deadline: FeedDeadline, now: number): Stream.Stream<FeedMessage, E, R> =>
  Stream.merge(
    live,
    Stream.fromEffect(Effect.sleep(Math.max(0, deadline.at - now))).pipe(Stream.map(() => reconnectMessage(deadline.reason))),
    { haltStrategy: "either" }
  )
