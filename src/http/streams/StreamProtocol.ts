/**
 * The push protocol's headers and error model: tus's (src/http/tus/TusProtocol.ts), with `Stream-Offset` for
 * `Upload-Offset` (which is accepted too). A stream's failures map to the statuses a tus client knows: a stale
 * offset 409 (with the offset to continue at), an ended, finalized or failed stream 410, someone else's 404.
 */
import { Cause, type Effect, Exit } from "effect"
import type { Context } from "hono"
import { isDomainError } from "../../domain/shared/DomainError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { type AppRuntime, logInternal } from "../AppRuntime.ts"
import { errorResponse, HttpError, toHttpError } from "../HttpError.ts"

export const OFFSET_HEADER = "Stream-Offset"
/** tus's name for the same header, for clients that already speak tus. */
export const TUS_OFFSET_HEADER = "Upload-Offset"

/** Same answer for "no such stream" and "someone else's stream": existence is not revealed. */
export const streamNotFound = (id: string) => new HttpError({ status: 404, code: "STREAM_NOT_FOUND", message: `there is no stream "${id.slice(0, 100)}"` })

export const offsetMismatch = (given: number, expected: number) =>
  new HttpError({
    status: 409,
    code: "OFFSET_MISMATCH",
    message: `${OFFSET_HEADER} is ${given}, but the stream continues at ${expected}; nothing was stored`,
    headers: { [OFFSET_HEADER]: String(expected) }
  })

export const bodyTooLarge = (limit: number) =>
  new HttpError({ status: 413, code: "PUSH_BODY_TOO_LARGE", message: `a PATCH body may carry at most ${limit} bytes (PUSH_MAX_BODY_BYTES); nothing was stored` })

export const streamLocked = (id: string) =>
  new HttpError({ status: 423, code: "STREAM_LOCKED", message: `another request is still writing to stream "${id}"; retry shortly`, headers: { "Retry-After": "1" } })

/** Domain codes whose status differs here from the shared mapper's. */
const STREAM_STATUS: Readonly<Record<string, number>> = {
  OFFSET_MISMATCH: 409,
  STREAM_NOT_LIVE: 410,
  STREAM_FINALIZED: 410,
  STREAM_FAILED: 410,
  STREAM_NOT_PUSHED: 409,
  NOT_OWNER: 404
}

/** Store failures: none is the client's fault, and nothing was acknowledged. */
const UNAVAILABLE = new Set(["ObjectStoreUnavailable", "ObjectNotFound", "InvalidObjectRequest", "InvalidObjectKey"])

export const streamHttpError = (error: unknown): HttpError | undefined => {
  if (error instanceof HttpError) return error
  if (isDomainError(error) && STREAM_STATUS[error.code] !== undefined) {
    return new HttpError({ status: STREAM_STATUS[error.code]!, code: error.code, message: error.message })
  }
  if (typeof error === "object" && error !== null && "_tag" in error) {
    if (error._tag === "StreamNotActive") return new HttpError({ status: 410, code: "STREAM_GONE", message: String((error as { message?: unknown }).message) })
    if (UNAVAILABLE.has(String(error._tag))) {
      return new HttpError({
        status: 503,
        code: "STORAGE_UNAVAILABLE",
        message: "the stream storage did not answer; nothing was acknowledged, retry the request",
        headers: { "Retry-After": "1" }
      })
    }
  }
  return toHttpError(error)
}

export type StreamRun = (c: Context<AppEnv>, effect: Effect.Effect<Response, unknown, never>) => Promise<Response>

/**
 * Runs a push handler; as tus's runner, it does not interrupt the effect when the client goes away: a body
 * that was stored whole is still recorded, and a create or end does not stop between two commands.
 */
export const makeStreamRunner = <R>(runtime: AppRuntime<R>): StreamRun => async (c, effect) => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.findErrorOption(exit.cause)
  const mapped = error._tag === "Some" ? streamHttpError(error.value) : undefined
  return mapped !== undefined ? errorResponse(mapped) : logInternal(runtime, c, exit.cause)
}
