/**
 * Test support: the access facts of a video changed the way D's Video aggregate will change them, by
 * writing the videos read-model document through the real ReadStore into the slot queries read. The
 * playback route reads it through the same path (ReadSide → ReadStore → accessFactsOf) as in production.
 */
import { Effect, Option, Schedule } from "effect"
import type { ManagedRuntime } from "effect"
import { ReadSide } from "../../../src/http/queries/ReadSide.ts"
import { ObjectStore } from "../../../src/objectstore/ObjectStore.ts"
import { cacheControlOf, contentTypeOf } from "../../../src/workers/PublishedFiles.ts"

const activeSlot = Effect.gen(function*() {
  const side = yield* ReadSide
  if (side._tag !== "Projections") return yield* Effect.die(new Error("this app runs no read models"))
  const slot = yield* side.runner.active("videos").pipe(Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 200 }))
  return { store: side.store, slot }
})

/** The video's read-model document, or undefined. */
export const readVideoDoc = (runtime: ManagedRuntime.ManagedRuntime<any, any>, id: string) =>
  runtime.runPromise(Effect.gen(function*() {
    const { store, slot } = yield* activeSlot
    return Option.getOrUndefined(yield* store.get(slot, "video", id)) as Record<string, unknown> | undefined
  }))

/** Merges `fields` into the document (creating it from `fields` when there is none). */
export const patchVideoDoc = (runtime: ManagedRuntime.ManagedRuntime<any, any>, id: string, fields: Record<string, unknown>) =>
  runtime.runPromise(Effect.gen(function*() {
    const { store, slot } = yield* activeSlot
    const current = Option.getOrUndefined(yield* store.get(slot, "video", id)) as Record<string, unknown> | undefined
    yield* store.commit({ slot, writes: [{ _tag: "Put", model: "video", id, doc: { ...current, ...fields } }] })
  }))

/** Removes the document, as a delete would. */
export const deleteVideoDoc = (runtime: ManagedRuntime.ManagedRuntime<any, any>, id: string) =>
  runtime.runPromise(Effect.gen(function*() {
    const { store, slot } = yield* activeSlot
    yield* store.commit({ slot, writes: [{ _tag: "Delete", model: "video", id }] })
  }))

/** Publishes files under media/<videoId>/ with the types and cache policies the publish step gives them. */
export const putMedia = (runtime: ManagedRuntime.ManagedRuntime<any, any>, videoId: string, files: Record<string, Uint8Array | string>) =>
  runtime.runPromise(Effect.gen(function*() {
    const store = yield* ObjectStore
    for (const [file, content] of Object.entries(files)) {
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
      yield* store.put(`media/${videoId}/${file}`, bytes, { contentType: contentTypeOf(file), cacheControl: cacheControlOf(file) })
    }
  }))
