/**
 * Processing progress shared through Redis pub/sub: an API node's SSE shows the percentages of
 * workers in other processes (`npm run worker`). Each process keeps its own hub; an update published
 * here reaches local subscribers at once and goes to the channel, and what other processes publish
 * on the channel goes into the local hub (never twice: messages carry their origin). Best effort, as
 * progress is: while Redis is away, updates only reach this process.
 */
import { Effect, Layer, Option, Schema } from "effect"
import { Redis } from "ioredis"
import { makeProgressHub, ProcessingProgress, type ProgressUpdate, ProgressUpdateSchema } from "../ProcessingProgress.ts"

export interface RedisProgressOptions {
  readonly url: string
  /** The pub/sub channel (e.g. `<READ_STORE_KEY_PREFIX>keyframe:progress`). */
  readonly channel: string
}

const Envelope = Schema.Struct({ origin: Schema.String, update: ProgressUpdateSchema })
const decodeEnvelope = Schema.decodeUnknownOption(Schema.fromJsonString(Envelope))

const connect = (url: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 })
      client.on("error", () => {}) // best effort: a Redis that is away costs only the other processes' updates
      return client
    }),
    (client) => Effect.sync(() => client.disconnect())
  )

export const redisProcessingProgressLayer = (options: RedisProgressOptions): Layer.Layer<ProcessingProgress> =>
  Layer.effect(
    ProcessingProgress,
    Effect.gen(function*() {
      const hub = yield* makeProgressHub
      const origin = crypto.randomUUID()
      const publisher = yield* connect(options.url)
      const subscriber = yield* connect(options.url)
      subscriber.on("message", (_channel: string, message: string) => {
        const envelope = decodeEnvelope(message)
        if (Option.isSome(envelope) && envelope.value.origin !== origin) hub.publishUnsafe(envelope.value.update as ProgressUpdate)
      })
      // ioredis subscribes again by itself after a reconnect; a Redis that is down now only logs.
      yield* Effect.tryPromise(() => subscriber.subscribe(options.channel)).pipe(
        Effect.timeout("3 seconds"),
        Effect.catch((e) => Effect.logWarning(`processing progress: Redis does not answer (${e.message}); updates stay in this process`))
      )
      const share = (update: ProgressUpdate) => {
        publisher.publish(options.channel, JSON.stringify({ origin, update })).catch(() => {})
      }
      return ProcessingProgress.of({
        publish: (update) => Effect.andThen(hub.publish(update), Effect.sync(() => share(update))),
        publishUnsafe: (update) => {
          hub.publishUnsafe(update)
          share(update)
        },
        subscribe: hub.subscribe,
        updates: hub.updates
      })
    })
  )
