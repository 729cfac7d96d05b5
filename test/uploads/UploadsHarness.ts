/**
 * Given/when/then for the Uploads service on real parts: an embedded event store (PGlite in memory, or any
 * given), the actor system and an fs object store in a temp dir. `given` writes an aggregate's history to
 * the store as its actors would; `when` runs a use case; the `then` helpers read back what it stored.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Exit, Layer, Logger, ManagedRuntime, Stream } from "effect"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../src/domain/quota/QuotaAggregate.ts"
import type { QuotaEvent } from "../../src/domain/quota/QuotaEvents.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { UploadAggregate } from "../../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../../src/domain/upload/UploadEvents.ts"
import type { ExistingUpload } from "../../src/domain/upload/UploadState.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore } from "../../src/eventstore/EventStore.ts"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { Uploads } from "../../src/uploads/Uploads.ts"

type Services = Uploads | ActorSystem | EventStore | ObjectStore

/** A stored event as the `then` helpers show it: its tag, the command id that wrote it, and its data. */
export interface Written {
  readonly type: string
  readonly causationId: string | undefined
  readonly data: Record<string, unknown>
}

export const startUploads = async (eventStore: Layer.Layer<EventStore, unknown> = PgliteEventStore.layer({})) => {
  const dir = mkdtempSync(join(tmpdir(), "kf-uploads-"))
  const runtime = ManagedRuntime.make(
    Uploads.layer.pipe(
      Layer.provideMerge(Layer.mergeAll(
        ActorSystem.layer({ mailboxSize: 100, idleMillis: 60_000, maxLive: 1000, maxConflictRetries: 3, settings: defaultDomainSettings })
          .pipe(Layer.provideMerge(eventStore)),
        FsObjectStore.layer({ root: join(dir, "objects") })
      )),
      Layer.provideMerge(Logger.layer([]))
    )
  ) as ManagedRuntime.ManagedRuntime<Services, unknown>
  await runtime.runPromise(Effect.void) // PGlite's initdb, once

  const append = (stream: string, encoded: ReadonlyArray<{ readonly type: string; readonly data: unknown; readonly schemaVersion: number }>) =>
    runtime.runPromise(EventStore.use((s) =>
      s.append(stream, encoded.map((e) => ({ type: e.type, data: e.data, metadata: { schemaVersion: e.schemaVersion } })))
    ))

  const written = (stream: string): Promise<ReadonlyArray<Written>> =>
    runtime.runPromise(EventStore.use((s) => s.readStream(stream))).then((events) =>
      events.map((e) => ({ type: e.type, causationId: e.metadata.causationId, data: e.data as Record<string, unknown> }))
    )

  return {
    /** The upload's and the quota's histories before the use case. */
    given: async (history: { readonly upload?: ReadonlyArray<UploadEvent>; readonly quota?: ReadonlyArray<QuotaEvent> }) => {
      const uploadEvents = history.upload ?? []
      const quotaEvents = history.quota ?? []
      if (quotaEvents.length > 0) await append(`quota-${quotaEvents[0]!.userId}`, quotaEvents.map(QuotaAggregate.events.encode))
      if (uploadEvents.length > 0) await append(`upload-${uploadEvents[0]!.uploadId}`, uploadEvents.map(UploadAggregate.events.encode))
    },
    /** Runs a use case: its exit, success or typed failure. */
    when: <A, E>(useCase: (uploads: typeof Uploads.Service) => Effect.Effect<A, E, never>) =>
      runtime.runPromise(Effect.exit(Effect.flatMap(Uploads, useCase))),
    /** Runs a use case on the upload `uploadId` as loaded through the service (it must exist). */
    whenLoaded: <A, E>(uploadId: string, useCase: (uploads: typeof Uploads.Service, upload: ExistingUpload) => Effect.Effect<A, E, never>) =>
      runtime.runPromise(Effect.exit(Effect.gen(function*() {
        const uploads = yield* Uploads
        const { state } = yield* uploads.current(uploadId)
        if (state.status === "Initial") return yield* Effect.die(new Error(`upload ${uploadId} does not exist`))
        return yield* useCase(uploads, state)
      }))),
    /** Events of another aggregate (a live stream's), as its actors would write them. */
    appendRaw: (stream: string, events: ReadonlyArray<{ readonly type: string; readonly data: unknown }>) =>
      append(stream, events.map((e) => ({ ...e, schemaVersion: 1 }))),
    uploadEvents: (uploadId: string) => written(`upload-${uploadId}`),
    quotaEvents: (userId: string) => written(`quota-${userId}`),
    keys: (prefix: string) =>
      runtime.runPromise(ObjectStore.use((s) => Stream.runCollect(s.list(prefix)))).then((objects) => objects.map((o) => o.key)),
    put: (key: string, bytes: Uint8Array) => runtime.runPromise(ObjectStore.use((s) => s.put(key, bytes, { contentLength: bytes.byteLength }))),
    runtime,
    stop: async () => {
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export type UploadsHarness = Awaited<ReturnType<typeof startUploads>>

/** The typed failure of an exit (its `_tag`), or "success". */
export const outcome = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = Cause.findErrorOption(exit.cause)
  return error._tag === "Some" ? String((error.value as { readonly _tag?: unknown })._tag) : "defect"
}

/** A web stream of `bytes`, as a request body arrives. */
export const bodyOf = (bytes: Uint8Array): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    }
  })

let counter = 0
/** A fresh upload id per test (the store is shared by the file's tests). */
export const freshId = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}`
