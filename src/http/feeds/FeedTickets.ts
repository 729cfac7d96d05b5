/**
 * Feed tickets: EventSource cannot send an Authorization header, and a bearer token in a URL ends
 * up in access logs, proxies and browser history for its whole lifetime. A ticket is what goes in
 * the URL instead: an opaque random id, valid 60 s, that opens one feed path as one user.
 *
 * Decisions (README "Security"):
 * - reusable until it expires, for its path only: EventSource reconnects with the same URL, so a
 *   single-use ticket would break every automatic reconnect; a leaked one opens one read-only feed
 *   of its user for at most a minute;
 * - the feed it opens still ends when the bearer token that issued it expires;
 * - held in this process's memory: behind a balancer with several nodes the ticket request and the
 *   feed must reach the same node (sticky sessions), or the client falls back to `?token=`.
 */
import * as Base64Url from "effect/encoding/Base64Url"
import type { Principal } from "../../domain/shared/Decider.ts"
import { DEFAULT_TICKET_TTL_MILLIS } from "../sse/FeedOptions.ts"

export interface FeedTicket {
  readonly actor: Principal
  /** The one request path it opens, e.g. `/uploads/abc/events`. */
  readonly path: string
  /** Until when it opens its feed, ms since the epoch (60 s, or less when the token expires sooner). */
  readonly expiresAt: number
  /** When the token that issued it expires: the feed ends then. */
  readonly tokenExpiresAt: number | undefined
}

export interface FeedTicketStore {
  /** A new ticket for `actor` and `path`: its id and when it expires. */
  issue(grant: Omit<FeedTicket, "expiresAt">): { readonly id: string; readonly expiresAt: number }
  /** The ticket `id` when it still opens `path`, else why not (words for a 401). */
  redeem(id: string, path: string): FeedTicket | string
}

export interface FeedTicketOptions {
  readonly ttlMillis?: number | undefined
  /** Tickets held at most; past it the oldest goes first (a bound on what a flood of requests costs). */
  readonly maxTickets?: number | undefined
  readonly now?: (() => number) | undefined
}

/** The feed paths a ticket may name. */
export const FEED_PATH = /^\/(uploads|videos)\/[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}\/events$/

/** 32 random bytes, base64url: 43 characters, 256 bits nobody can guess. */
const randomId = (): string => {
  return Base64Url.encode(crypto.getRandomValues(new Uint8Array(32)))
}

export const makeFeedTicketStore = (options: FeedTicketOptions = {}): FeedTicketStore => {
  const ttl = options.ttlMillis ?? DEFAULT_TICKET_TTL_MILLIS
  const max = options.maxTickets ?? 100_000
  const now = options.now ?? Date.now
  // a ticket expires at most ttl after it was issued: the oldest, at the front, go first
  const tickets = new Map<string, FeedTicket>()
  const sweep = (t: number) => {
    for (const [id, ticket] of tickets) {
      if (ticket.expiresAt > t && tickets.size < max) return
      tickets.delete(id)
    }
  }
  return {
    issue: (grant) => {
      const t = now()
      sweep(t)
      const id = randomId()
      // never longer than the token that asked for it
      const expiresAt = Math.min(t + ttl, grant.tokenExpiresAt ?? Number.POSITIVE_INFINITY)
      tickets.set(id, { ...grant, expiresAt })
      return { id, expiresAt }
    },
    redeem: (id, path) => {
      const ticket = tickets.get(id)
      if (ticket === undefined || ticket.expiresAt <= now()) return "the ticket is unknown or has expired: get a new one (POST /feeds/tickets)"
      if (ticket.path !== path) return "the ticket was issued for another feed path"
      return ticket
    }
  }
}
