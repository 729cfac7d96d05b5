/**
 * Feed tickets: EventSource cannot send an Authorization header, and a bearer token in a URL ends
 * up in access logs, proxies and browser history for its whole lifetime. A ticket is what goes in
 * the URL instead: an opaque random id, valid 60 s, that opens one path as one user: an SSE feed
 * on the HTTP port, or a WebSocket (an upload's or a stream's feed, a room) on WS_PORT. Browsers cannot set headers
 * on a WebSocket either.
 *
 * Decisions (README "Security"):
 * - an SSE ticket is reusable until it expires, for its path only: EventSource reconnects with the
 *   same URL, so a single-use ticket would break every automatic reconnect; a leaked one opens one
 *   read-only feed of its user for at most a minute;
 * - a WebSocket ticket opens one connection: the first upgrade that presents it spends it (a
 *   WebSocket client reconnects by its own code, which can ask for a new ticket), so a leaked one is
 *   worthless once used — a room socket can write (chat, playback) as its user;
 * - what it opens still ends when the bearer token that issued it expires;
 * - held in this process's memory, once per process (`FeedTickets.layer`, shared by the HTTP and the
 *   realtime listener): behind a balancer with several nodes the ticket request and the feed must
 *   reach the same node (sticky sessions), or the client falls back to a token.
 */
import { Context, Layer } from "effect"
import * as Base64Url from "effect/encoding/Base64Url"
import type { Principal } from "../domain/shared/Decider.ts"

export interface FeedTicket {
  readonly actor: Principal
  /** The one request path it opens, e.g. `/uploads/abc/events` (SSE) or `/rooms/abc` (WebSocket). */
  readonly path: string
  /** Until when it opens its feed, ms since the epoch (60 s, or less when the token expires sooner). */
  readonly expiresAt: number
  /** When the token that issued it expires: the feed ends then. */
  readonly tokenExpiresAt: number | undefined
}

export interface FeedTicketStore {
  /** A new ticket for `actor` and `path`: its id and when it expires. */
  issue(grant: Omit<FeedTicket, "expiresAt">): { readonly id: string; readonly expiresAt: number }
  /** The ticket `id` when it still opens `path`, else why not (words for a 401); a WebSocket path's ticket is spent by this. */
  redeem(id: string, path: string): FeedTicket | string
}

export interface FeedTicketOptions {
  readonly ttlMillis?: number | undefined
  /** Tickets held at most; past it the oldest goes first (a bound on what a flood of requests costs). */
  readonly maxTickets?: number | undefined
  readonly now?: (() => number) | undefined
}

const ID = "[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}"

/** The SSE feed paths a ticket may name (HTTP port). */
export const SSE_FEED_PATH = new RegExp(`^/(uploads|videos|streams)/${ID}/events$`)

/** The WebSocket paths a ticket may name (WS_PORT): an upload's or a stream's feed, a room. Such a ticket opens one connection. */
export const WEBSOCKET_PATH = new RegExp(`^/(uploads|streams|rooms)/${ID}$`)

/** Every path a ticket may name. */
export const FEED_PATH = new RegExp(`${SSE_FEED_PATH.source}|${WEBSOCKET_PATH.source}`)

/** How long a ticket opens its path, ms. */
export const DEFAULT_TICKET_TTL_MILLIS = 60_000

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
      if (ticket === undefined || ticket.expiresAt <= now()) {
        return "the ticket is unknown, used (a WebSocket ticket opens one connection) or expired: get a new one (POST /feeds/tickets)"
      }
      if (ticket.path !== path) return "the ticket was issued for another path"
      if (WEBSOCKET_PATH.test(path)) tickets.delete(id)
      return ticket
    }
  }
}

/** The process's one ticket store: tickets minted over HTTP open the feeds and rooms of the same process's realtime listener. */
export class FeedTickets extends Context.Service<FeedTickets, FeedTicketStore>()("keyframe/FeedTickets") {
  static readonly layer = (options: FeedTicketOptions = {}): Layer.Layer<FeedTickets> =>
    Layer.sync(FeedTickets, () => makeFeedTicketStore(options))
}
