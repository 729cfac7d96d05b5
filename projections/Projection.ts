/** What a projection is: a small pure definition the runner folds events through, in batches. */
import type { RecordedEvent } from "../src/eventstore/EventStoreTypes.ts"

/** One entry of a sorted index: `value` partitions it ("" for a whole-model index such as "all"). */
export interface IndexEntry {
  readonly index: string
  readonly value?: string | undefined
  readonly score: number
}

export interface ModelDefinition<Doc> {
  /** The index entries a document belongs in; the runner keeps indexes in step by diffing old and new entries. */
  readonly indexes?: ((doc: Doc, id: string) => ReadonlyArray<IndexEntry>) | undefined
}

type Names<Models> = keyof Models & string

export type DocRef<Models> = { readonly [K in Names<Models>]: { readonly model: K; readonly id: string } }[Names<Models>]

/** A document's new value; `doc: undefined` deletes it. */
export type Change<Models> = {
  readonly [K in Names<Models>]: { readonly model: K; readonly id: string; readonly doc: Models[K] | undefined }
}[Names<Models>]

/** The documents an event touches, as they are before it (after the earlier events of the batch). */
export interface Docs<Models> {
  get<K extends Names<Models>>(model: K, id: string): Models[K] | undefined
}

/** `Models` maps model names to document types; write it as a type alias (an interface has no index signature). */
export interface Projection<Models extends Record<string, unknown>> {
  /** Read store namespace: [a-z][A-Za-z0-9_-]*. */
  readonly name: string
  /** Bump when the fold or the document shape changes: the new version is built beside the old one. */
  readonly version: number
  /** Event types folded in; the subscription is filtered on them. */
  readonly handles: ReadonlyArray<string>
  /** Narrows the subscription to these stream prefixes too (e.g. ["upload-"]). */
  readonly streamPrefixes?: ReadonlyArray<string> | undefined
  readonly models: { readonly [K in Names<Models>]: ModelDefinition<Models[K]> }
  /** The documents an event reads or writes; the runner loads them (once per batch) before folding. */
  touches(event: RecordedEvent): ReadonlyArray<DocRef<Models>>
  /** Pure: the documents' new values. May only change documents `touches` named; must not mutate `docs`. */
  evolve(docs: Docs<Models>, event: RecordedEvent): ReadonlyArray<Change<Models>>
}

/** A projection of any document shapes, as the runner sees it. */
export type AnyProjection = Projection<any>

/** Identity, for inference: `defineProjection<{ video: Video }>()({ … })`. */
export const defineProjection = <Models extends Record<string, unknown>>() => (projection: Projection<Models>): Projection<Models> =>
  projection
