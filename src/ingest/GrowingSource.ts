/**
 * The port every stream source implements for the ingest engine: a byte source that grows over time. A watched
 * file (src/ingest/node/NodeFileSource.ts) and the staged bytes of an HTTP push (StagedSource.ts) are two.
 */
import type { Effect } from "effect"

export interface SourceSnapshot {
  /** Bytes available now. */
  readonly size: number
  /** Changes when the source is replaced by another (a file renamed over it); undefined when the source cannot tell. */
  readonly identity?: string | undefined
  /** The producer said it is done (HTTP push: `POST /streams/:id/end`); a watched file never says so. */
  readonly ended: boolean
}

export interface GrowingSource {
  /** For messages a person reads: the file name, or "pushed bytes". */
  readonly label: string
  /** The source now; undefined when it is gone (deleted). */
  readonly snapshot: Effect.Effect<SourceSnapshot | undefined, unknown>
  /** Exactly `length` bytes from `offset`; fails when the source no longer has them. */
  readonly read: (offset: number, length: number) => Effect.Effect<Uint8Array, unknown>
  /** May the bytes under the sealed offset change before the end (a recorder rewriting its header)? Pushed bytes may not. */
  readonly rewritable: boolean
}
