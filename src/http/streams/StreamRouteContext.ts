/** What every push handler shares (the runner, the Streams service, the engines, limits, locks) and how it finds a stream. */
import { Effect } from "effect"
import type { Principal } from "../../domain/shared/Decider.ts"
import type { DomainSettings } from "../../domain/shared/DomainSettings.ts"
import type { Streams } from "../../streams/Streams.ts"
import type { RequestBodyReader } from "../RequestBody.ts"
import { streamLocked, streamNotFound, type StreamRun } from "./StreamProtocol.ts"
import type { StreamLocks } from "./StreamLocks.ts"

const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/

/**
 * The ingest engines of pushed streams in this process, as the routes use them (src/ingest/PushIngest.ts is
 * one): started when a stream is created or first touched here, woken when it got bytes or was ended.
 */
export interface StreamEngines {
  readonly ensure: (streamId: string) => Effect.Effect<void>
  readonly wake: (streamId: string) => Effect.Effect<void>
}

export interface StreamRouteContext {
  readonly run: StreamRun
  readonly streams: typeof Streams.Service
  readonly engines: StreamEngines
  /** The domain settings in force (chunk size, for the dry-run of the offset check). */
  readonly settings: DomainSettings
  /** PUSH_MAX_BODY_BYTES. */
  readonly maxBodyBytes: number
  readonly locks: StreamLocks
  /** How long a request waits for another one on the same stream before 423. */
  readonly lockWaitMs: number
  readonly requestBody: RequestBodyReader
}

/**
 * Stream `id` when `actor` owns it, with its lock held for the rest of the scope: anyone else (and an unknown
 * id) gets the 404 a missing stream gets, before the lock is touched. The state is read again under the lock
 * (the request it waited for may have moved the offset).
 */
export const openOwnStream = Effect.fn("StreamPush.open")(function*(context: StreamRouteContext, id: string, actor: Principal) {
  if (!STREAM_ID.test(id)) return yield* Effect.fail(streamNotFound(id))
  const before = yield* context.streams.current(id)
  if (before.state.status === "Idle" || before.state.ownerId !== actor.userId) return yield* Effect.fail(streamNotFound(id))
  if (!(yield* context.locks.acquire(id, context.lockWaitMs))) return yield* Effect.fail(streamLocked(id))
  const now = yield* context.streams.current(id)
  if (now.state.status === "Idle") return yield* Effect.fail(streamNotFound(id))
  return { state: now.state, revision: now.revision, position: now.position }
})
