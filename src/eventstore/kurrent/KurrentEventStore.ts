/** The event store port on EventStoreDB/KurrentDB (`@kurrent/kurrentdb-client`), EVENTSTORE_URL=kurrentdb://… or esdb://…. */
import { BACKWARDS, END, jsonEvent, KurrentDBClient } from "@kurrent/kurrentdb-client"
import { Effect, Layer, Option } from "effect"
import { EventStore, makeEventStore, type RawEventStore } from "../EventStore.ts"
import { EventStoreUnavailable } from "../EventStoreError.ts"
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

/** Inputs arrive checked, defaults filled in (makeEventStore). */
const make = (client: KurrentDBClient, options: KurrentOptions): RawEventStore => {
  const window = options.idempotencyWindow ?? 1000

  const readCheckpoint = (name: string) =>
    Effect.tryPromise({
      try: async () => {
        try {
          for await (const resolved of client.readStream(checkpointStream(name), { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
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

  const storeCheckpoint = (name: string, position: number) => {
    const stream = checkpointStream(name)
    return Effect.tryPromise({
      try: async () => {
        const result = await client.appendToStream(stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position } }))
        // only the last checkpoint matters: let the server drop the older ones
        if (result.nextExpectedRevision === 0n) await client.setStreamMetadata(stream, { maxCount: 1 })
      },
      catch: unavailable("storeCheckpoint")
    })
  }

  // fails within milliseconds when nobody listens; the timeout covers a server that hangs
  const ping = pingServer(client).pipe(
    Effect.timeoutOrElse({
      duration: PING_TIMEOUT,
      orElse: () => Effect.fail(new EventStoreUnavailable({ reason: `KurrentDB did not answer within ${PING_TIMEOUT}` }))
    })
  )

  return {
    kind: "kurrent",
    append: (request) => appendBatch(client, request.stream, request.events, request.expected, window),
    readStream: (stream, read) =>
      readStreamEvents(client, stream, { direction: read.direction, fromRevision: revisionCursor(read.from), maxCount: read.maxCount }),
    readAll: (read) => readAllEvents(client, read),
    subscribeToAll: ({ after, filter }) => subscribeAll(client, after, filter),
    subscribeToStream: (stream, after) => subscribeStream(client, stream, after),
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
        return makeEventStore(make(client, options))
      })
    )
  }
}
