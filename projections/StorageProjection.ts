/**
 * Storage statistics: bytes kept per upload by kind (the original as stored; the published media), and
 * the totals by kind. An upload's original counts from UploadReceived (the chunk step's and UploadReady's
 * measured sizes correct it), or from UploadAdoptedFromStream for a live stream's; its media from the publish step's `mediaBytes`. A cancelled or expired
 * upload's objects are removed, so its bytes leave the statistics. Bytes still arriving (tus staging) are
 * not counted. Per-user sums are made at query time over the `byOwner` index (upload events after
 * UploadCreated do not name the owner, so a per-user document could not be touched from them).
 */
import { Schema } from "effect"
import { UploadAggregate } from "../src/domain/upload/UploadAggregate.ts"
import type { UploadEvent } from "../src/domain/upload/UploadEvents.ts"
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"
import { entityIdOf, makeDecoder } from "./DomainEvents.ts"
import { defineProjection } from "./Projection.ts"

export const StoredUploadDocument = Schema.Struct({
  uploadId: Schema.String,
  ownerId: Schema.String,
  originalBytes: Schema.Finite,
  mediaBytes: Schema.Finite,
  createdAt: Schema.Finite,
  position: Schema.Finite
})
export type StoredUploadDoc = typeof StoredUploadDocument.Type

export const StorageTotalsDocument = Schema.Struct({
  originalsBytes: Schema.Finite,
  mediaBytes: Schema.Finite,
  uploads: Schema.Int.annotate({ description: "uploads holding stored bytes or on their way to it" }),
  position: Schema.Finite
})
export type StorageTotalsDoc = typeof StorageTotalsDocument.Type

export type StorageModels = { readonly upload: StoredUploadDoc; readonly totals: StorageTotalsDoc }

export const TOTALS_ID = "all"

const decode = makeDecoder(UploadAggregate.events)
const emptyTotals: StorageTotalsDoc = { originalsBytes: 0, mediaBytes: 0, uploads: 0, position: 0 }

const numberIn = (details: Readonly<Record<string, unknown>> | undefined, key: string): number | undefined => {
  const v = details?.[key]
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined
}

/** The upload document after `e`; undefined = removed (or never created). */
const evolveUpload = (doc: StoredUploadDoc | undefined, e: UploadEvent, position: number): StoredUploadDoc | undefined => {
  if (e._tag === "UploadCreated") return { uploadId: e.uploadId, ownerId: e.ownerId, originalBytes: 0, mediaBytes: 0, createdAt: e.at, position }
  // a stream's original is stored whole by the time it is adopted
  if (e._tag === "UploadAdoptedFromStream") {
    return doc ?? { uploadId: e.uploadId, ownerId: e.ownerId, originalBytes: e.size, mediaBytes: 0, createdAt: e.at, position }
  }
  if (doc === undefined) return undefined
  switch (e._tag) {
    case "UploadReceived":
      return { ...doc, originalBytes: e.size, position }
    case "StepCompleted": {
      const key = e.step === "chunk" ? "sizeBytes" : e.step === "publish" ? "mediaBytes" : undefined
      const bytes = key === undefined ? undefined : numberIn(e.details, key)
      if (bytes === undefined) return doc
      return e.step === "chunk" ? { ...doc, originalBytes: bytes, position } : { ...doc, mediaBytes: bytes, position }
    }
    case "UploadReady":
      return e.media === undefined ? doc : { ...doc, originalBytes: e.media.sizeBytes, position }
    case "UploadCancelled":
    case "UploadExpired":
      return undefined
    default:
      return doc
  }
}

export const StorageProjection = defineProjection<StorageModels>()({
  name: "storage",
  // 2: live streams' originals (UploadAdoptedFromStream)
  version: 2,
  handles: ["UploadCreated", "UploadAdoptedFromStream", "UploadReceived", "StepCompleted", "UploadReady", "UploadCancelled", "UploadExpired"],
  streamPrefixes: ["upload-"],
  models: {
    upload: {
      indexes: (doc) => [
        { index: "byOwner", value: doc.ownerId, score: doc.createdAt },
        { index: "all", score: doc.createdAt }
      ]
    },
    totals: { indexes: () => [{ index: "all", score: 0 }] }
  },
  touches: (event: RecordedEvent) => [{ model: "upload", id: entityIdOf(event.stream) }, { model: "totals", id: TOTALS_ID }],
  evolve: (docs, event) => {
    const id = entityIdOf(event.stream)
    const before = docs.get("upload", id)
    const after = evolveUpload(before, decode(event), event.position)
    if (after === before) return []
    const totals = docs.get("totals", TOTALS_ID) ?? emptyTotals
    const next: StorageTotalsDoc = {
      originalsBytes: totals.originalsBytes - (before?.originalBytes ?? 0) + (after?.originalBytes ?? 0),
      mediaBytes: totals.mediaBytes - (before?.mediaBytes ?? 0) + (after?.mediaBytes ?? 0),
      uploads: totals.uploads - (before ? 1 : 0) + (after ? 1 : 0),
      position: event.position
    }
    return [{ model: "upload", id, doc: after }, { model: "totals", id: TOTALS_ID, doc: next }]
  }
})
