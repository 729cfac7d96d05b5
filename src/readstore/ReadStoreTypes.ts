/** The data shapes of the read store port: slots, writes, batches, index pages. */

/**
 * Where one build of a projection lives. Keys are namespaced by projection name and
 * version (plus a rebuild generation), so a new build can be made beside the live one.
 */
export interface Slot {
  /** Projection name: [a-z][A-Za-z0-9_-]*, no ":". */
  readonly projection: string
  /** The projection definition's version (a new version is built beside the old). */
  readonly version: number
  /** Rebuilds of the same version get a new generation (0 for the first build). */
  readonly generation: number
}

/** One change inside a commit; model and index names are relative to the batch's slot. */
export type Write =
  | { readonly _tag: "Put"; readonly model: string; readonly id: string; readonly doc: unknown }
  | { readonly _tag: "Delete"; readonly model: string; readonly id: string }
  | {
    readonly _tag: "IndexAdd"
    readonly model: string
    readonly index: string
    /** The index partition, e.g. an owner id; "" for a whole-model index like "all". */
    readonly value: string
    readonly id: string
    readonly score: number
  }
  | {
    readonly _tag: "IndexRemove"
    readonly model: string
    readonly index: string
    readonly value: string
    readonly id: string
  }

/** What `commit` applies atomically: every write, the slot's new checkpoint, and optionally the active-version swap. */
export interface CommitBatch {
  readonly slot: Slot
  readonly writes: ReadonlyArray<Write>
  /** Global position of the last event this batch folds in. */
  readonly checkpoint?: number | undefined
  /**
   * The fence: apply only if the slot's stored checkpoint is exactly this (0: the slot has none
   * yet); otherwise nothing is written and the commit fails with CheckpointMoved. A folder passes
   * the checkpoint it folded from, so a writer that lost its lease cannot apply a batch twice.
   */
  readonly after?: number | undefined
  /** Makes this slot the one queries read for its projection. */
  readonly activate?: boolean | undefined
}

export interface ListOptions {
  /** The index partition; "" (default) for a whole-model index. */
  readonly value?: string | undefined
  /** Opaque, from a previous page's `next`. Stable under inserts and deletes. */
  readonly cursor?: string | undefined
  /** 1–1000. */
  readonly limit: number
  /** "desc" = highest score first (newest first when the score is a time or position). */
  readonly order: "asc" | "desc"
}

export interface ListItem<Doc = unknown> {
  readonly id: string
  readonly score: number
  readonly doc: Doc
}

export interface ListPage<Doc = unknown> {
  readonly items: ReadonlyArray<ListItem<Doc>>
  /** Cursor of the next page; absent on the last page. */
  readonly next?: string | undefined
}
