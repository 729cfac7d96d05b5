/**
 * The transcode step: copies the original to a scratch directory, probes it (a file that is not an
 * accepted video fails here, for good, with ffprobe's reason), runs the HLS ladder in one ffmpeg
 * process and takes the thumbnail, then stores the output under `work/<id>/a<attempt>/` for publishing.
 * Progress goes out ephemerally; probed/transcoded/thumbnailed are milestones (events).
 */
import { Effect, FileSystem, Path, Schema, Stream } from "effect"
import { Media } from "../media/Media.ts"
import { ObjectStore } from "../objectstore/ObjectStore.ts"
import { attemptPrefix, originalKey } from "../uploads/UploadObjectKeys.ts"
import { contentTypeOf, THUMBNAIL } from "./PublishedFiles.ts"
import type { StepContext, StepResult } from "./StepContext.ts"
import { StepInputMissing } from "./StepFailure.ts"
import { MANIFEST, type TranscodeManifest, TranscodeManifestJson } from "./TranscodeManifest.ts"
import { scratchError, ScratchSpace } from "./ScratchSpace.ts"

/** Output files stored at once. */
const UPLOAD_CONCURRENCY = 4

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits

export const transcodeStep = (ctx: StepContext) =>
  Effect.scoped(
    Effect.gen(function*() {
      const store = yield* ObjectStore
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const media = yield* Media
      const readScratch = (file: string) => fs.readFile(file).pipe(Effect.mapError(scratchError(file)))
      const dir = yield* (yield* ScratchSpace).directory(`transcode-${ctx.uploadId}`)
      const source = path.join(dir, `source.${ctx.upload.container || "bin"}`)
      const original = yield* store.get(originalKey(ctx.uploadId)).pipe(
        Effect.catchTag("ObjectNotFound", () => Effect.fail(new StepInputMissing({ detail: "the sealed original is missing from storage" })))
      )
      yield* Stream.fromReadableStream({ evaluate: () => original.body, onError: (e) => e }).pipe(
        Stream.run(fs.sink(source)),
        Effect.mapError(scratchError(source))
      )

      const info = yield* media.probe(source)
      yield* ctx.milestone("probed", {
        ...(info.durationSeconds === undefined ? {} : { durationSeconds: round(info.durationSeconds) }),
        width: info.width,
        height: info.height,
        rotation: info.rotation,
        videoCodec: info.videoCodec,
        audioCodec: info.audioCodec ?? "none",
        frameRate: info.frameRate,
        container: info.container
      })

      const out = path.join(dir, "out")
      const ladder = yield* media.hlsLadder(source, out, {
        info,
        onProgress: (p) => ctx.progress(p.percent, round(p.outTimeSeconds))
      })
      const duration = info.durationSeconds ?? Math.max(...ladder.renditions.map((r) => r.durationSeconds))
      yield* ctx.milestone("transcoded", {
        renditions: ladder.renditions.map((r) => r.name).join(","),
        segments: ladder.renditions.reduce((n, r) => n + r.segments, 0),
        durationSeconds: round(duration)
      })
      const thumb = yield* media.thumbnail(source, path.join(out, THUMBNAIL), { info })
      yield* ctx.milestone("thumbnailed", { thumbnailWidth: thumb.width, thumbnailHeight: thumb.height, atSeconds: thumb.atSeconds })

      const manifest: TranscodeManifest = {
        files: [...ladder.files, THUMBNAIL],
        masterPlaylist: ladder.masterPlaylist,
        renditions: ladder.renditions.map((r) => ({
          name: r.name,
          width: r.width,
          height: r.height,
          bandwidth: Math.max(1, r.bandwidth),
          averageBandwidth: Math.max(1, r.averageBandwidth),
          codecs: r.codecs.join(","),
          frameRate: r.frameRate,
          playlist: r.playlist,
          segments: r.segments
        })),
        thumbnail: { file: THUMBNAIL, width: thumb.width, height: thumb.height },
        durationSeconds: round(duration),
        width: info.width,
        height: info.height
      }
      const prefix = attemptPrefix(ctx.uploadId, ctx.attempt)
      yield* Effect.forEach(
        manifest.files,
        (file) =>
          Effect.flatMap(readScratch(path.join(out, ...file.split("/"))), (bytes) =>
            store.put(`${prefix}${file}`, bytes, { contentType: contentTypeOf(file), contentLength: bytes.byteLength })),
        { concurrency: UPLOAD_CONCURRENCY, discard: true }
      )
      // Last: a manifest means the whole output is there.
      yield* store.put(`${prefix}${MANIFEST}`, new TextEncoder().encode(Schema.encodeSync(TranscodeManifestJson)(manifest)), {
        contentType: "application/json"
      })
      const result: StepResult = {
        details: {
          output: prefix,
          durationSeconds: manifest.durationSeconds,
          width: info.width,
          height: info.height,
          renditions: manifest.renditions.map((r) => r.name).join(",")
        }
      }
      return result
    })
  )
