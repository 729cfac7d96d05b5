/**
 * A realistic history for the query benchmark, written through the actors (so the events are the
 * deciders' own): users with quotas, uploads with their bytes in, every fifth processed to ready.
 */
import { createServer } from "node:net"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import type { Principal } from "../../../src/domain/shared/Decider.ts"
import { defaultDomainSettings } from "../../../src/domain/shared/DomainSettings.ts"
import { UploadAggregate } from "../../../src/domain/upload/UploadAggregate.ts"
import { VideoAggregate } from "../../../src/domain/video/VideoAggregate.ts"
import { PgliteEventStore } from "../../../src/eventstore/embedded/PgliteEventStore.ts"
import { PostgresEventStore } from "../../../src/eventstore/postgres/PostgresEventStore.ts"

export interface Seeded {
  readonly users: ReadonlyArray<string>
  readonly uploads: ReadonlyArray<{ readonly id: string; readonly owner: string }>
  readonly ready: ReadonlyArray<{ readonly id: string; readonly owner: string }>
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))))
    })
    server.on("error", reject)
  })

const system: Principal = { userId: "system", roles: ["system"] }
const user = (userId: string): Principal => ({ userId, roles: ["user"] })
const SIZE = 1_000

const media = (id: string) => ({
  masterPlaylistUrl: `/media/${id}/master.m3u8`,
  thumbnailUrl: `/media/${id}/thumbnail.jpg`,
  thumbnailWidth: 640,
  thumbnailHeight: 360,
  durationSeconds: 4,
  width: 1280,
  height: 720,
  renditions: [{ name: "720p", width: 1280, height: 720, bandwidth: 3_000_000, averageBandwidth: 2_500_000, codecs: "avc1.64001f,mp4a.40.2", frameRate: 30, playlistUrl: `/media/${id}/720p/index.m3u8` }],
  sizeBytes: SIZE,
  sha256: "ab".repeat(32)
})

const seedOne = (owner: string, id: string, ready: boolean) =>
  Effect.gen(function*() {
    const actors = yield* ActorSystem
    yield* actors.send(QuotaAggregate, owner, { command: { _tag: "ReserveUpload", userId: owner, uploadId: id, bytes: SIZE }, actor: user(owner) })
    yield* actors.send(UploadAggregate, id, { command: { _tag: "CreateUpload", uploadId: id, filename: `${id}.mp4`, declaredSize: SIZE, contentType: "video/mp4" }, actor: user(owner) })
    yield* actors.send(UploadAggregate, id, { command: { _tag: "AppendBytes", uploadId: id, offset: 0, length: SIZE }, actor: user(owner) })
    if (!ready) return
    for (const step of ["chunk", "transcode", "publish"] as const) {
      const workerId = "seed"
      const claimed = yield* actors.send(UploadAggregate, id, { command: { _tag: "ClaimStep", uploadId: id, step, workerId }, actor: system })
      const attempt = (claimed.events[0] as { attempt: number }).attempt
      if (step === "chunk") {
        yield* actors.send(UploadAggregate, id, {
          command: { _tag: "RecordChunk", uploadId: id, workerId, attempt, multipartUploadId: "mp1", partNumber: 1, etag: '"e1"', size: SIZE },
          actor: system
        })
      }
      yield* actors.send(UploadAggregate, id, {
        command: { _tag: "CompleteStep", uploadId: id, step, workerId, attempt, ...(step === "publish" ? { media: media(id) } : {}) },
        actor: system
      })
    }
    yield* actors.send(QuotaAggregate, owner, { command: { _tag: "CommitUpload", userId: owner, uploadId: id, receivedBytes: SIZE }, actor: system })
    // as the catalog worker and the owner would: a Video, made public so every reader lists it
    yield* actors.send(VideoAggregate, id, { command: { _tag: "CreateVideo", videoId: id, ownerId: owner, title: `${id}.mp4`, source: "upload" }, actor: system })
    yield* actors.send(VideoAggregate, id, { command: { _tag: "SetVideoVisibility", videoId: id, visibility: "public" }, actor: user(owner) })
  })

export const seedHistory = async (
  store: { readonly kind: "embedded"; readonly dataDir: string } | { readonly kind: "postgres"; readonly url: string },
  uploads: number,
  users: number
): Promise<Seeded> => {
  const eventStore = store.kind === "embedded" ? PgliteEventStore.layer({ dataDir: store.dataDir }) : PostgresEventStore.layer({ url: store.url })
  const runtime = ManagedRuntime.make(
    ActorSystem.layer({ mailboxSize: 1000, idleMillis: 60_000, maxLive: 20_000, maxConflictRetries: 5, settings: defaultDomainSettings }).pipe(
      Layer.provideMerge(eventStore),
      Layer.provideMerge(Logger.layer([]))
    )
  )
  const names = Array.from({ length: users }, (_, i) => `user${i}`)
  const all = Array.from({ length: uploads }, (_, i) => ({ id: `seed-${i}`, owner: names[i % users]!, ready: i % 5 === 0 }))
  try {
    // one user's uploads in order (its quota stream), users side by side
    await runtime.runPromise(Effect.forEach(
      names,
      (owner) => Effect.forEach(all.filter((u) => u.owner === owner), (u) => seedOne(u.owner, u.id, u.ready), { discard: true }),
      { concurrency: 16, discard: true }
    ))
  } finally {
    await runtime.dispose()
  }
  return { users: names, uploads: all.map(({ id, owner }) => ({ id, owner })), ready: all.filter((u) => u.ready).map(({ id, owner }) => ({ id, owner })) }
}
