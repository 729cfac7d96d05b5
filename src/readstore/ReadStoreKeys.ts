/** The read store port's input checks (run by makeReadStore) and the encodings its adapters share: names, slots, cursors, batches. */
import { Effect, Result } from "effect"
import * as Base64Url from "effect/encoding/Base64Url"
import { ReadStoreInvalidArgument } from "./ReadStoreError.ts"
import type { CommitBatch, ListOptions, Slot, Write } from "./ReadStoreTypes.ts"

const PROJECTION_NAME = /^[a-z][A-Za-z0-9_-]{0,63}$/
const MODEL_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/
const MAX_ID_LENGTH = 512
export const MAX_LIST_LIMIT = 1000

const invalid = (argument: string, reason: string) => new ReadStoreInvalidArgument({ argument, reason })
const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0

/** `<projection>:v<version>` or `<projection>:v<version>.<generation>`: the slot's key segment. */
export const slotSegment = (slot: Slot): string =>
  slot.generation === 0 ? `${slot.projection}:v${slot.version}` : `${slot.projection}:v${slot.version}.${slot.generation}`

export const checkProjectionName = (name: unknown): ReadStoreInvalidArgument | undefined =>
  typeof name === "string" && PROJECTION_NAME.test(name)
    ? undefined
    : invalid("projection", "expected [a-z][A-Za-z0-9_-]*, at most 64 characters")

const LEASE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/

/** A lease names what it guards, e.g. a slot's segment ("videos:v1.2"); holders are opaque ids. */
export const checkLease = (name: unknown, holder: unknown, ttlMillis?: unknown): ReadStoreInvalidArgument | undefined =>
  typeof name !== "string" || !LEASE_NAME.test(name)
    ? invalid("lease", "expected [A-Za-z0-9][A-Za-z0-9_.:-]*, at most 200 characters")
    : typeof holder !== "string" || holder.length === 0 || holder.length > MAX_ID_LENGTH
    ? invalid("holder", `expected a string of 1–${MAX_ID_LENGTH} characters`)
    : ttlMillis !== undefined && !(isCount(ttlMillis) && ttlMillis > 0)
    ? invalid("ttl", "expected a positive integer of milliseconds")
    : undefined

export const checkSlot = (slot: Slot): ReadStoreInvalidArgument | undefined =>
  checkProjectionName(slot?.projection) ??
    (isCount(slot.version) && isCount(slot.generation)
      ? undefined
      : invalid("slot", "version and generation must be non-negative integers"))

/** Model and index names seen valid; there are few, and batches repeat them thousands of times. */
const validNames = new Set<string>()
const checkName = (argument: string, name: unknown): ReadStoreInvalidArgument | undefined => {
  if (typeof name === "string" && (validNames.has(name) || MODEL_NAME.test(name))) {
    if (validNames.size < 10_000) validNames.add(name)
    return undefined
  }
  return invalid(argument, "expected [A-Za-z][A-Za-z0-9_-]*, at most 64 characters")
}

const checkId = (argument: string, id: unknown, allowEmpty = false): ReadStoreInvalidArgument | undefined =>
  typeof id === "string" && (allowEmpty || id.length > 0) && id.length <= MAX_ID_LENGTH
    ? undefined
    : invalid(argument, `expected a string of ${allowEmpty ? 0 : 1}–${MAX_ID_LENGTH} characters`)

export const validateRead = (slot: Slot, model: string, ids: ReadonlyArray<string>) => {
  const error = checkSlot(slot) ?? checkName("model", model) ?? ids.map((id) => checkId("id", id)).find(Boolean)
  return error ? Effect.fail(error) : Effect.void
}

/** list's options as the raw store gets them: checked, the partition "" unless given, the cursor decoded. */
export interface IndexRead {
  readonly value: string
  readonly cursor: Cursor | undefined
  readonly limit: number
  readonly order: "asc" | "desc"
}

export const validateList = (
  slot: Slot,
  model: string,
  index: string,
  options: ListOptions
): Effect.Effect<IndexRead, ReadStoreInvalidArgument> => {
  const value = options.value ?? ""
  const error = checkSlot(slot) ?? checkName("model", model) ?? checkName("index", index) ??
    checkId("value", value, true) ??
    (Number.isSafeInteger(options.limit) && options.limit >= 1 && options.limit <= MAX_LIST_LIMIT
      ? undefined
      : invalid("limit", `expected an integer from 1 to ${MAX_LIST_LIMIT}`)) ??
    (options.order === "asc" || options.order === "desc" ? undefined : invalid("order", `expected "asc" or "desc"`))
  if (error) return Effect.fail(error)
  const read = { value, limit: options.limit, order: options.order }
  if (options.cursor === undefined) return Effect.succeed({ ...read, cursor: undefined })
  const cursor = decodeCursor(options.cursor)
  return cursor ? Effect.succeed({ ...read, cursor }) : Effect.fail(invalid("cursor", "not a cursor from this index"))
}

/** A write whose document is already JSON text. */
export type PreparedWrite = Exclude<Write, { _tag: "Put" }> | { readonly _tag: "Put"; readonly model: string; readonly id: string; readonly json: string }

/** A commit as the raw store gets it: checked whole, documents already JSON text, so applying it cannot fail halfway. */
export interface PreparedBatch extends Omit<CommitBatch, "writes"> {
  readonly writes: ReadonlyArray<PreparedWrite>
}

/** Validates a whole batch and JSON-encodes its documents. */
export const prepareBatch = (batch: CommitBatch): Effect.Effect<PreparedBatch, ReadStoreInvalidArgument> =>
  Effect.map(prepareWrites(batch), (writes) => ({ ...batch, writes }))

const prepareWrites = (batch: CommitBatch): Effect.Effect<ReadonlyArray<PreparedWrite>, ReadStoreInvalidArgument> => {
  const slotError = checkSlot(batch.slot)
  if (slotError) return Effect.fail(slotError)
  if (batch.checkpoint !== undefined && !isCount(batch.checkpoint)) {
    return Effect.fail(invalid("checkpoint", "expected a non-negative integer"))
  }
  if (batch.after !== undefined && !isCount(batch.after)) return Effect.fail(invalid("after", "expected a non-negative integer"))
  const out: Array<PreparedWrite> = new Array(batch.writes.length)
  for (let i = 0; i < batch.writes.length; i++) {
    const w = batch.writes[i]!
    const error = checkName(`writes[${i}].model`, w.model) ?? checkId(`writes[${i}].id`, w.id)
    if (error) return Effect.fail(error)
    switch (w._tag) {
      case "Put": {
        let json: string | undefined
        try {
          json = JSON.stringify(w.doc)
        } catch (e) {
          return Effect.fail(invalid(`writes[${i}].doc`, `not JSON: ${String(e)}`))
        }
        if (typeof json !== "string") return Effect.fail(invalid(`writes[${i}].doc`, "not JSON"))
        out[i] = { _tag: "Put", model: w.model, id: w.id, json }
        break
      }
      case "Delete":
        out[i] = w
        break
      case "IndexAdd":
      case "IndexRemove": {
        const e = checkName(`writes[${i}].index`, w.index) ?? checkId(`writes[${i}].value`, w.value, true) ??
          (w._tag === "IndexAdd" && !Number.isFinite(w.score) ? invalid(`writes[${i}].score`, "expected a finite number") : undefined)
        if (e) return Effect.fail(e)
        out[i] = w
        break
      }
      default:
        return Effect.fail(invalid(`writes[${i}]`, "unknown write"))
    }
  }
  return Effect.succeed(out)
}

export interface Cursor {
  readonly score: number
  readonly id: string
}

const decoder = new TextDecoder("utf-8", { fatal: true })

/** base64url of `<score>:<id>`, unpadded. */
export const encodeCursor = (cursor: Cursor): string => Base64Url.encode(`${cursor.score}:${cursor.id}`)

export const decodeCursor = (text: string): Cursor | undefined => {
  const bytes = Base64Url.decode(text)
  if (Result.isFailure(bytes)) return undefined
  try {
    const plain = decoder.decode(bytes.success)
    const colon = plain.indexOf(":")
    const score = Number(plain.slice(0, colon))
    const id = plain.slice(colon + 1)
    return colon > 0 && Number.isFinite(score) && id.length > 0 ? { score, id } : undefined
  } catch {
    return undefined
  }
}

/** Order of index entries: by score, ties by id (byte order for ASCII ids, as Redis does). */
export const compareEntries = (aScore: number, aId: string, bScore: number, bId: string): number =>
  aScore !== bScore ? aScore - bScore : aId < bId ? -1 : aId > bId ? 1 : 0
