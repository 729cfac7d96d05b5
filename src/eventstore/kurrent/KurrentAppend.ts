/**
 * Appending to KurrentDB with the port's guarantees: the hash chain is computed against the stream's
 * actual head and appended at that exact revision (so the chain never forks, even for "any"), and a
 * retried append is recognised by its event ids and answered with what was recorded the first time.
 */
import { END, type EventData, jsonEvent, type KurrentDBClient, NO_STREAM } from "@kurrent/kurrentdb-client"
import { Effect } from "effect"
import {
  DuplicateEventId,
  type EventStoreError,
  EventStoreUnavailable,
  InvalidEvent,
  WrongExpectedRevision
} from "../EventStoreError.ts"
import type { AppendResult, ExpectedRevision, RecordedEvent } from "../EventStoreTypes.ts"
import type { ValidatedEvent } from "../EventValidation.ts"
import { chainMetadata, GENESIS_HASH } from "../HashChain.ts"
import { isAppendTooLarge, isWrongExpectedVersion, storedMetadata, unavailable } from "./KurrentMapping.ts"
import { readStreamEvents } from "./KurrentReads.ts"

/** Appends that lose the race for the head are retried this many times before giving up. */
const MAX_ATTEMPTS = 30

interface Tail {
  readonly head: RecordedEvent | undefined
  readonly found: ReadonlyMap<string, RecordedEvent>
}

/**
 * Reads the stream backwards from its head, looking for the batch's ids among the last `window`
 * events. KurrentDB has no index by event id (its own duplicate check is a best-effort cache, and
 * it does not apply to the exact-revision appends the chain needs), so a retry is recognised here.
 */
const scanTail = (
  client: KurrentDBClient,
  stream: string,
  wanted: ReadonlySet<string>,
  window: number
): Effect.Effect<Tail, EventStoreUnavailable> =>
  Effect.gen(function*() {
    const found = new Map<string, RecordedEvent>()
    let head: RecordedEvent | undefined
    let from: bigint | typeof END = END
    let scanned = 0
    while (true) {
      const pageSize = Math.max(1, Math.min(scanned === 0 ? 20 : 200, window - scanned))
      const page = yield* readStreamEvents(client, stream, { direction: "backwards", fromRevision: from, maxCount: pageSize })
      if (page.length === 0) break
      head ??= page[0]
      for (const event of page) if (wanted.has(event.id)) found.set(event.id, event)
      scanned += page.length
      const oldest = page[page.length - 1]!
      if (found.size === wanted.size || scanned >= window || oldest.revision === 0) break
      from = BigInt(oldest.revision - 1)
    }
    return { head, found }
  })

const matches = (expected: ExpectedRevision, actual: number | "no_stream"): boolean =>
  expected === "any" ||
  (expected === "no_stream" && actual === "no_stream") ||
  (expected === "stream_exists" && actual !== "no_stream") ||
  expected === actual

const resultOf = (events: ReadonlyArray<RecordedEvent>): AppendResult => {
  const last = events[events.length - 1]!
  return { events, nextRevision: last.revision, position: Math.max(...events.map((e) => e.position)) }
}

type Attempt = { readonly _tag: "Done"; readonly result: AppendResult } | { readonly _tag: "Conflict" }

/** One try: read the tail, decide, append at the head's exact revision, read back what was recorded. */
const attempt = (
  client: KurrentDBClient,
  stream: string,
  batch: ReadonlyArray<ValidatedEvent>,
  expected: ExpectedRevision,
  window: number
): Effect.Effect<Attempt, EventStoreError> =>
  Effect.gen(function*() {
    const tail = yield* scanTail(client, stream, new Set(batch.map((e) => e.id)), window)
    const seen = batch.filter((e) => tail.found.has(e.id))
    if (seen.length === batch.length) {
      return { _tag: "Done", result: resultOf(batch.map((e) => tail.found.get(e.id)!)) } as const
    }
    if (seen.length > 0) return yield* new DuplicateEventId({ stream, eventId: seen[0]!.id })
    const actual = tail.head?.revision ?? "no_stream"
    if (!matches(expected, actual)) return yield* new WrongExpectedRevision({ stream, expected, actual })

    const now = new Date().toISOString()
    let prevHash = tail.head?.metadata.hash ?? GENESIS_HASH
    const proposed: Array<EventData> = []
    for (const event of batch) {
      const metadata = yield* chainMetadata(prevHash, event.type, event.data, {
        ...event.metadata,
        occurredAt: event.metadata.occurredAt ?? now
      })
      prevHash = metadata.hash
      // the client serializes `data` with JSON.stringify, so any JSON value (not only objects) goes through
      proposed.push(jsonEvent({ id: event.id, type: event.type, data: event.data as never, metadata: storedMetadata(metadata) }))
    }
    const written = yield* Effect.tryPromise({
      try: () =>
        client.appendToStream(stream, proposed, { streamState: actual === "no_stream" ? NO_STREAM : BigInt(actual) })
          .then(() => true, (e: unknown) => (isWrongExpectedVersion(e) ? false : Promise.reject(e))),
      catch: (cause) =>
        isAppendTooLarge(cause)
          ? new InvalidEvent({ index: 0, reason: `the append is larger than the server accepts: ${String(cause)}` })
          : unavailable("append")(cause)
    })
    if (!written) return { _tag: "Conflict" } as const
    const first = actual === "no_stream" ? 0 : actual + 1
    const recorded = yield* readStreamEvents(client, stream, {
      direction: "forwards",
      fromRevision: BigInt(first),
      maxCount: batch.length
    })
    if (recorded.length !== batch.length || recorded.some((e, i) => e.id !== batch[i]!.id)) {
      return yield* new EventStoreUnavailable({ reason: `KurrentDB append to ${stream}: the events read back differ from those written` })
    }
    return { _tag: "Done", result: resultOf(recorded) } as const
  })

/**
 * Appends a validated batch. Losing the race for the head (someone appended between our read and
 * our write) retries from the read: the next pass sees the new head and either appends after it
 * (any / stream_exists), answers a concurrent duplicate of this very batch, or reports the
 * caller's exact expectation as wrong.
 */
export const appendBatch = (
  client: KurrentDBClient,
  stream: string,
  batch: ReadonlyArray<ValidatedEvent>,
  expected: ExpectedRevision,
  window: number
): Effect.Effect<AppendResult, EventStoreError> =>
  Effect.gen(function*() {
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const outcome = yield* attempt(client, stream, batch, expected, window)
      if (outcome._tag === "Done") return outcome.result
      yield* Effect.sleep(Math.floor(Math.random() * 10 * n))
    }
    return yield* new EventStoreUnavailable({
      reason: `KurrentDB append to ${stream}: the stream's head kept moving (${MAX_ATTEMPTS} attempts)`
    })
  })
