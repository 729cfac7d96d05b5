/** The read store port (DESIGN.md §1, §4): JSON documents by id plus sorted indexes, written in atomic batches. */
import { Context, Effect, Option } from "effect"
import type { ReadStoreError, ReadStoreInvalidArgument, ReadStoreUnavailable } from "./ReadStoreError.ts"
import {
  checkLease,
  checkProjectionName,
  checkSlot,
  type IndexRead,
  prepareBatch,
  type PreparedBatch,
  validateList,
  validateRead
} from "./ReadStoreKeys.ts"
import type { CommitBatch, ListOptions, ListPage, Slot } from "./ReadStoreTypes.ts"

export interface ReadStoreShape {
  /** Which adapter this is ("memory", "redis"), for logs and readiness. */
  readonly kind: string
  /** One document, or none. */
  get(slot: Slot, model: string, id: string): Effect.Effect<Option.Option<unknown>, ReadStoreError>
  /** Documents in the order of `ids`; `undefined` where there is none. One round trip. */
  getMany(slot: Slot, model: string, ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<unknown>, ReadStoreError>
  /**
   * A page of an index (a sorted set of ids per index partition) with the documents.
   * Ties in score are ordered by id; the cursor is the last (score, id) seen, so paging
   * neither repeats nor skips entries that stay in the index while others come and go.
   */
  list(slot: Slot, model: string, index: string, options: ListOptions): Effect.Effect<ListPage, ReadStoreError>
  /** The last position folded into this slot; none before its first commit. */
  checkpoint(slot: Slot): Effect.Effect<Option.Option<number>, ReadStoreError>
  /** The slot queries read for a projection; none before its first build was activated. */
  active(projection: string): Effect.Effect<Option.Option<Slot>, ReadStoreError>
  /**
   * The only write: the batch's documents, index entries, checkpoint and activation are
   * applied together or not at all (Redis: one Lua script; memory: validated, then applied).
   * With `after`, only if the slot's checkpoint is still that (else CheckpointMoved).
   */
  commit(batch: CommitBatch): Effect.Effect<void, ReadStoreError>
  /**
   * Leases: at most one holder of a name at a time, until it releases it or lets `ttlMillis`
   * pass without renewing (Redis: the server's clock). Who folds a slot is decided with these;
   * fenced commits keep a holder that lost its lease unnoticed from writing.
   *
   * acquireLease: true when `holder` holds `name` afterwards (it was free, expired, or already
   * this holder's: then extended).
   */
  acquireLease(name: string, holder: string, ttlMillis: number): Effect.Effect<boolean, ReadStoreError>
  /** Extends the lease only while `holder` still holds it; false once it was lost. */
  renewLease(name: string, holder: string, ttlMillis: number): Effect.Effect<boolean, ReadStoreError>
  /** Frees the lease if `holder` holds it (so another may take it at once); otherwise does nothing. */
  releaseLease(name: string, holder: string): Effect.Effect<void, ReadStoreError>
  /** Removes every key of a slot (documents, indexes, checkpoint), e.g. the old build after a swap. */
  drop(slot: Slot): Effect.Effect<void, ReadStoreError>
  /** Succeeds when the backing store answers; for /readyz. */
  readonly ping: Effect.Effect<void, ReadStoreUnavailable>
}

export class ReadStore extends Context.Service<ReadStore, ReadStoreShape>()("keyframe/ReadStore") {}

/**
 * What an adapter implements: the port's operations on arguments makeReadStore already checked
 * (slots, projection, model and index names, ids, limits, orders, leases), with list's cursor
 * decoded and a commit's documents encoded, so an adapter checks nothing of its input. `get` is
 * getMany of one id.
 */
export interface RawReadStore extends
  Pick<
    ReadStoreShape,
    "kind" | "getMany" | "checkpoint" | "active" | "acquireLease" | "renewLease" | "releaseLease" | "drop" | "ping"
  >
{
  list(slot: Slot, model: string, index: string, read: IndexRead): Effect.Effect<ListPage, ReadStoreError>
  commit(batch: PreparedBatch): Effect.Effect<void, ReadStoreError>
}

const check = (error: ReadStoreInvalidArgument | undefined): Effect.Effect<void, ReadStoreInvalidArgument> =>
  error === undefined ? Effect.void : Effect.fail(error)

/** The port over an adapter's raw store: every input check runs here, once, before the raw method. */
export const makeReadStore = (raw: RawReadStore): ReadStoreShape => {
  const getMany: ReadStoreShape["getMany"] = Effect.fnUntraced(function*(slot, model, ids) {
    yield* validateRead(slot, model, ids)
    return yield* raw.getMany(slot, model, ids)
  })
  return {
    kind: raw.kind,
    getMany,
    get: (slot, model, id) => Effect.map(getMany(slot, model, [id]), ([doc]) => Option.fromUndefinedOr(doc)),
    list: Effect.fnUntraced(function*(slot, model, index, options) {
      return yield* raw.list(slot, model, index, yield* validateList(slot, model, index, options))
    }),
    checkpoint: (slot) => Effect.andThen(check(checkSlot(slot)), () => raw.checkpoint(slot)),
    active: (projection) => Effect.andThen(check(checkProjectionName(projection)), () => raw.active(projection)),
    commit: Effect.fn("ReadStore.commit")(function*(batch) {
      return yield* raw.commit(yield* prepareBatch(batch))
    }),
    acquireLease: Effect.fn("ReadStore.acquireLease")(function*(name, holder, ttlMillis) {
      yield* check(checkLease(name, holder, ttlMillis))
      return yield* raw.acquireLease(name, holder, ttlMillis)
    }),
    renewLease: Effect.fn("ReadStore.renewLease")(function*(name, holder, ttlMillis) {
      yield* check(checkLease(name, holder, ttlMillis))
      return yield* raw.renewLease(name, holder, ttlMillis)
    }),
    releaseLease: Effect.fn("ReadStore.releaseLease")(function*(name, holder) {
      yield* check(checkLease(name, holder))
      return yield* raw.releaseLease(name, holder)
    }),
    drop: (slot) => Effect.andThen(check(checkSlot(slot)), () => raw.drop(slot)),
    ping: raw.ping
  }
}
