/** Framework-neutral helpers for the event store contract cases (they run under vitest and Deno alike). */
import assert from "node:assert/strict"
import { Effect, Option, Result, Stream } from "effect"
import type { EventStoreShape } from "../../../src/eventstore/EventStore.ts"
import type { EventMetadataInput, NewEvent, RecordedEvent } from "../../../src/eventstore/EventStoreTypes.ts"

/** One contract case: it gets a store shared with every other case, so it only uses names it made up. */
export interface ContractCase {
  readonly name: string
  readonly run: (store: EventStoreShape) => Promise<void>
}

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

const describe = (value: unknown): string => {
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text
  } catch {
    return String(value)
  }
}

/** Runs an effect that must fail with the typed error `tag`; returns that error for further checks. */
export const expectFailure = async <A, E, T extends string>(
  effect: Effect.Effect<A, E>,
  tag: T,
  what = ""
): Promise<Extract<E, { readonly _tag: T }>> => {
  const result = await Effect.runPromise(Effect.result(effect))
  const label = what === "" ? "" : ` (${what})`
  if (Result.isSuccess(result)) {
    assert.fail(`expected a ${tag} failure${label}, but it succeeded with ${describe(result.success)}`)
  }
  const failure = result.failure as { readonly _tag?: string; readonly message?: string }
  assert.equal(failure._tag, tag, `expected a ${tag} failure${label}, got ${failure._tag}: ${failure.message ?? ""}`)
  return result.failure as Extract<E, { readonly _tag: T }>
}

/** Like expectFailure, for a stream that must fail before (or instead of) emitting anything. */
export const expectStreamFailure = <A, E, T extends string>(stream: Stream.Stream<A, E>, tag: T, what = "") =>
  expectFailure(
    stream.pipe(
      Stream.take(1),
      Stream.runCollect,
      Effect.timeoutOrElse({
        duration: "5 seconds",
        orElse: () => Effect.fail({ _tag: "Timeout", message: "the stream neither failed nor ended within 5 s" })
      })
    ),
    tag,
    what
  )

const hex = (length: number): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, length)
}

/** A category no other case (or earlier run against the same server) uses: lower-case, starts with a letter. */
export const uniqueCategory = (): string => `c${hex(12)}`
export const streamIn = (category: string): string => `${category}-${crypto.randomUUID()}`
export const uniqueStream = (): string => streamIn(uniqueCategory())
/** An event type no other case uses. */
export const uniqueType = (label = "Happened"): string => `${label}${hex(10)}`
export const uniqueCheckpoint = (): string => `consumer-${hex(12)}`

export const newEvent = (type: string, data: unknown = { n: 0 }, metadata?: EventMetadataInput): NewEvent => ({
  id: crypto.randomUUID(),
  type,
  data,
  ...(metadata !== undefined && { metadata })
})

/** `count` events of one type with data {n: i}. */
export const events = (type: string, count: number, from = 0): Array<NewEvent> =>
  Array.from({ length: count }, (_, i) => newEvent(type, { n: from + i }))

export const ids = (list: ReadonlyArray<{ readonly id?: string | undefined }>): Array<string | undefined> =>
  list.map((e) => e.id?.toLowerCase())

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export const assertStrictlyIncreasing = (values: ReadonlyArray<number>, what: string): void => {
  for (let i = 1; i < values.length; i++) {
    assert.ok(values[i]! > values[i - 1]!, `${what} must strictly increase, got ${values.join(", ")}`)
  }
}

export const assertIsoTime = (value: unknown, what: string): void => {
  assert.equal(typeof value, "string", `${what} must be an ISO-8601 string`)
  assert.ok(!Number.isNaN(Date.parse(value as string)), `${what} must parse as a time, got ${String(value)}`)
}

/** Strips nothing, but gives assert.deepEqual plain objects whatever class an adapter returned. */
export const plain = <A>(value: A): A => JSON.parse(JSON.stringify(value)) as A

/**
 * Takes `count` events from a subscription. `onEach` runs after each event is received (and the
 * stream waits for it), so a case can write "live" events once the history was delivered.
 * A missing event fails the case after `timeoutMs` instead of hanging it.
 */
export const collect = async <E>(
  stream: Stream.Stream<RecordedEvent, E>,
  count: number,
  options: {
    readonly timeoutMs?: number
    readonly onEach?: (event: RecordedEvent, index: number) => Promise<void> | void
    readonly what?: string
  } = {}
): Promise<Array<RecordedEvent>> => {
  const received: Array<RecordedEvent> = []
  const timeoutMs = options.timeoutMs ?? 15_000
  const outcome = await run(
    stream.pipe(
      Stream.take(count),
      Stream.runForEach((event) =>
        Effect.promise(async () => {
          received.push(event)
          await options.onEach?.(event, received.length - 1)
        })
      ),
      Effect.timeoutOption(timeoutMs)
    )
  )
  if (Option.isNone(outcome)) {
    assert.fail(
      `${options.what ?? "subscription"}: received ${received.length} of ${count} events within ${timeoutMs} ms ` +
        `(got ${received.map((e) => `${e.stream}@${e.revision}#${e.position}`).join(", ")})`
    )
  }
  return received
}

/** Reads the whole stream forwards. */
export const readAllOf = (store: EventStoreShape, stream: string): Promise<ReadonlyArray<RecordedEvent>> =>
  run(store.readStream(stream))
