/** How live feeds are bounded (FEED_* settings) and the per-process parts they share; every field has a default. */
import type { FeedTicketStore } from "../auth/FeedTickets.ts"
import type { FeedHub } from "./FeedHub.ts"
import type { StreamFeedsShape } from "../streams/feed/StreamFeeds.ts"
import type { UploadFeedsShape } from "../uploads/feed/UploadFeeds.ts"

export interface FeedSettings {
  /** Feeds one user may hold open at once (FEED_MAX_PER_USER); over it 429. */
  readonly maxPerUser?: number | undefined
  /** Feeds one client address may hold open at once (FEED_MAX_PER_IP); over it 429. */
  readonly maxPerIp?: number | undefined
  /** A feed ends (the client reconnects) after this long (FEED_MAX_LIFETIME_SECONDS). */
  readonly maxLifetimeSeconds?: number | undefined
  /** The store subscriptions shared by feeds; tests hand one in to read its counters. */
  readonly hub?: FeedHub | undefined
}

/** What the transports take: the process's feeds and tickets (Main.ts hands the same to SSE and WebSocket), or settings to make their own. */
export interface FeedOptions extends FeedSettings {
  /** How long a ticket opens its feed, ms (60 s). */
  readonly ticketTtlMillis?: number | undefined
  /** The process's upload and video feeds (UploadFeeds.ts); unset: made from the settings above. */
  readonly uploadFeeds?: UploadFeedsShape | undefined
  /** The process's live stream feeds (StreamFeeds.ts), over the same LiveFeeds; unset: made with the upload feeds' caps. */
  readonly streamFeeds?: StreamFeedsShape | undefined
  /** Where tickets live; tests hand one in to look inside. */
  readonly tickets?: FeedTicketStore | undefined
}

/** The settings' defaults (src/config.ts). */
export const DEFAULT_FEED_LIMITS = { maxPerUser: 20, maxPerIp: 100, maxLifetimeSeconds: 3600 } as const

export { DEFAULT_TICKET_TTL_MILLIS } from "../auth/FeedTickets.ts"
