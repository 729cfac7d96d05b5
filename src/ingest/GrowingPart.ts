/**
 * A part uploaded while it is still being written (runtime neutral). Sealing a part only once its chunk is
 * full leaves every sealed byte waiting for a whole chunk's upload: with a writer slower than the store, the
 * lag at the end of writing is the tail plus the part still uploading (~1.4 chunks for a 1 GiB file in 10 MiB
 * chunks). A growing part starts the part's upload (UploadPart with its final Content-Length, a chunk) as soon as
 * the engine has caught up, and feeds it the bytes as they reach the source: when the chunk's last byte is
 * written the part is stored moments later, so what waits at the end is the tail alone.
 *
 * The engine abandons a growing part (interrupting it aborts the request; no part is stored) when the source
 * ends, stalls or fails before the chunk is full, and then seals those bytes the usual way under the same part
 * number. The bytes are kept as they stream out, so the part's SHA-256 and its event are exactly a sealed part's.
 */
import { Deferred, Effect, Fiber, type Scope, Stream } from "effect"
import type { Part } from "../domain/stream/StreamState.ts"
import type { PartBytes, Streams } from "../streams/Streams.ts"
import type { GrowingSource } from "./GrowingSource.ts"

/** The largest read fed to the request at once. */
const READ_BYTES = 1024 * 1024

export interface GrowingPart {
  readonly partNumber: number
  readonly offset: number
  readonly size: number
  /** The part's bytes and what was stored, once the whole chunk went out and the store acknowledged it. */
  readonly done: Deferred.Deferred<{ readonly part: PartBytes; readonly stored: Part }, unknown>
  /** Stops it: the request is aborted (the store keeps nothing of an unfinished part). */
  readonly abandon: Effect.Effect<void>
}

export interface GrowingPartOptions {
  readonly streamId: string
  readonly partNumber: number
  readonly offset: number
  /** The chunk size: the part's Content-Length. */
  readonly size: number
  /** How often to look at the source while it has no new bytes. */
  readonly pollMs: number
}

export const startGrowingPart = (
  streams: typeof Streams.Service,
  source: GrowingSource,
  options: GrowingPartOptions
): Effect.Effect<GrowingPart, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { offset, size } = options
    const bytes = new Uint8Array(size)
    let filled = 0
    let observed = offset
    // set once the part is done with, stored or not: the body then ends at once instead of following the
    // file (the store may not cancel a body whose request it aborted, and nobody would see its failure)
    let finished = false
    /** The next bytes from the source, waiting (polling) while it has none; ends with the chunk. */
    const pull = Effect.gen(function*() {
      while (true) {
        if (finished) return undefined
        const snap = yield* source.snapshot
        if (snap === undefined) return yield* Effect.fail(new Error(`${source.label} is gone`))
        observed = snap.size
        const available = Math.min(snap.size, offset + size) - (offset + filled)
        if (available > 0) {
          const got = yield* source.read(offset + filled, Math.min(available, READ_BYTES))
          bytes.set(got, filled)
          filled += got.byteLength
          return got
        }
        if (snap.ended) return yield* Effect.fail(new Error(`${source.label} ended before the part was full`))
        yield* Effect.sleep(options.pollMs)
      }
    })
    const body = Stream.unfold(undefined, () =>
      filled >= size || finished
        ? Effect.succeed(undefined)
        : pull.pipe(
          Effect.map((got) => (got === undefined ? undefined : [got, undefined] as const)),
          // after the part was given up, a failing look at the source is nobody's business
          Effect.catch((e) => (finished ? Effect.succeed(undefined) : Effect.fail(e)))
        ))
    const done = yield* Deferred.make<{ readonly part: PartBytes; readonly stored: Part }, unknown>()
    const run = Effect.gen(function*() {
      const readable = yield* Stream.toReadableStreamEffect(body)
      const stored = yield* streams.storeGrowingPart({ streamId: options.streamId, partNumber: options.partNumber, offset, size }, readable, () => bytes)
      const part: PartBytes = { streamId: options.streamId, partNumber: options.partNumber, offset, bytes, observedBytes: observed }
      return { part, stored }
    })
    const finish = Effect.sync(() => void (finished = true))
    const fiber = yield* Effect.forkScoped(Effect.exit(run).pipe(Effect.flatMap((exit) => Deferred.done(done, exit)), Effect.ensuring(finish)))
    return { partNumber: options.partNumber, offset, size, done, abandon: Effect.andThen(finish, Fiber.interrupt(fiber)) }
  })
