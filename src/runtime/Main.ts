/** The program both entry points run: read config, open the event store, serve the Hono app until interrupted. */
import { Cause, type Context, Data, Effect, Exit, Layer, References, type Scope } from "effect"
import { ActorSystem } from "../actors/ActorSystem.ts"
import { describeEventStore, domainSettings, type InvalidConfig, KeyframeConfig } from "../config.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { EventStoreUnavailable } from "../eventstore/EventStoreError.ts"
import { type AppServices, makeApp } from "../http/App.ts"
import type { AppRuntime } from "../http/AppRuntime.ts"
import { eventStoreLayer } from "./EventStoreLayer.ts"

/** The HTTP listener could not start (port taken, no permission). */
export class ServerStartFailed extends Data.TaggedError("ServerStartFailed")<{ readonly reason: string }> {
  override get message() {
    return `HTTP server did not start: ${this.reason}`
  }
}

/** What a runtime supplies: listen on `port` with a web-standard fetch handler until the scope closes. */
export type Serve = (
  fetch: (request: Request) => Response | Promise<Response>,
  port: number
) => Effect.Effect<{ readonly port: number }, ServerStartFailed, Scope.Scope>

/** Handlers run with the services the layers built (one context, so one event store per process). */
const runtimeFrom = <R>(context: Context.Context<R>): AppRuntime<R> => ({
  runPromiseExit: (effect, options) => Effect.runPromiseExitWith(context)(effect, options),
  runFork: (effect) => Effect.runForkWith(context)(effect)
})

const serverLayer = (serve: Serve, runtimeName: string) =>
  Layer.effectDiscard(
    Effect.gen(function*() {
      const config = yield* KeyframeConfig
      const store = yield* EventStore
      const context = yield* Effect.context<AppServices>()
      const app = makeApp({ runtime: runtimeFrom(context) })
      const { port } = yield* serve(app.fetch, config.server.port)
      yield* Effect.log(
        `Keyframe HTTP listening on port ${port} (${runtimeName}); event store: ${describeEventStore(config.eventStore)} (${store.kind} adapter)`
      )
      yield* Effect.addFinalizer(() => Effect.log("Keyframe shutting down"))
    })
  )

/** The whole application as one layer; `Layer.launch` it. */
export const mainLayer = (
  serve: Serve,
  runtimeName: string
): Layer.Layer<never, InvalidConfig | EventStoreUnavailable | ServerStartFailed> => {
  const withServices = Layer.unwrap(
    Effect.map(KeyframeConfig, (config) =>
      serverLayer(serve, runtimeName).pipe(
        Layer.provide(
          ActorSystem.layer({
            mailboxSize: config.actors.mailboxSize,
            idleMillis: config.actors.idleSeconds * 1000,
            maxLive: config.actors.maxLive,
            maxConflictRetries: config.actors.maxConflictRetries,
            settings: domainSettings(config)
          }).pipe(Layer.provideMerge(eventStoreLayer(config.eventStore)))
        ),
        Layer.provide(Layer.succeed(References.MinimumLogLevel, config.server.logLevel))
      ))
  )
  return withServices.pipe(Layer.provide(KeyframeConfig.layer))
}

/** The program: run the app; a start-up failure is logged as one readable line. */
export const mainProgram = (serve: Serve, runtimeName: string) =>
  Layer.launch(mainLayer(serve, runtimeName)).pipe(
    Effect.tapError((e) => Effect.logError(`Keyframe cannot start: ${e.message}`))
  )

/** Exit codes: 0 after a signal (clean shutdown), 1 after a failure. */
export const exitCode = (exit: Exit.Exit<unknown, unknown>): number =>
  Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1
