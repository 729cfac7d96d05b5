/**
 * The publish step: copies the transcode output to `media/<videoId>/…` with each file's Content-Type and
 * Cache-Control (the master playlist last, so a reachable master means a complete ladder), and returns
 * what was published for `UploadReady`: playlist and thumbnail URLs, renditions, duration, size, SHA-256.
 * Its `details` also carry `mediaBytes`, the bytes published (the storage statistics count them).
 */
import { Effect, Schema } from "effect"
import type { PublishedMedia } from "../domain/upload/UploadCommands.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import { mediaPrefix, mediaUrl } from "../uploads/UploadObjectKeys.ts"
import { readText } from "./ByteStreams.ts"
import { cacheControlOf, contentTypeOf } from "./PublishedFiles.ts"
import type { StepContext, StepResult } from "./StepContext.ts"
import { StepInputMissing } from "./StepFailure.ts"
import { MANIFEST, TranscodeManifestJson } from "./TranscodeManifest.ts"
import { completionOf, originalOf, uploadHistory } from "./UploadHistory.ts"

const COPY_CONCURRENCY = 4

const text = (details: Readonly<Record<string, unknown>>, key: string, step: string) =>
  typeof details[key] === "string" && details[key] !== ""
    ? Effect.succeed(details[key])
    : Effect.fail(new StepInputMissing({ detail: `the ${step} step did not record its ${key}` }))

export const publishStep = (ctx: StepContext) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const history = yield* uploadHistory(ctx.uploadId)
    const { sizeBytes, sha256 } = yield* originalOf(history)
    const transcoded = yield* completionOf(history, "transcode")
    const output = yield* text(transcoded, "output", "transcode")

    const manifestObject = yield* store.get(`${output}${MANIFEST}`).pipe(
      Effect.catchTag("ObjectNotFound", () => Effect.fail(new StepInputMissing({ detail: "the transcode output is missing from storage" })))
    )
    const manifest = yield* Schema.decodeUnknownEffect(TranscodeManifestJson)(yield* readText(manifestObject.body, "the manifest")).pipe(
      Effect.mapError((e) => new StepInputMissing({ detail: `the transcode manifest is unreadable: ${e.message}` }))
    )

    const target = mediaPrefix(ctx.uploadId)
    let mediaBytes = 0
    const copy = (file: string) =>
      Effect.gen(function*() {
        const source = yield* store.get(`${output}${file}`).pipe(
          Effect.catchTag("ObjectNotFound", () => Effect.fail(new StepInputMissing({ detail: `the transcode output lacks ${file}` })))
        )
        yield* store.put(`${target}${file}`, source.body, {
          contentType: contentTypeOf(file),
          cacheControl: cacheControlOf(file),
          contentLength: source.contentLength
        })
        mediaBytes += source.contentLength
      })
    const others = manifest.files.filter((f) => f !== manifest.masterPlaylist)
    let copied = 0
    yield* Effect.forEach(others, (file) =>
      Effect.tap(copy(file), () => Effect.sync(() => ctx.progress(Math.round((++copied / manifest.files.length) * 1000) / 10, copied))), {
      concurrency: COPY_CONCURRENCY,
      discard: true
    })
    yield* copy(manifest.masterPlaylist)
    ctx.progress(100, manifest.files.length)

    const media: typeof PublishedMedia.Type = {
      masterPlaylistUrl: mediaUrl(ctx.uploadId, manifest.masterPlaylist),
      thumbnailUrl: mediaUrl(ctx.uploadId, manifest.thumbnail.file),
      thumbnailWidth: manifest.thumbnail.width,
      thumbnailHeight: manifest.thumbnail.height,
      durationSeconds: manifest.durationSeconds,
      width: manifest.width,
      height: manifest.height,
      renditions: manifest.renditions.map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bandwidth: r.bandwidth,
        averageBandwidth: r.averageBandwidth,
        codecs: r.codecs,
        frameRate: r.frameRate,
        playlistUrl: mediaUrl(ctx.uploadId, r.playlist)
      })),
      sizeBytes,
      sha256
    }
    const result: StepResult = {
      details: { masterPlaylistUrl: media.masterPlaylistUrl, renditions: media.renditions.map((r) => r.name).join(","), mediaBytes },
      media
    }
    return result
  })
