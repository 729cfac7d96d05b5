/**
 * The videos use cases (DESIGN.md §3): the catalog entry of a ready upload, its owner's edits, publishing,
 * deletion (media objects removed, quota untouched), admin takedowns, and the category catalog. HTTP routes
 * and the catalog worker go through this service; it sends the Video and Catalog aggregates' commands with
 * the ids of VideoCommandIds.ts and owns which objects a deleted video leaves behind (VideoMediaKeys.ts).
 */
import { Context, Effect, Layer } from "effect"
import { ActorSystem, type SendError } from "../actors/ActorSystem.ts"
import type { CommandResult } from "../actors/CommandEnvelope.ts"
import { CatalogAggregate } from "../domain/catalog/CatalogAggregate.ts"
import { CATALOG_ID, type CatalogCommand } from "../domain/catalog/CatalogCommands.ts"
import { type CatalogError, UnknownCategory } from "../domain/catalog/CatalogErrors.ts"
import type { CatalogEvent } from "../domain/catalog/CatalogEvents.ts"
import type { CatalogState } from "../domain/catalog/CatalogState.ts"
import { isAdmin } from "../domain/shared/ActorRoles.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { NotFound } from "../domain/shared/DomainError.ts"
import { UploadAggregate } from "../domain/upload/UploadAggregate.ts"
import { VideoAggregate } from "../domain/video/VideoAggregate.ts"
import type { Visibility, VideoCommand } from "../domain/video/VideoCommands.ts"
import { type VideoError, VideoOriginsInvalid } from "../domain/video/VideoErrors.ts"
import type { VideoEvent } from "../domain/video/VideoEvents.ts"
import { normalizeOrigins } from "../domain/video/VideoOrigins.ts"
import { type VideoState, visibleToOthers } from "../domain/video/VideoState.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreError } from "../eventstore/EventStoreError.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import type { ObjectStoreUnavailable } from "../objectstore/ObjectStoreError.ts"
import { systemSender } from "../uploads/SystemActor.ts"
import { videoCommandIds } from "./VideoCommandIds.ts"
import { videoObjectKeys, videoObjectPrefixes } from "./VideoMediaKeys.ts"

export type VideoResult = CommandResult<VideoEvent>
export type VideoSendError = SendError<VideoError>
export type CatalogResult = CommandResult<CatalogEvent>
export type CatalogSendError = SendError<CatalogError>

/** Who asks, and what ties their request together in the events' metadata (as for rooms). */
export interface VideoCaller {
  readonly actor: Principal
  readonly correlationId?: string | undefined
  /** Idempotency-Key: a repeat is answered with the first result. */
  readonly key?: string | undefined
}

/** PATCH /videos/:id: absent fields stay as they are. */
export interface VideoChanges {
  readonly title?: string | undefined
  readonly description?: string | undefined
  readonly category?: string | null | undefined
  readonly visibility?: Visibility | undefined
  /** Hotlink protection: the web origins whose pages may play it (VideoOrigins.ts); [] = any. */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
}

/** The outcome of several commands: whether any changed the video, and the position of the last write. */
export interface VideoChangeResult {
  readonly changed: boolean
  readonly revision: number
  readonly position: number
}

export interface VideosShape {
  /** As the system, for an upload that is Ready: its video, titled from the filename; a repeat changes nothing. Undefined when the upload is not ready. */
  createFromUpload(uploadId: string): Effect.Effect<VideoResult | undefined, VideoSendError | SendError<never>>
  /**
   * Title/description, category (checked against the catalog: 422 UNKNOWN_CATEGORY), visibility and allowed origins
   * (422 VIDEO_ORIGINS_INVALID); every check runs before anything is written.
   */
  change(caller: VideoCaller, videoId: string, changes: VideoChanges): Effect.Effect<VideoChangeResult, VideoSendError | SendError<UnknownCategory>>
  publish(caller: VideoCaller, videoId: string): Effect.Effect<VideoResult, VideoSendError>
  unpublish(caller: VideoCaller, videoId: string): Effect.Effect<VideoResult, VideoSendError>
  /** The entry goes (events stay); the media objects are removed by the catalog worker reacting to VideoDeleted (`removeMedia`). */
  remove(caller: VideoCaller, videoId: string): Effect.Effect<VideoResult, VideoSendError>
  takeDown(caller: VideoCaller, videoId: string, reason: string): Effect.Effect<VideoResult, VideoSendError>
  restore(caller: VideoCaller, videoId: string): Effect.Effect<VideoResult, VideoSendError>
  /** Deletes the video's objects (idempotent); the week's quota already counted stays counted. Returns how many were removed. */
  removeMedia(videoId: string): Effect.Effect<number, ObjectStoreUnavailable>
  current(videoId: string): Effect.Effect<{ readonly state: VideoState; readonly revision: number; readonly position: number }, SendError<never>>
  // ---- the category catalog ----
  createCategory(caller: VideoCaller, slug: string, name: string): Effect.Effect<CatalogResult, CatalogSendError>
  renameCategory(caller: VideoCaller, slug: string, name: string): Effect.Effect<CatalogResult, CatalogSendError>
  removeCategory(caller: VideoCaller, slug: string): Effect.Effect<CatalogResult, CatalogSendError>
  /**
   * As the system, after `slug` was removed at `removedAt` (a global position): every video whose category it
   * still is loses it. Finds them by reading the videos' category events (a rare admin action, so a scan).
   * Returns how many were cleared.
   */
  uncategorize(slug: string, removedAt: number): Effect.Effect<number, VideoSendError | EventStoreError>
  /** As the system: offers the default categories once in the catalog's life. */
  readonly seedCategories: Effect.Effect<CatalogResult, CatalogSendError>
  readonly catalog: Effect.Effect<{ readonly state: CatalogState; readonly position: number }, SendError<never>>
}

export class Videos extends Context.Service<Videos, VideosShape>()("keyframe/Videos") {
  /** Holds no state: routes may build it per request over the process's actors and object store. */
  static readonly layer: Layer.Layer<Videos, never, ActorSystem | ObjectStore | EventStore> = Layer.effect(
    Videos,
    Effect.gen(function*() {
      const actors = yield* ActorSystem
      const objects = yield* ObjectStore
      const events = yield* EventStore
      const asSystem = systemSender(actors)

      // The catalog worker creates a ready upload's Video a moment after UploadReady, while the videos read
      // model already says ready: a command in that window creates the Video here first (with the worker's
      // command id, so once), then is sent again. Anything else that is not found stays not found.
      const send = (verb: string, caller: VideoCaller, videoId: string, command: VideoCommand, commandId?: string) => {
        const once = actors.send(VideoAggregate, videoId, {
          command,
          actor: caller.actor,
          commandId: commandId ?? videoCommandIds.byCaller(verb, videoId, caller.actor.userId, caller.key),
          correlationId: caller.correlationId
        })
        return once.pipe(Effect.catchTag("NotFound", (notFound) =>
          Effect.flatMap(createFromUpload(videoId), (created) => (created === undefined ? Effect.fail(notFound) : once))
        ))
      }
      const sendCatalog = (verb: string, caller: VideoCaller, command: CatalogCommand) =>
        actors.send(CatalogAggregate, CATALOG_ID, {
          command,
          actor: caller.actor,
          commandId: videoCommandIds.byCaller(verb, CATALOG_ID, caller.actor.userId, caller.key),
          correlationId: caller.correlationId
        })

      const createFromUpload = Effect.fn("Videos.createFromUpload")(function*(uploadId: string) {
        const { state } = yield* actors.current(UploadAggregate, uploadId)
        if (state.status !== "Ready") return undefined
        return yield* asSystem(
          VideoAggregate,
          uploadId,
          { _tag: "CreateVideo", videoId: uploadId, ownerId: state.ownerId, title: state.filename, source: state.source },
          videoCommandIds.create(uploadId)
        )
      })

      const change = Effect.fn("Videos.change")(function*(caller: VideoCaller, videoId: string, changes: VideoChanges) {
        // the decider checks the list too; checked here as well, because it is sent after the other commands
        if (changes.allowedOrigins !== undefined) {
          const checked = normalizeOrigins(changes.allowedOrigins)
          if ("problem" in checked) return yield* new VideoOriginsInvalid({ reason: checked.problem })
        }
        if (changes.category !== undefined && changes.category !== null) {
          const { state } = yield* actors.current(CatalogAggregate, CATALOG_ID)
          if (!state.categories.some((c) => c.slug === changes.category)) {
            return yield* new UnknownCategory({ slug: changes.category })
          }
        }
        const commands: Array<readonly [string, VideoCommand]> = []
        if (changes.title !== undefined || changes.description !== undefined) {
          commands.push(["edit", {
            _tag: "EditVideo",
            videoId,
            ...(changes.title === undefined ? {} : { title: changes.title }),
            ...(changes.description === undefined ? {} : { description: changes.description })
          }])
        }
        if (changes.category !== undefined) commands.push(["category", { _tag: "SetVideoCategory", videoId, category: changes.category }])
        if (changes.visibility !== undefined) commands.push(["visibility", { _tag: "SetVideoVisibility", videoId, visibility: changes.visibility }])
        if (changes.allowedOrigins !== undefined) commands.push(["origins", { _tag: "SetVideoAllowedOrigins", videoId, origins: changes.allowedOrigins }])
        if (commands.length === 0) {
          // nothing to change: still 404 for a video the caller may not see, as the decider would answer
          let current = yield* actors.current(VideoAggregate, videoId)
          if (current.state.status === "Absent" && (yield* createFromUpload(videoId)) !== undefined) current = yield* actors.current(VideoAggregate, videoId)
          const { revision, position, state } = current
          const mayKnow = state.status === "Active" &&
            (state.ownerId === caller.actor.userId || isAdmin(caller.actor) || visibleToOthers(state))
          if (!mayKnow) return yield* new NotFound({ category: "video", id: videoId })
          return { changed: false, revision, position }
        }
        let result: VideoChangeResult = { changed: false, revision: -1, position: 0 }
        // text and permission errors come from the first command, before anything is written (origins were checked above)
        for (const [verb, command] of commands) {
          const sent = yield* send(verb, caller, videoId, command)
          result = { changed: result.changed || sent.events.length > 0, revision: sent.revision, position: sent.position }
        }
        return result
      })

      const uncategorize = Effect.fn("Videos.uncategorize")(function*(slug: string, removedAt: number) {
        const latest = new Map<string, string | null>()
        let from = 0
        for (;;) {
          const page = yield* events.readAll({
            fromPosition: from,
            maxCount: 1000,
            filter: { streamPrefixes: ["video-"], eventTypes: ["VideoCategorySet", "VideoDeleted"] }
          })
          for (const event of page) {
            const decoded = VideoAggregate.events.decode({ type: event.type, data: event.data, schemaVersion: event.metadata.schemaVersion })
            if (decoded._tag === "Failure") continue
            const e = decoded.success
            if (e._tag === "VideoCategorySet") latest.set(e.videoId, e.category)
            if (e._tag === "VideoDeleted") latest.delete(e.videoId)
          }
          if (page.length < 1000) break
          from = page.at(-1)!.position + 1
        }
        let cleared = 0
        for (const [videoId, category] of latest) {
          if (category !== slug) continue
          const result = yield* asSystem(
            VideoAggregate,
            videoId,
            { _tag: "SetVideoCategory", videoId, category: null },
            videoCommandIds.uncategorize(videoId, removedAt)
          )
          if (result.events.length > 0) cleared++
        }
        return cleared
      })

      return Videos.of({
        createFromUpload,
        uncategorize,
        change,
        publish: (caller, videoId) => send("publish", caller, videoId, { _tag: "PublishVideo", videoId }),
        unpublish: (caller, videoId) => send("unpublish", caller, videoId, { _tag: "UnpublishVideo", videoId }),
        remove: (caller, videoId) => send("delete", caller, videoId, { _tag: "DeleteVideo", videoId }, videoCommandIds.delete(videoId)),
        takeDown: (caller, videoId, reason) => send("takedown", caller, videoId, { _tag: "TakeDownVideo", videoId, reason }),
        restore: (caller, videoId) => send("restore", caller, videoId, { _tag: "RestoreVideo", videoId }),
        removeMedia: Effect.fn("Videos.removeMedia")(function*(videoId: string) {
          let removed = 0
          for (const prefix of videoObjectPrefixes(videoId)) removed += yield* objects.deletePrefix(prefix)
          for (const key of videoObjectKeys(videoId)) yield* objects.delete(key)
          return removed
        }, Effect.catchTag("InvalidObjectKey", (e) => Effect.die(e))),
        current: (videoId) => actors.current(VideoAggregate, videoId),
        createCategory: (caller, slug, name) => sendCatalog("category-create", caller, { _tag: "CreateCategory", slug, name }),
        renameCategory: (caller, slug, name) => sendCatalog("category-rename", caller, { _tag: "RenameCategory", slug, name }),
        removeCategory: (caller, slug) => sendCatalog("category-remove", caller, { _tag: "RemoveCategory", slug }),
        seedCategories: asSystem(CatalogAggregate, CATALOG_ID, { _tag: "SeedCategories" }, videoCommandIds.seedCatalog),
        catalog: Effect.map(actors.current(CatalogAggregate, CATALOG_ID), ({ state, position }) => ({ state, position }))
      })
    })
  )
}
