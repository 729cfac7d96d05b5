/**
 * Processing progress shared through Redis pub/sub: an API node's SSE shows the percentages of
 * workers in other processes (`npm run worker`). Each process keeps its own hub; an update published
 * here reaches local subscribers at once and goes to the channel, and what other processes publish
 * on the channel goes into the local hub (never twice: messages carry their origin). Best effort, as
 * progress is: while Redis is away, updates only reach this process.
 */
import { Effect, Layer, Option, Schema } from "effect"
import { Redis } from "../../redis/Redis.ts"
import { makeProgressHub, ProcessingProgress, type ProgressUpdate, ProgressUpdateSchema } from "../ProcessingProgress.ts"

export interface RedisProgressOptions {
  /** The pub/sub channel (e.g. `<READ_STORE_KEY_PREFIX>keyframe:progress`). */
  readonly channel: string
}

const Envelope = Schema.Struct({ origin: Schema.String, update: ProgressUpdateSchema })
const decodeEnvelope = Schema.decodeUnknownOption(Schema.fromJsonString(Envelope))

export class RedisProcessingProgress {
  /** Publishes on the process's Redis connection, and subscribes with a connection of its own (src/redis/Redis.ts). */
  static layer(options: RedisProgressOptions): Layer.Layer<ProcessingProgress, never, Redis> {
    return Layer.effect(
      ProcessingProgress,
      Effect.gen(function*() {
        const redis = yield* Redis
        const hub = yield* makeProgressHub
        const origin = crypto.randomUUID()
        // ioredis subscribes again by itself after a reconnect; a Redis that is down now only logs.
        yield* redis.subscribe(options.channel, (message) => {
          const envelope = decodeEnvelope(message)
          if (Option.isSome(envelope) && envelope.value.origin !== origin) hub.publishUnsafe(envelope.value.update as ProgressUpdate)
        }).pipe(
          Effect.catch((e) => Effect.logWarning(`processing progress: Redis does not answer (${e.reason}); updates stay in this process`))
        )
        // best effort: a Redis that is away costs only the other processes' updates
        const share = (update: ProgressUpdate) => {
          redis.client.publish(options.channel, JSON.stringify({ origin, update })).catch(() => {})
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
  }
}
