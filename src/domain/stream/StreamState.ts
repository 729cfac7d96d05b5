/** A live stream as the decider sees it (a status-tagged union), and how events change it. */
import type { StreamEvent } from "./StreamEvents.ts"

export interface Chunk {
  readonly index: number
  readonly offset: number
  readonly size: number
  /** Set once the chunk is stored as a part of the multipart upload. */
  readonly etag: string | null
  readonly partNumber: number | null
}

interface StreamFacts {
  readonly streamId: string
  readonly ownerId: string
  readonly source: "watch" | "push"
  readonly chunkSizeBytes: number
  readonly startedAt: number
}

export type StreamState =
  | { readonly status: "Idle" }
  | (StreamFacts & {
    readonly status: "Live" | "Ended"
    readonly chunks: ReadonlyArray<Chunk>
    /** A chunk smaller than the chunk size was sealed: it was the last one. */
    readonly tailSealed: boolean
  })
  | (StreamFacts & {
    readonly status: "Finalized"
    readonly totalSize: number
    readonly chunkCount: number
    readonly finalizedAt: number
  })

export type ActiveStream = Extract<StreamState, { status: "Live" | "Ended" }>

export const initialStreamState: StreamState = { status: "Idle" }

export const sealedBytes = (chunks: ReadonlyArray<Chunk>): number => chunks.reduce((sum, c) => sum + c.size, 0)

export const evolveStream = (state: StreamState, event: StreamEvent): StreamState => {
  if (event._tag === "StreamStarted") {
    return {
      status: "Live",
      streamId: event.streamId,
      ownerId: event.ownerId,
      source: event.source,
      chunkSizeBytes: event.chunkSizeBytes,
      startedAt: event.at,
      chunks: [],
      tailSealed: false
    }
  }
  // Other events follow StreamStarted and precede StreamFinalized in a well-formed stream.
  if (state.status !== "Live" && state.status !== "Ended") return state
  switch (event._tag) {
    case "ChunkSealed":
      return {
        ...state,
        chunks: [...state.chunks, { index: event.index, offset: event.offset, size: event.size, etag: null, partNumber: null }],
        tailSealed: event.size < state.chunkSizeBytes
      }
    case "ChunkUploaded":
      return {
        ...state,
        chunks: state.chunks.map((c) => c.index === event.index ? { ...c, etag: event.etag, partNumber: event.partNumber } : c)
      }
    case "StreamEnded":
      return { ...state, status: "Ended" }
    case "StreamFinalized":
      return {
        status: "Finalized",
        streamId: state.streamId,
        ownerId: state.ownerId,
        source: state.source,
        chunkSizeBytes: state.chunkSizeBytes,
        startedAt: state.startedAt,
        totalSize: event.totalSize,
        chunkCount: event.chunkCount,
        finalizedAt: event.at
      }
  }
}
