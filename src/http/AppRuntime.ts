/** How Hono handlers reach Effect services: one runtime (a ManagedRuntime fits), and the runner that maps outcomes to responses. */
import { Cause, Effect, Exit } from "effect"
import type { Context } from "hono"
import { errorResponse, internalError, toHttpError } from "./HttpError.ts"
import type { AppEnv } from "./AppEnv.ts"
import { loggedPath } from "./middleware/RequestLog.ts"

/**
 * The part of a `ManagedRuntime<R>` the HTTP layer uses; node.ts/deno.ts and tests hand one in.
 * Function-typed properties, not methods: parameters are then checked contravariantly, so a runtime
 * missing one of the services `R` names does not compile (method parameters would be bivariant).
 */
export interface AppRuntime<R> {
  readonly runPromiseExit: <A, E>(effect: Effect.Effect<A, E, R>, options?: Effect.RunOptions) => Promise<Exit.Exit<A, unknown>>
  readonly runFork: <A, E>(effect: Effect.Effect<A, E, R>) => unknown
}

/** Runs a handler's effect: its Response on success, the mapped JSON error on a typed failure, a logged 500 otherwise. */
export type RunEffect<R> = (c: Context<AppEnv>, effect: Effect.Effect<Response, unknown, R>) => Promise<Response>

/** Logs an unexpected failure with the request id; the client only sees the id. */
export const logInternal = <R>(runtime: AppRuntime<R>, c: Context<AppEnv>, cause: Cause.Cause<unknown>): Response => {
  const requestId = c.get("requestId")
  runtime.runFork(
    Effect.logError("request failed", cause).pipe(
      Effect.annotateLogs({ requestId, method: c.req.method, path: loggedPath(c.req.path) })
    )
  )
  return errorResponse(internalError(requestId))
}

/**
 * `interruptOnAbort` (default true): a client that goes away interrupts the handler's effect. Routes
 * that answer in microseconds (the queries: their only wait is bounded by READ_YOUR_WRITES_WAIT_MS)
 * turn it off — the request's AbortSignal is made on first use and costs more than their answer.
 */
export const makeRunEffect = <R>(runtime: AppRuntime<R>, options: { readonly interruptOnAbort?: boolean } = {}): RunEffect<R> =>
async (c, effect) => {
  const exit = options.interruptOnAbort === false
    ? await runtime.runPromiseExit(effect)
    : await runtime.runPromiseExit(effect, { signal: c.req.raw.signal })
  if (Exit.isSuccess(exit)) return exit.value
  // the client went away (a player aborting a segment load on seek, wrk stopping): nobody reads an answer, nothing failed
  if (c.req.raw.signal.aborted && Cause.hasInterruptsOnly(exit.cause)) return new Response(null, { status: 499 })
  const error = Cause.findErrorOption(exit.cause)
  const mapped = error._tag === "Some" ? toHttpError(error.value) : undefined
  return mapped !== undefined ? errorResponse(mapped) : logInternal(runtime, c, exit.cause)
}
