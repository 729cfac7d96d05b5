/** The event store port's input checks (run by makeEventStore), so bad input fails the same way on every adapter and writes nothing. */
import { Effect } from "effect"
import { InvalidArgument, InvalidEvent, InvalidStreamName } from "./EventStoreError.ts"
import type { Direction, EventFilter, ExpectedRevision, JsonValue, NewEvent, ReadCursor } from "./EventStoreTypes.ts"

/** Largest event (data + metadata as UTF-8 JSON). */
export const MAX_EVENT_BYTES = 1024 * 1024

const STREAM_NAME = /^[a-z][a-z0-9_]*-[A-Za-z0-9][A-Za-z0-9_.:@-]*$/
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]*$/
const CHECKPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_NAME_LENGTH = 200

export const validateStreamName = (stream: unknown): Effect.Effect<string, InvalidStreamName> => {
  if (typeof stream !== "string" || stream.length === 0) {
    return Effect.fail(new InvalidStreamName({ stream: String(stream ?? ""), reason: "empty" }))
  }
  if (stream.length > MAX_NAME_LENGTH) {
    return Effect.fail(new InvalidStreamName({ stream, reason: `longer than ${MAX_NAME_LENGTH} characters` }))
  }
  if (!STREAM_NAME.test(stream)) {
    return Effect.fail(
      new InvalidStreamName({ stream, reason: "expected <category>-<id>: a lower-case category, a dash, an id" })
    )
  }
  return Effect.succeed(stream)
}

export const categoryOf = (stream: string): string => stream.slice(0, stream.indexOf("-"))

const isNonNegativeInteger = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0

export const validateExpectedRevision = (
  expected: unknown
): Effect.Effect<ExpectedRevision, InvalidArgument> =>
  expected === "any" || expected === "no_stream" || expected === "stream_exists" || isNonNegativeInteger(expected)
    ? Effect.succeed(expected)
    : Effect.fail(
      new InvalidArgument({
        argument: "expectedRevision",
        reason: `expected "any", "no_stream", "stream_exists" or a non-negative integer, got ${String(expected)}`
      })
    )

/** A revision or position argument: a non-negative integer or one of the given words. */
export const validateCursor = <W extends string>(
  argument: string,
  value: unknown,
  words: ReadonlyArray<W>
): Effect.Effect<number | W | undefined, InvalidArgument> =>
  value === undefined || isNonNegativeInteger(value) || (typeof value === "string" && words.includes(value as W))
    ? Effect.succeed(value as number | W | undefined)
    : Effect.fail(new InvalidArgument({ argument, reason: `expected a non-negative integer or ${words.join("/")}` }))

/** A read's cursor with the direction's default filled in: from the start forwards, from the end backwards. */
export const validateReadFrom = (
  argument: string,
  value: unknown,
  direction: Direction
): Effect.Effect<ReadCursor, InvalidArgument> =>
  Effect.map(validateCursor(argument, value, READ_WORDS), (from) => from ?? (direction === "forwards" ? "start" : "end"))

/** A subscription's cursor: from the start unless given. */
export const validateAfter = (value: unknown): Effect.Effect<ReadCursor, InvalidArgument> =>
  Effect.map(validateCursor("after", value, READ_WORDS), (after) => after ?? "start")

const READ_WORDS: ReadonlyArray<"start" | "end"> = ["start", "end"]

export const validateDirection = (value: unknown): Effect.Effect<Direction, InvalidArgument> =>
  value === undefined || value === "forwards" || value === "backwards"
    ? Effect.succeed(value ?? "forwards")
    : Effect.fail(new InvalidArgument({ argument: "direction", reason: "expected forwards or backwards" }))

/** A checkpoint's position: required, a non-negative integer. */
export const validatePosition = (value: unknown): Effect.Effect<number, InvalidArgument> =>
  isNonNegativeInteger(value)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidArgument({ argument: "position", reason: "expected a non-negative integer" }))

export const validateMaxCount = (value: unknown): Effect.Effect<number | undefined, InvalidArgument> =>
  value === undefined || (isNonNegativeInteger(value) && value > 0)
    ? Effect.succeed(value as number | undefined)
    : Effect.fail(new InvalidArgument({ argument: "maxCount", reason: "expected a positive integer" }))

export const validateCheckpointName = (name: unknown): Effect.Effect<string, InvalidArgument> =>
  typeof name === "string" && name.length <= MAX_NAME_LENGTH && CHECKPOINT_NAME.test(name)
    ? Effect.succeed(name)
    : Effect.fail(new InvalidArgument({ argument: "checkpoint", reason: "expected [A-Za-z0-9_.:-], 1–200 characters" }))

/** A filter's parts must be arrays of non-empty strings; an empty array constrains nothing. */
export const validateFilter = (filter: unknown): Effect.Effect<EventFilter | undefined, InvalidArgument> => {
  if (filter === undefined) return Effect.succeed(undefined)
  const list = (name: string, value: unknown) =>
    value === undefined ||
      (Array.isArray(value) && value.every((v) => typeof v === "string" && v.length > 0 && toJsonValue(v).ok))
      ? undefined
      : new InvalidArgument({ argument: `filter.${name}`, reason: "expected an array of non-empty strings (no NUL, valid Unicode)" })
  if (typeof filter !== "object" || filter === null) {
    return Effect.fail(new InvalidArgument({ argument: "filter", reason: "expected an object" }))
  }
  const f = filter as EventFilter
  const bad = list("streamPrefixes", f.streamPrefixes) ?? list("eventTypes", f.eventTypes)
  return bad ? Effect.fail(bad) : Effect.succeed(f)
}

/**
 * Returns the value as plain JSON, or the path of the first part that is not JSON:
 * undefined (except as an object property, which JSON drops), functions, symbols,
 * bigints, non-finite numbers, NUL characters, class instances (Date included), cycles.
 */
export const toJsonValue = (value: unknown): { ok: true; value: JsonValue } | { ok: false; reason: string } => {
  const seen = new Set<object>()
  const walk = (v: unknown, path: string): JsonValue => {
    switch (typeof v) {
      case "string":
        if (v.includes("\u0000")) throw new NotJson(`${path} contains a NUL character`)
        if (LONE_SURROGATE.test(v)) throw new NotJson(`${path} contains a lone UTF-16 surrogate (not valid Unicode)`)
        return v
      case "boolean":
        return v
      case "number":
        if (!Number.isFinite(v)) throw new NotJson(`${path} is ${v}`)
        return v
      case "object": {
        if (v === null) return null
        if (seen.has(v)) throw new NotJson(`${path} is a cycle`)
        seen.add(v)
        let out: JsonValue
        if (Array.isArray(v)) {
          out = v.map((item, i) => {
            if (item === undefined) throw new NotJson(`${path}[${i}] is undefined`)
            return walk(item, `${path}[${i}]`)
          })
        } else {
          const proto = Object.getPrototypeOf(v)
          if (proto !== Object.prototype && proto !== null) {
            throw new NotJson(`${path} is a ${proto?.constructor?.name ?? "class"} instance, not a plain object`)
          }
          const obj: Record<string, JsonValue> = {}
          for (const [k, item] of Object.entries(v)) {
            if (item === undefined) continue
            if (k.includes("\u0000")) throw new NotJson(`${path} has a key with a NUL character`)
            if (LONE_SURROGATE.test(k)) throw new NotJson(`${path} has a key with a lone UTF-16 surrogate`)
            obj[k] = walk(item, `${path}.${k}`)
          }
          out = obj
        }
        seen.delete(v)
        return out
      }
      default:
        throw new NotJson(`${path} is ${v === undefined ? "undefined" : `a ${typeof v}`}`)
    }
  }
  try {
    return { ok: true, value: walk(value, "data") }
  } catch (e) {
    if (e instanceof NotJson) return { ok: false, reason: `not JSON-serializable: ${e.message}` }
    throw e
  }
}
class NotJson extends Error {}
/** Half of a surrogate pair on its own: no UTF-8 encoding exists, PostgreSQL's json rejects it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export interface ValidatedEvent {
  readonly id: string
  readonly type: string
  readonly data: JsonValue
  readonly metadata: {
    readonly correlationId?: string
    readonly causationId?: string
    readonly userId?: string
    readonly occurredAt?: string
    readonly schemaVersion: number
  }
}

const optionalString = (index: number, name: string, v: unknown): Effect.Effect<string | undefined, InvalidEvent> =>
  v === undefined || (typeof v === "string" && v.length <= 512 && !v.includes("\u0000") && !LONE_SURROGATE.test(v))
    ? Effect.succeed(v as string | undefined)
    : Effect.fail(new InvalidEvent({ index, reason: `metadata.${name} must be a string of at most 512 characters` }))

/** Checks one batch of events; ids are generated where absent (web-standard crypto). */
export const validateEvents = (events: unknown): Effect.Effect<ReadonlyArray<ValidatedEvent>, InvalidEvent> =>
  Effect.gen(function*() {
    if (!Array.isArray(events) || events.length === 0) {
      return yield* new InvalidEvent({ index: 0, reason: "an append needs at least one event" })
    }
    const out: Array<ValidatedEvent> = []
    const ids = new Set<string>()
    for (let index = 0; index < events.length; index++) {
      const e = events[index] as Partial<NewEvent> | null
      if (e === null || typeof e !== "object") return yield* new InvalidEvent({ index, reason: "not an object" })
      if (typeof e.type !== "string" || e.type.length > 128 || !EVENT_TYPE.test(e.type)) {
        return yield* new InvalidEvent({ index, reason: "type must match [A-Za-z][A-Za-z0-9_.:-]*, at most 128 characters" })
      }
      const id = e.id ?? crypto.randomUUID()
      if (typeof id !== "string" || !UUID.test(id)) return yield* new InvalidEvent({ index, reason: "id must be a UUID" })
      const lowerId = id.toLowerCase()
      if (ids.has(lowerId)) return yield* new InvalidEvent({ index, reason: `id ${id} appears twice in one append` })
      ids.add(lowerId)
      const json = toJsonValue(e.data)
      if (!json.ok) return yield* new InvalidEvent({ index, reason: json.reason })
      const m = (e.metadata ?? {}) as Record<string, unknown>
      if (typeof m !== "object" || m === null) return yield* new InvalidEvent({ index, reason: "metadata must be an object" })
      const correlationId = yield* optionalString(index, "correlationId", m.correlationId)
      const causationId = yield* optionalString(index, "causationId", m.causationId)
      const userId = yield* optionalString(index, "userId", m.userId)
      const occurredAt = yield* optionalString(index, "occurredAt", m.occurredAt)
      if (occurredAt !== undefined && Number.isNaN(Date.parse(occurredAt))) {
        return yield* new InvalidEvent({ index, reason: "metadata.occurredAt must be an ISO-8601 time" })
      }
      const schemaVersion = m.schemaVersion ?? 1
      if (!isNonNegativeInteger(schemaVersion) || schemaVersion < 1) {
        return yield* new InvalidEvent({ index, reason: "metadata.schemaVersion must be a positive integer" })
      }
      const size = jsonBytes(JSON.stringify(json.value), JSON.stringify(m))
      if (size > MAX_EVENT_BYTES) {
        return yield* new InvalidEvent({ index, reason: `event is ${size} bytes, over the ${MAX_EVENT_BYTES}-byte limit` })
      }
      out.push({
        id: lowerId,
        type: e.type,
        data: json.value,
        metadata: {
          ...(correlationId !== undefined && { correlationId }),
          ...(causationId !== undefined && { causationId }),
          ...(userId !== undefined && { userId }),
          ...(occurredAt !== undefined && { occurredAt: new Date(occurredAt).toISOString() }),
          schemaVersion
        }
      })
    }
    return out
  })

const encoder = new TextEncoder()
const utf8Length = (s: string): number => encoder.encode(s).length
/** UTF-8 size of the two texts; exact only when it may matter (a UTF-16 unit is at most 3 bytes). */
const jsonBytes = (a: string, b: string): number =>
  (a.length + b.length) * 3 <= MAX_EVENT_BYTES ? a.length + b.length : utf8Length(a) + utf8Length(b)

/** An append as the raw store gets it: every part checked, ids lower-cased or generated. */
export interface ValidAppend {
  readonly stream: string
  readonly expected: ExpectedRevision
  readonly events: ReadonlyArray<ValidatedEvent>
}

/** Everything an append takes, checked in the port's order (stream, expected revision, events). */
export const validateAppend = (
  stream: unknown,
  events: unknown,
  expectedRevision: unknown
): Effect.Effect<ValidAppend, InvalidStreamName | InvalidArgument | InvalidEvent> =>
  Effect.gen(function*() {
    const name = yield* validateStreamName(stream)
    const expected = yield* validateExpectedRevision(expectedRevision ?? "any")
    return { stream: name, expected, events: yield* validateEvents(events) }
  })
