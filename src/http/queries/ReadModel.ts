/**
 * How a query reaches a read model: optionally wait until the projection has folded in the
 * position the client wrote at (read-your-writes), then read the slot the runner serves.
 *
 * The headers (README "Read side"): command responses carry `Keyframe-Position: <global
 * position>`; a query sends it back as `Keyframe-Min-Position` (or `?minPosition=`) and gets
 * data at least that fresh, or 503 READ_MODEL_BEHIND with Retry-After after the wait bound.
 * Query responses carry `Keyframe-Position` too: how far their read model has folded.
 */
import { Duration, Effect } from "effect"
import type { Context } from "hono"
import { ProjectionNotRunning } from "../../../projections/ProjectionError.ts"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import type { ReadStoreShape } from "../../readstore/ReadStore.ts"
import type { Slot } from "../../readstore/ReadStoreTypes.ts"
import { HttpError } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { ReadSide, type ReadSideShape } from "./ReadSide.ts"

export const POSITION_HEADER = "Keyframe-Position"
export const MIN_POSITION_HEADER = "Keyframe-Min-Position"

/** What the read side needs from the configuration. */
export interface ReadSideSettings {
  /** Longest wait for a requested position before 503 (READ_YOUR_WRITES_WAIT_MS). */
  readonly waitMillis: number
  /** The quota settings: the default limit and when periods start. */
  readonly quota: Pick<DomainSettings, "weeklyUploadLimitBytes" | "quotaResetDay" | "quotaResetHour">
  /** For an upload's `expiresAt`. */
  readonly uploadExpiryHours: number
}

export interface OpenReadModel {
  readonly store: ReadStoreShape
  readonly slot: Slot
  /** Last position the projection folded in. */
  readonly checkpoint: number
}

const POSITION = /^\d{1,15}$/

const positionHeaderInvalid = () =>
  new HttpError({
    status: 422,
    code: "VALIDATION_FAILED",
    message: `header.${MIN_POSITION_HEADER}: expected a global position (a non-negative integer)`,
    details: { path: `header.${MIN_POSITION_HEADER}`, issues: [{ path: `header.${MIN_POSITION_HEADER}`, message: "expected a non-negative integer" }] }
  })

/** The position to read after: the header, else `?minPosition=` (already validated by the route's query schema); a malformed header is a 422. */
export const requestedPositionNow = (c: Context<AppEnv>, fromQuery: number | undefined): number | undefined | HttpError => {
  const header = c.req.header(MIN_POSITION_HEADER)
  if (header === undefined || header.trim() === "") return fromQuery
  return POSITION.test(header.trim()) ? Math.max(Number(header.trim()), fromQuery ?? 0) : positionHeaderInvalid()
}

export const requestedPosition = (c: Context<AppEnv>, fromQuery: number | undefined): Effect.Effect<number | undefined, HttpError> => {
  const position = requestedPositionNow(c, fromQuery)
  return position instanceof HttpError ? Effect.fail(position) : Effect.succeed(position)
}

/**
 * The read model as it is served now, when it already includes `minPosition` and the newest event of
 * `stream` (one or several) this process knows (see openReadModel); undefined when a query would have to wait (or fail):
 * the synchronous half of openReadModel, for answers that need no effect at all.
 */
export const readModelNow = (
  side: ReadSideShape,
  projection: string,
  minPosition: number | undefined,
  stream?: string | ReadonlyArray<string>
): OpenReadModel | undefined => {
  if (side._tag === "StreamsOnly") return undefined
  const served = side.runner.served(projection)
  if (served?.active === undefined) return undefined
  let wanted = minPosition ?? 0
  for (const name of stream === undefined ? [] : typeof stream === "string" ? [stream] : stream) {
    wanted = Math.max(wanted, side.positions.newest(name, served.handles))
  }
  return wanted > 0 && wanted > served.checkpoint ? undefined : { store: side.store, slot: served.active, checkpoint: served.checkpoint }
}

/**
 * Waits (bounded) for `minPosition`, then returns the slot queries read and the projection's
 * checkpoint. With `stream` (one or several), also for the newest event of those streams this process knows (appended
 * here, or delivered by its subscriptions) among those the projection folds: a read on the node that
 * answered a command sees the command's effect, with no event-store query (README "Read your writes").
 */
export const openReadModel = (projection: string, minPosition: number | undefined, settings: ReadSideSettings, stream?: string | ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const side = yield* ReadSide
    if (side._tag === "StreamsOnly") return yield* new ProjectionNotRunning({ projection, reason: "this process runs no read models" })
    // the common case: already folded, so no wait (runner.waitFor would probe the store for skipped positions)
    const now = readModelNow(side, projection, minPosition, stream)
    if (now !== undefined) return now
    const { runner, store, positions } = side
    const served = runner.served(projection)
    if (served === undefined) return yield* new ProjectionNotRunning({ projection, reason: "no such projection" })
    let wanted = minPosition ?? 0
    for (const name of stream === undefined ? [] : typeof stream === "string" ? [stream] : stream) {
      wanted = Math.max(wanted, positions.newest(name, served.handles))
    }
    if (wanted > 0 && wanted > served.checkpoint) {
      yield* runner.waitFor(projection, wanted, Duration.millis(settings.waitMillis))
      const after = runner.served(projection)
      return { store, slot: yield* runner.active(projection), checkpoint: after?.checkpoint ?? 0 } satisfies OpenReadModel
    }
    // no active slot yet: runner.active fails with ProjectionNotRunning naming the state
    const slot = served.active ?? (yield* runner.active(projection))
    return { store, slot, checkpoint: served.checkpoint } satisfies OpenReadModel
  })

/** Where the read model stands, for the response headers. */
export const positionHeaders = (model: OpenReadModel): Record<string, string> => ({ [POSITION_HEADER]: String(model.checkpoint) })
