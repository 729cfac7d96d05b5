/**
 * The process's Redis, and the only module that constructs ioredis clients: one command connection
 * shared by the read store, the rate limiter, the progress channel and room presence (Redis runs one
 * command at a time anyway; ioredis pipelines what they send), and one connection per pub/sub
 * subscription (a subscribed connection takes no other command).
 */
import { Context, Data, Duration, Effect, Layer, type Scope } from "effect"
import { Redis as IoRedis, type RedisOptions as IoRedisOptions } from "ioredis"

export interface RedisOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly url: string
  /** How long the layer waits for the first connection (default 3 s); past it the process starts without Redis. */
  readonly connectWait?: Duration.Input | undefined
}

/** Redis refused, or did not answer in time. */
export class RedisUnavailable extends Data.TaggedError("RedisUnavailable")<{ readonly reason: string; readonly cause?: unknown }> {
  override get message() {
    return `Redis does not answer: ${this.reason}`
  }
}

export interface RedisShape {
  /** The shared command connection. Its users map its failures to their own typed errors. */
  readonly client: IoRedis
  /** Connected now: a user that must not wait for a reconnect (the rate limiter) skips Redis otherwise. */
  readonly isReady: () => boolean
  /** host:port, without credentials, for logs. */
  readonly address: string
  /**
   * Subscribes a connection of its own to `channel` until the scope closes (ioredis subscribes it
   * again after a reconnect). Fails when Redis does not confirm within the connect wait.
   */
  subscribe(channel: string, onMessage: (message: string) => void): Effect.Effect<void, RedisUnavailable, Scope.Scope>
}

/**
 * Chosen for the three users, who used to build their own connections:
 * - one retry per command: a command waits through at most one reconnect attempt, then fails (as all three did);
 * - the offline queue on: a command sent during a short reconnect waits for it (the read store and the
 *   progress channel had it). The rate limiter had its own connection without one, to fail open at once
 *   while Redis is away; it now asks `isReady` first, which gives it the same;
 * - a connect attempt given 5 s (the read store's; the other two had 2 s, and neither waits on it);
 * - lazy: the layer connects itself, so it can wait for the connection before anything is served;
 * - auto-pipelining: the commands of one event-loop tick (many concurrent queries) go out in one write.
 */
const CONNECTION: IoRedisOptions = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, enableAutoPipelining: true }

const reasonOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** host:port of a redis:// URL (credentials are not logged). */
export const redisAddress = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || "6379"}`
  } catch {
    return "(unparsable REDIS_URL)"
  }
}

/** QUIT (pending replies are read first), or a plain disconnect when Redis does not answer it. */
const close = (client: IoRedis) =>
  Effect.promise(() => client.quit().then(() => {}, () => client.disconnect())).pipe(
    Effect.timeoutOrElse({ duration: "2 seconds", orElse: () => Effect.sync(() => client.disconnect()) })
  )

const open = (make: () => IoRedis) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const client = make()
      // Without a listener ioredis prints every reconnect failure; callers see failures as their own typed errors.
      client.on("error", () => {})
      return client
    }),
    close
  )

/** Waits for `attempt` at most `wait`. */
const within = <A>(wait: Duration.Input, attempt: () => Promise<A>) =>
  Effect.tryPromise({ try: attempt, catch: (cause) => new RedisUnavailable({ reason: reasonOf(cause), cause }) }).pipe(
    Effect.timeoutOrElse({
      duration: wait,
      orElse: () => Effect.fail(new RedisUnavailable({ reason: `no answer within ${Duration.format(Duration.fromInputUnsafe(wait))}` }))
    })
  )

export class Redis extends Context.Service<Redis, RedisShape>()("keyframe/Redis") {
  /** Connects before it is built (waiting `connectWait` at most); a Redis that is down only logs, and its users fail or fall back until it answers. */
  static layer(options: RedisOptions): Layer.Layer<Redis> {
    return Layer.effect(
      Redis,
      Effect.gen(function*() {
        const wait = options.connectWait ?? "3 seconds"
        const address = redisAddress(options.url)
        const client = yield* open(() => new IoRedis(options.url, CONNECTION))
        yield* within(wait, () => client.connect()).pipe(
          Effect.catch((e) => Effect.logWarning(`Redis at ${address} does not answer yet (${e.reason}); retrying in the background`))
        )
        return Redis.of({
          client,
          isReady: () => client.status === "ready",
          address,
          subscribe: (channel, onMessage) =>
            Effect.gen(function*() {
              const subscriber = yield* open(() => client.duplicate())
              subscriber.on("message", (from: string, message: string) => {
                if (from === channel) onMessage(message)
              })
              yield* within(wait, () => subscriber.subscribe(channel))
            })
        })
      })
    )
  }
}
