/** The event store port on EventStoreDB/KurrentDB (`@kurrent/kurrentdb-client`), EVENTSTORE_URL=kurrentdb://… or esdb://…. */
import { BACKWARDS, END, jsonEvent, KurrentDBClient } from "@kurrent/kurrentdb-client"
import { Effect, Layer, Option, Stream } from "effect"
import { EventStore, type EventStoreShape } from "../EventStore.ts"
import { EventStoreUnavailable, InvalidArgument } from "../EventStoreError.ts"
import type { NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeToAllOptions, SubscribeToStreamOptions } from "../EventStoreTypes.ts"
import {
  validateCheckpointName,
  validateCursor,
  validateAppend,
  validateMaxCount,
  validateStreamName
} from "../EventValidation.ts"
import { appendBatch } from "./KurrentAppend.ts"
import { CHECKPOINT_EVENT_TYPE, checkpointStream, isStreamNotFound, unavailable } from "./KurrentMapping.ts"
import { newestPosition, pingServer, readAllEvents, readStreamEvents, revisionCursor } from "./KurrentReads.ts"
import { subscribeAll, subscribeStream } from "./KurrentSubscriptions.ts"

export interface KurrentOptions {
  /** `kurrentdb://host:2113?tls=false` (also `esdb://`, `kurrent://`, `kdb://`, `+discover` forms). */
  readonly url: string
  /**
   * How many of a stream's newest events an append searches for its ids, to answer a retried
   * append with its first result (default 1000). Retries of older appends are not recognised.
   */
  readonly idempotencyWindow?: number
}

const PING_TIMEOUT = "5 seconds"

const make = (client: KurrentDBClient, options: KurrentOptions): EventStoreShape => {
  const window = options.idempotencyWindow ?? 1000

  const append = Effect.fn("KurrentEventStore.append")(function*(
    stream: string,
    events: ReadonlyArray<NewEvent>,
    appendOptions?: { readonly expectedRevision?: unknown }
  ) {
    const valid = yield* validateAppend(stream, events, appendOptions?.expectedRevision)
    return yield* appendBatch(client, valid.stream, valid.events, valid.expected, window)
  })

  const readStream = Effect.fn("KurrentEventStore.readStream")(function*(stream: string, options?: ReadStreamOptions) {
    const name = yield* validateStreamName(stream)
    const direction = options?.direction === "backwards" ? "backwards" : "forwards"
    const from = yield* validateCursor<"start" | "end">("fromRevision", options?.fromRevision, ["start", "end"])
    const maxCount = yield* validateMaxCount(options?.maxCount)
    return yield* readStreamEvents(client, name, { direction, fromRevision: revisionCursor(from, direction), maxCount })
  })

  const readAll = Effect.fn("KurrentEventStore.readAll")(function*(options?: ReadAllOptions) {
    const direction = options?.direction === "backwards" ? "backwards" : "forwards"
    const fromPosition = yield* validateCursor<"start" | "end">("fromPosition", options?.fromPosition, ["start", "end"])
    const maxCount = yield* validateMaxCount(options?.maxCount)
    return yield* readAllEvents(client, { direction, fromPosition, maxCount, filter: options?.filter })
  })

  const subscribeToAll = (options?: SubscribeToAllOptions) =>
    Stream.unwrap(
      Effect.map(validateCursor<"start" | "end">("after", options?.after, ["start", "end"]), (after) =>
        subscribeAll(client, after, options?.filter))
    )

  const subscribeToStream = (stream: string, options?: SubscribeToStreamOptions) =>
    Stream.unwrap(
      Effect.gen(function*() {
        const name = yield* validateStreamName(stream)
        const after = yield* validateCursor<"start" | "end">("after", options?.after, ["start", "end"])
        return subscribeStream(client, name, after)
      })
    )

  const readCheckpoint = Effect.fn("KurrentEventStore.readCheckpoint")(function*(name: string) {
    const valid = yield* validateCheckpointName(name)
    return yield* Effect.tryPromise({
      try: async () => {
        try {
          for await (const resolved of client.readStream(checkpointStream(valid), { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
            const position = (resolved.event?.data as { position?: unknown } | undefined)?.position
            if (typeof position === "number") return Option.some(position)
          }
        } catch (e) {
          if (!isStreamNotFound(e)) throw e
        }
        return Option.none<number>()
      },
      catch: unavailable("readCheckpoint")
    })
  })

  const storeCheckpoint = Effect.fn("KurrentEventStore.storeCheckpoint")(function*(name: string, position: number) {
    const valid = yield* validateCheckpointName(name)
    if (!Number.isSafeInteger(position) || position < 0) {
      return yield* new InvalidArgument({ argument: "position", reason: "expected a non-negative integer" })
    }
    const stream = checkpointStream(valid)
    yield* Effect.tryPromise({
      try: async () => {
        const result = await client.appendToStream(stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position } }))
        // only the last checkpoint matters: let the server drop the older ones
        if (result.nextExpectedRevision === 0n) await client.setStreamMetadata(stream, { maxCount: 1 })
      },
      catch: unavailable("storeCheckpoint")
    })
  })

  // fails within milliseconds when nobody listens; the timeout covers a server that hangs
  const ping = pingServer(client).pipe(
    Effect.timeoutOrElse({
      duration: PING_TIMEOUT,
      orElse: () => Effect.fail(new EventStoreUnavailable({ reason: `KurrentDB did not answer within ${PING_TIMEOUT}` }))
    }),
    Effect.withSpan("KurrentEventStore.ping")
  )

  return {
    kind: "kurrent",
    append,
    readStream,
    readAll,
    subscribeToAll,
    subscribeToStream,
    headPosition: newestPosition(client),
    readCheckpoint,
    storeCheckpoint,
    ping
  }
}

export class KurrentEventStore {
  /** The client connects lazily: building the layer does not need the server; `ping` tells whether it answers. */
  static layer(options: KurrentOptions): Layer.Layer<EventStore, EventStoreUnavailable> {
    return Layer.effect(
      EventStore,
      Effect.gen(function*() {
        // the client warns on the deprecated esdb:// scheme; both name the same protocol
        const url = options.url.replace(/^esdb(\+discover)?:\/\//, "kurrentdb$1://")
        const client = yield* Effect.acquireRelease(
          Effect.try({
            try: () => KurrentDBClient.connectionString(url),
            catch: (cause) => new EventStoreUnavailable({ reason: `invalid KurrentDB connection string: ${String(cause)}`, cause })
          }),
          (c) => Effect.tryPromise(() => c.dispose()).pipe(Effect.ignore)
        )
        return make(client, options)
      })
    )
  }
}
