/**
 * The playback use case: mint a signed playback URL for a caller who may watch a video, and check
 * every playlist and segment request against its token and the video's current access facts.
 */
import { Context, Data, Effect, Layer } from "effect"
import { ProjectionNotRunning } from "../../projections/ProjectionError.ts"
import { LruMap } from "../collections/LruMap.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { ReadSide, type ReadSideShape } from "../http/queries/ReadSide.ts"
import type { ReadStoreError } from "../readstore/ReadStoreError.ts"
import { mediaKeyOf } from "../uploads/UploadObjectKeys.ts"
import { accessFactsOf, type PlaybackFacts } from "./AccessFacts.ts"
import { canSee, canWatch } from "./VideoAccess.ts"
import {
  type PlaybackSession,
  PlaybackTokenExpired,
  PlaybackTokenInvalid,
  signPlaybackToken,
  type SigningKeys,
  signingKeys,
  verifyPlaybackToken
} from "./PlaybackTokens.ts"

export class VideoNotFound extends Data.TaggedError("VideoNotFound")<{ readonly videoId: string }> {
  override get message() {
    return `there is no video "${this.videoId}"`
  }
}

export class VideoNotReady extends Data.TaggedError("VideoNotReady")<{ readonly videoId: string; readonly status: string }> {
  override get message() {
    return `video "${this.videoId}" is ${this.status}, not ready to play`
  }
}

/** Visible, but not to be played by this caller (taken down). */
export class PlaybackForbidden extends Data.TaggedError("PlaybackForbidden")<{ readonly reason: string }> {
  override get message() {
    return `this video may not be played: ${this.reason}`
  }
}

/** The token is genuine, but access was narrowed since (private, unpublished, taken down): 403 PLAYBACK_REVOKED. */
export class PlaybackRevoked extends Data.TaggedError("PlaybackRevoked")<{ readonly reason: string }> {
  override get message() {
    return `playback was revoked: ${this.reason}`
  }
}

/** The token's video is gone (deleted): 410 VIDEO_GONE. */
export class VideoGone extends Data.TaggedError("VideoGone")<{ readonly videoId: string }> {
  override get message() {
    return `video "${this.videoId}" no longer exists`
  }
}

/** Hotlink protection: the page asking is not among the video's allowed origins. */
export class PlaybackOriginRefused extends Data.TaggedError("PlaybackOriginRefused")<{ readonly origin: string }> {
  override get message() {
    return `this video may not be played from ${this.origin}`
  }
}

export type PlaybackCheckError = PlaybackTokenInvalid | PlaybackTokenExpired | PlaybackRevoked | VideoGone | PlaybackOriginRefused

/** What F's views get from a token: the playback session it names. */
export interface PlaybackSessionInfo {
  readonly videoId: string
  readonly sessionId: string
  readonly userId: string
  /** ms since the epoch. */
  readonly issuedAt: number
  readonly expiresAt: number
}

export interface PlaybackGrant {
  readonly token: string
  readonly sessionId: string
  /** ms since the epoch. */
  readonly expiresAt: number
}

/** A checked media request: the object to serve and how long an answer may be cached (the token's remaining life). */
export interface AuthorizedMedia {
  readonly key: string | undefined
  readonly session: PlaybackSession
  readonly remainingSeconds: number
}

/** Where a request came from, for hotlink protection: its Origin header, else its Referer's origin. */
export interface RequestSource {
  readonly origin?: string | undefined
  readonly referer?: string | undefined
}

export interface PlaybackSettings {
  readonly ttlSeconds: number
  readonly keys: SigningKeys
  /** How old cached access facts may be before a request re-reads them, ms (default 1000). */
  readonly factsMaxAgeMs?: number
  readonly now?: () => number
}

type FactsError = ReadStoreError | ProjectionNotRunning

export interface PlaybackShape {
  /** A token for `principal` to watch `videoId`, if canWatch allows it on the read model's current document. */
  mint(videoId: string, principal: Principal): Effect.Effect<PlaybackGrant, VideoNotFound | VideoNotReady | PlaybackForbidden | FactsError>
  /** Checks a `/play/<token>/<path>` request before any byte is read: token, expiry, scope, revocation, origin. */
  authorize(token: string, encodedPath: string, source: RequestSource): Effect.Effect<AuthorizedMedia, PlaybackCheckError | FactsError>
  /** The session a token names, when it is genuine and unexpired (and, with `videoId`, for that video). For views (F). */
  verifySession(token: string, videoId?: string): Effect.Effect<PlaybackSessionInfo, PlaybackTokenInvalid | PlaybackTokenExpired>
  /** A public, published, ready video not taken down: its thumbnail may be served without a token (/media). */
  isPublic(videoId: string): Effect.Effect<boolean, FactsError>
}

/** Reads a video's current facts from wherever they are kept; undefined = no such video. */
export type FactsSource = (videoId: string) => Effect.Effect<PlaybackFacts | undefined, FactsError>

const originOf = (source: RequestSource): string | undefined => {
  if (source.origin !== undefined && source.origin !== "" && source.origin !== "null") return source.origin.toLowerCase()
  if (source.referer === undefined || source.referer === "") return undefined
  try {
    return new URL(source.referer).origin.toLowerCase()
  } catch {
    return "invalid-referer"
  }
}

/** No Origin or Referer at all (ffprobe, native apps, a direct visit) is let through; a page elsewhere is not. */
const originAllowed = (allowed: ReadonlyArray<string>, source: RequestSource): string | undefined => {
  if (allowed.length === 0) return undefined
  const origin = originOf(source)
  if (origin === undefined) return undefined
  return allowed.some((a) => a.replace(/\/+$/, "").toLowerCase() === origin) ? undefined : origin
}

/**
 * The service over any facts source. The facts of a video are cached in-process for `factsMaxAgeMs`
 * (1 s): a segment request then costs a map lookup, and a revocation reaches every node within that
 * plus the projection's lag ("within seconds"), whether the read model is in memory or in Redis. A
 * store subscription would be faster to react but needs a fold of the video events on every API node;
 * the cache needs nothing but the read model all queries already use. A few requests arriving while
 * one refresh is in flight read the store too (no coalescing): a miss costs one document read.
 */
export const makePlayback = (settings: PlaybackSettings, readFacts: FactsSource): PlaybackShape => {
  const now = settings.now ?? Date.now
  const maxAge = settings.factsMaxAgeMs ?? 1000
  const cache = new LruMap<string, { readonly at: number; readonly facts: PlaybackFacts | undefined }>(10_000)

  const cachedFacts = (videoId: string) => {
    const hit = cache.get(videoId)
    const at = now()
    if (hit !== undefined && at - hit.at < maxAge) return Effect.succeed(hit.facts)
    return Effect.tap(readFacts(videoId), (facts) => Effect.sync(() => cache.set(videoId, { at, facts })))
  }

  const verify = (token: string) => {
    const result = verifyPlaybackToken(settings.keys, token, now())
    return result instanceof PlaybackTokenInvalid || result instanceof PlaybackTokenExpired ? Effect.fail(result) : Effect.succeed(result)
  }

  const mint = Effect.fn("Playback.mint")(function*(videoId: string, principal: Principal) {
    const facts = yield* readFacts(videoId)
    if (facts === undefined || !canSee(facts, principal)) return yield* new VideoNotFound({ videoId })
    if (facts.status !== "ready") return yield* new VideoNotReady({ videoId, status: facts.status })
    if (!canWatch(facts, principal)) return yield* new PlaybackForbidden({ reason: "the video was taken down" })
    cache.set(videoId, { at: now(), facts })
    const issuedAt = Math.floor(now() / 1000) * 1000
    const session: PlaybackSession = {
      videoId,
      sessionId: crypto.randomUUID(),
      userId: principal.userId,
      roles: principal.roles,
      issuedAt,
      expiresAt: issuedAt + settings.ttlSeconds * 1000,
      accessEpoch: facts.accessEpoch
    }
    return { token: signPlaybackToken(settings.keys, session), sessionId: session.sessionId, expiresAt: session.expiresAt }
  })

  const authorize = (token: string, encodedPath: string, source: RequestSource) =>
    Effect.flatMap(verify(token), (session) =>
      Effect.flatMap(cachedFacts(session.videoId), (facts): Effect.Effect<AuthorizedMedia, PlaybackCheckError> => {
        if (facts === undefined) return Effect.fail(new VideoGone({ videoId: session.videoId }))
        if (facts.accessEpoch > session.accessEpoch) return Effect.fail(new PlaybackRevoked({ reason: "access to the video changed since this URL was issued" }))
        if (!canWatch(facts, { userId: session.userId, roles: session.roles })) {
          return Effect.fail(new PlaybackRevoked({ reason: "the video may no longer be watched" }))
        }
        const refused = originAllowed(facts.allowedOrigins, source)
        if (refused !== undefined) return Effect.fail(new PlaybackOriginRefused({ origin: refused }))
        const remainingSeconds = Math.max(0, Math.floor((session.expiresAt - now()) / 1000))
        return Effect.succeed({ key: mediaKeyOf(session.videoId, encodedPath), session, remainingSeconds })
      }))

  const verifySession = (token: string, videoId?: string) =>
    Effect.flatMap(verify(token), (s) =>
      videoId !== undefined && s.videoId !== videoId
        ? Effect.fail(new PlaybackTokenInvalid({ reason: "the token is for another video" }))
        : Effect.succeed({ videoId: s.videoId, sessionId: s.sessionId, userId: s.userId, issuedAt: s.issuedAt, expiresAt: s.expiresAt }))

  const isPublic = (videoId: string) =>
    Effect.map(cachedFacts(videoId), (f) =>
      f !== undefined && f.status === "ready" && f.published && !f.takenDown && f.visibility === "public")

  return { mint, authorize, verifySession, isPublic }
}

const PROJECTION = "videos"

/** The videos read model's current document, from the slot queries read. */
const readModelFacts = (side: ReadSideShape): FactsSource => (videoId) => {
  if (side._tag === "StreamsOnly") return Effect.fail(new ProjectionNotRunning({ projection: PROJECTION, reason: "this process runs no read models" }))
  return Effect.gen(function*() {
    const slot = side.runner.served(PROJECTION)?.active ?? (yield* side.runner.active(PROJECTION))
    const doc = yield* side.store.get(slot, "video", videoId)
    return doc._tag === "Some" ? accessFactsOf(doc.value) : undefined
  })
}

export class Playback extends Context.Service<Playback, PlaybackShape>()("keyframe/Playback") {
  static readonly layer = (settings: PlaybackSettings): Layer.Layer<Playback, never, ReadSide> =>
    Layer.effect(Playback, Effect.map(ReadSide, (side) => Playback.of(makePlayback(settings, readModelFacts(side)))))
  /** With a random key kept in memory only (its URLs die with the process): tests, benchmarks, tools. */
  static readonly layerEphemeral = (settings: Omit<PlaybackSettings, "keys"> = { ttlSeconds: 3600 }): Layer.Layer<Playback, never, ReadSide> =>
    Playback.layer({ ...settings, keys: signingKeys([{ kid: "ephemeral", secret: crypto.getRandomValues(new Uint8Array(32)) }]) })
}
