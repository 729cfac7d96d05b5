/** Reading a web byte stream inside an Effect: chunk by chunk, cancelled (its file or connection released) if the effect stops early. */
import { Effect, Exit } from "effect"
import { ObjectStoreUnavailable } from "../objectstore/ObjectStoreError.ts"

export const forEachChunk = <E, R>(
  body: ReadableStream<Uint8Array>,
  what: string,
  f: (chunk: Uint8Array) => Effect.Effect<void, E, R>
): Effect.Effect<void, E | ObjectStoreUnavailable, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => body.getReader()),
    (reader) =>
      Effect.gen(function*() {
        while (true) {
          const next = yield* Effect.tryPromise({
            try: () => reader.read(),
            catch: (e) => new ObjectStoreUnavailable({ operation: "get", reason: `reading ${what}: ${e instanceof Error ? e.message : String(e)}`, cause: e })
          })
          if (next.done) return
          yield* f(next.value)
        }
      }),
    (reader, exit) =>
      Exit.isSuccess(exit)
        ? Effect.sync(() => reader.releaseLock())
        : Effect.promise(() => reader.cancel().catch(() => {}))
  )

/** The whole (small) stream as text. */
export const readText = (body: ReadableStream<Uint8Array>, what: string): Effect.Effect<string, ObjectStoreUnavailable> =>
  Effect.gen(function*() {
    const chunks: Array<Uint8Array> = []
    yield* forEachChunk(body, what, (chunk) => Effect.sync(() => void chunks.push(chunk)))
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
    let at = 0
    for (const c of chunks) {
      all.set(c, at)
      at += c.byteLength
    }
    return new TextDecoder().decode(all)
  })
