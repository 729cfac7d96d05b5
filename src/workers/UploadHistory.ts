/** An upload's own events, read back by the steps: the byte ranges tus recorded, and what earlier steps left. */
import { Effect, Result } from "effect"
import type { ProcessingStep } from "../domain/upload/UploadCommands.ts"
import { UploadEventCodec } from "../domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../domain/upload/UploadEvents.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import { StepInputMissing } from "./StepFailure.ts"

export const uploadHistory = Effect.fn("Workers.uploadHistory")(function*(uploadId: string) {
  const store = yield* EventStore
  const recorded = yield* store.readStream(`upload-${uploadId}`)
  return recorded.flatMap((r) => {
    const decoded = UploadEventCodec.decode({ type: r.type, data: r.data, schemaVersion: r.metadata.schemaVersion })
    return Result.isSuccess(decoded) ? [decoded.success] : []
  })
})

export interface ByteRange {
  readonly offset: number
  readonly length: number
}

/** The recorded byte ranges in offset order, checked to cover 0…size without gap or overlap. */
export const receivedRanges = (
  history: ReadonlyArray<UploadEvent>
): Effect.Effect<{ readonly ranges: ReadonlyArray<ByteRange>; readonly size: number }, StepInputMissing> => {
  const received = history.find((e) => e._tag === "UploadReceived")
  if (received === undefined) return Effect.fail(new StepInputMissing({ detail: "the upload was never received whole" }))
  const ranges = history
    .flatMap((e) => (e._tag === "BytesReceived" ? [{ offset: e.offset, length: e.length }] : []))
    .sort((a, b) => a.offset - b.offset)
  let end = 0
  for (const r of ranges) {
    if (r.offset !== end) return Effect.fail(new StepInputMissing({ detail: `the recorded bytes jump from ${end} to ${r.offset}` }))
    end += r.length
  }
  if (end !== received.size) {
    return Effect.fail(new StepInputMissing({ detail: `the recorded bytes add up to ${end}, not ${received.size}` }))
  }
  return Effect.succeed({ ranges, size: received.size })
}

/**
 * The sealed original's size and SHA-256: what the chunk step recorded, or, for a live stream's original
 * adopted whole, what the adoption carries.
 */
export const originalOf = (
  history: ReadonlyArray<UploadEvent>
): Effect.Effect<{ readonly sizeBytes: number; readonly sha256: string }, StepInputMissing> => {
  const adopted = history.find((e) => e._tag === "UploadAdoptedFromStream")
  if (adopted !== undefined) return Effect.succeed({ sizeBytes: adopted.size, sha256: adopted.sha256 })
  return Effect.flatMap(completionOf(history, "chunk"), (chunked) =>
    typeof chunked["sizeBytes"] === "number" && typeof chunked["sha256"] === "string" && chunked["sha256"] !== ""
      ? Effect.succeed({ sizeBytes: chunked["sizeBytes"], sha256: chunked["sha256"] })
      : Effect.fail(new StepInputMissing({ detail: "the chunk step did not record the original's size and sha256" })))
}

/** The details of the last completion of `step`. */
export const completionOf = (
  history: ReadonlyArray<UploadEvent>,
  step: ProcessingStep
): Effect.Effect<Readonly<Record<string, string | number | boolean>>, StepInputMissing> => {
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i]!
    if (e._tag === "StepCompleted" && e.step === step) return Effect.succeed(e.details ?? {})
  }
  return Effect.fail(new StepInputMissing({ detail: `the ${step} step has not completed` }))
}
