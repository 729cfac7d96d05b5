/** A live stream as the decider sees it (a status-tagged union), and how events change it. */
import type { FailureReason } from "./StreamCommands.ts"
import type { StreamEvent } from "./StreamEvents.ts"

/** A part of the multipart upload: bytes `[offset, offset + size)` of the stream. */
export interface Part {
  readonly partNumber: number
  readonly offset: number
  readonly size: number
  readonly etag: string
  readonly sha256: string
}

export interface Multipart {
  readonly key: string
  readonly uploadId: string
}

interface StreamFacts {
  readonly streamId: string
  readonly ownerId: string
  readonly source: "watch" | "push"
  readonly sourceRef: string | undefined
  readonly title: string | undefined
  readonly chunkSizeBytes: number
  readonly startedAt: number
}

export type StreamState =
  | { readonly status: "Idle" }
  | (StreamFacts & {
    readonly status: "Live" | "Ended"
    readonly multipart: Multipart | null
    readonly parts: ReadonlyArray<Part>
    /** HTTP push: bytes acknowledged so far (always 0 for a watched file, whose bytes are on disk). */
    readonly receivedBytes: number
    /** A part smaller than the chunk size was uploaded: it was the last one. */
    readonly tailSealed: boolean
    /** Part numbers uploaded again after a change of their bytes. */
    readonly rewritten: ReadonlyArray<number>
  })
  | (StreamFacts & {
    readonly status: "Finalized"
    readonly totalSize: number
    readonly partCount: number
    readonly sha256: string
    readonly finalizedAt: number
  })
  | (StreamFacts & {
    readonly status: "Failed"
    readonly multipart: Multipart | null
    readonly reason: FailureReason
    readonly detail: string
    readonly failedAt: number
  })

export type ActiveStream = Extract<StreamState, { status: "Live" | "Ended" }>
export type ExistingStream = Exclude<StreamState, { status: "Idle" }>

export const initialStreamState: StreamState = { status: "Idle" }

/** Bytes stored in parts: where the next part starts. */
export const uploadedBytes = (parts: ReadonlyArray<Part>): number => {
  const last = parts.at(-1)
  return last === undefined ? 0 : last.offset + last.size
}

const factsOf = (state: ExistingStream): StreamFacts => ({
  streamId: state.streamId,
  ownerId: state.ownerId,
  source: state.source,
  sourceRef: state.sourceRef,
  title: state.title,
  chunkSizeBytes: state.chunkSizeBytes,
  startedAt: state.startedAt
})

export const evolveStream = (state: StreamState, event: StreamEvent): StreamState => {
  if (event._tag === "StreamStarted") {
    return {
      status: "Live",
      streamId: event.streamId,
      ownerId: event.ownerId,
      source: event.source,
      sourceRef: event.sourceRef,
      title: event.title,
      chunkSizeBytes: event.chunkSizeBytes,
      startedAt: event.at,
      multipart: null,
      parts: [],
      receivedBytes: 0,
      tailSealed: false,
      rewritten: []
    }
  }
  // Other events follow StreamStarted and end with StreamFinalized or StreamFailed in a well-formed stream.
  if (state.status !== "Live" && state.status !== "Ended") return state
  switch (event._tag) {
    case "StreamMultipartStarted":
      return { ...state, multipart: { key: event.key, uploadId: event.multipartUploadId } }
    case "StreamBytesReceived":
      return { ...state, receivedBytes: event.offset + event.length }
    case "StreamPartUploaded":
      return {
        ...state,
        parts: [...state.parts, { partNumber: event.partNumber, offset: event.offset, size: event.size, etag: event.etag, sha256: event.sha256 }],
        tailSealed: event.size < state.chunkSizeBytes
      }
    case "StreamPartRewritten":
      return {
        ...state,
        parts: state.parts.map((p) => p.partNumber === event.partNumber ? { ...p, etag: event.etag, sha256: event.sha256 } : p),
        rewritten: state.rewritten.includes(event.partNumber) ? state.rewritten : [...state.rewritten, event.partNumber]
      }
    case "StreamEnded":
      return { ...state, status: "Ended" }
    case "StreamFinalized":
      return {
        ...factsOf(state),
        status: "Finalized",
        totalSize: event.totalSize,
        partCount: event.chunkCount,
        sha256: event.sha256,
        finalizedAt: event.at
      }
    case "StreamFailed":
      return { ...factsOf(state), status: "Failed", multipart: state.multipart, reason: event.reason, detail: event.detail, failedAt: event.at }
  }
}
