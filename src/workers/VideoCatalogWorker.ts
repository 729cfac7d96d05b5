/**
 * The reactions that keep the catalog in step with its sources: an upload that becomes ready gets its
 * Video (Videos.createFromUpload; the command id from the upload id makes replays, retries and other nodes
 * create it once), and a deleted video's media objects are removed (Videos.removeMedia; deleting is
 * idempotent), and a removed category's videos lose it (Videos.uncategorize). At start it offers the default categories (once in the catalog's life). Its durable
 * checkpoint sits just before the oldest reaction not yet done, so a crash repeats work, never skips it.
 */
import { Context, Effect, Layer, Queue, Result } from "effect"
import { isDomainError } from "../domain/shared/DomainError.ts"
import { CatalogEventCodec } from "../domain/catalog/CatalogAggregate.ts"
import { UploadEventCodec } from "../domain/upload/UploadAggregate.ts"
import { VideoEventCodec } from "../domain/video/VideoAggregate.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { Videos } from "../videos/Videos.ts"
import { followWithCheckpoint, type FollowedTracker } from "./CheckpointedFollow.ts"

type Reaction =
  | { readonly _tag: "Create" | "RemoveMedia"; readonly videoId: string; readonly position: number }
  | { readonly _tag: "Uncategorize"; readonly slug: string; readonly position: number }

/** The reactions still to do, in position order. */
class ReactionQueue implements FollowedTracker<Reaction | undefined> {
  lastPosition = 0
  readonly pending: Array<Reaction> = []
  apply(position: number, reaction: Reaction | undefined) {
    this.lastPosition = Math.max(this.lastPosition, position)
    if (reaction !== undefined) this.pending.push({ ...reaction, position })
  }
  checkpoint(): number {
    return this.pending.length > 0 ? this.pending[0]!.position - 1 : this.lastPosition
  }
}

/** Upload and video events, reduced to the reactions they ask for (undefined: none). */
const reactionCodec = {
  decode: (input: { readonly type: string; readonly data: unknown; readonly schemaVersion: number }): Result.Result<Reaction | undefined, unknown> => {
    if (input.type === "UploadReady") {
      return Result.map(UploadEventCodec.decode(input), (e) => (e._tag === "UploadReady" ? { _tag: "Create", videoId: e.uploadId, position: 0 } : undefined))
    }
    if (input.type === "VideoDeleted") {
      return Result.map(VideoEventCodec.decode(input), (e) => (e._tag === "VideoDeleted" ? { _tag: "RemoveMedia", videoId: e.videoId, position: 0 } : undefined))
    }
    if (input.type === "CategoryRemoved") {
      return Result.map(CatalogEventCodec.decode(input), (e) => (e._tag === "CategoryRemoved" ? { _tag: "Uncategorize", slug: e.slug, position: 0 } : undefined))
    }
    return Result.succeed(undefined)
  }
}

const subjectOf = (reaction: Reaction) => (reaction._tag === "Uncategorize" ? `category ${reaction.slug}` : reaction.videoId)

export interface VideoCatalogWorkerStatus {
  readonly pending: number
  readonly created: number
  readonly mediaRemoved: number
  readonly checkpoint: number
  readonly caughtUp: boolean
}

export class VideoCatalogWorker extends Context.Service<VideoCatalogWorker, { readonly status: Effect.Effect<VideoCatalogWorkerStatus> }>()(
  "keyframe/VideoCatalogWorker"
) {
  /** Runs in the layer's scope; `retryMs`: back-off after a failed reaction (default 5 s). */
  static layer(options: { readonly checkpointName?: string; readonly retryMs?: number } = {}): Layer.Layer<VideoCatalogWorker, never, EventStore | Videos> {
    return Layer.effect(VideoCatalogWorker, make(options))
  }
}

const make = (options: { readonly checkpointName?: string; readonly retryMs?: number }) =>
  Effect.gen(function*() {
    const videos = yield* Videos
    const scope = yield* Effect.scope
    const queue = new ReactionQueue()
    const wakeUp = yield* Queue.dropping<void>(1)
    let created = 0
    let mediaRemoved = 0

    yield* videos.seedCategories.pipe(
      Effect.catchCause((cause) => Effect.logWarning("video catalog: the default categories were not offered (next start tries again)", cause))
    )

    const { caughtUp } = yield* followWithCheckpoint({
      label: "video catalog",
      checkpointName: options.checkpointName ?? "video-catalog",
      streamPrefixes: ["upload-", "video-", "catalog-"],
      codec: reactionCodec,
      tracker: queue,
      onEvent: () => void Queue.offerUnsafe(wakeUp, undefined)
    })

    const react = (reaction: Reaction): Effect.Effect<void, unknown> => {
      switch (reaction._tag) {
        case "Create":
          return Effect.map(videos.createFromUpload(reaction.videoId), (result) => void (result !== undefined && result.events.length > 0 && created++))
        case "RemoveMedia":
          return Effect.map(videos.removeMedia(reaction.videoId), () => void mediaRemoved++)
        case "Uncategorize":
          return Effect.asVoid(videos.uncategorize(reaction.slug, reaction.position))
      }
    }

    const drain = Effect.gen(function*() {
      while (true) {
        const next = queue.pending[0]
        if (next === undefined) {
          yield* Queue.take(wakeUp)
          continue
        }
        const outcome = yield* Effect.exit(react(next).pipe(
          // a refusal will not change on a retry: log it and go on
          Effect.catchIf(isDomainError, (e) => Effect.logWarning(`video catalog: ${next._tag} ${subjectOf(next)} was refused: ${e.message}`))
        ))
        if (outcome._tag === "Success") {
          queue.pending.shift()
        } else {
          yield* Effect.logWarning(`video catalog: ${next._tag} ${subjectOf(next)} failed; again in ${options.retryMs ?? 5000} ms`, outcome.cause)
          yield* Effect.sleep(options.retryMs ?? 5000)
        }
      }
    })
    yield* Effect.forkIn(drain, scope)
    yield* Effect.logInfo("video catalog worker started")

    return VideoCatalogWorker.of({
      status: Effect.sync(() => ({
        pending: queue.pending.length,
        created,
        mediaRemoved,
        checkpoint: queue.checkpoint(),
        caughtUp: caughtUp()
      }))
    })
  })
