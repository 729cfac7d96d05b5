/** Runs a tus handler's effect and renders its failure with the status tus clients expect. */
import { Cause, type Effect, Exit } from "effect"
import type { Context } from "hono"
import { QuotaExceeded } from "../../domain/quota/QuotaErrors.ts"
import { isDomainError } from "../../domain/shared/DomainError.ts"
import { summaryOf } from "../../uploads/QuotaSummary.ts"
import { type AppRuntime, logInternal } from "../AppRuntime.ts"
import { errorResponse, HttpError, toHttpError } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"

/**
 * Domain codes whose HTTP status differs under tus: a stale offset is a 409, bytes past the end or a
 * file past the limit a 413, an ended upload 410, and someone else's upload does not exist (404).
 */
const TUS_STATUS: Readonly<Record<string, number>> = {
  OFFSET_MISMATCH: 409,
  UPLOAD_SIZE_EXCEEDED: 413,
  FILE_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 413,
  UPLOAD_TERMINAL: 410,
  NOT_OWNER: 404
}

/** Store failures the shared mapper may not know: all mean "try again", none is the client's fault. */
const UNAVAILABLE = new Set(["ObjectStoreUnavailable", "ObjectNotFound", "InvalidObjectRequest", "InvalidObjectKey"])

export const tusHttpError = (error: unknown): HttpError | undefined => {
  if (error instanceof HttpError) return error
  if (isDomainError(error) && TUS_STATUS[error.code] !== undefined) {
    const details = error instanceof QuotaExceeded ? { ...summaryOf(error), requestedBytes: error.requestedBytes } : undefined
    return new HttpError({ status: TUS_STATUS[error.code]!, code: error.code, message: error.message, details })
  }
  const mapped = toHttpError(error)
  if (mapped !== undefined) return mapped
  if (typeof error === "object" && error !== null && "_tag" in error && UNAVAILABLE.has(String(error._tag))) {
    return new HttpError({
      status: 503,
      code: "STORAGE_UNAVAILABLE",
      message: "the upload storage did not answer; nothing was recorded, retry the request",
      headers: { "Retry-After": "1" }
    })
  }
  return undefined
}

export type TusRun<R> = (c: Context<AppEnv>, effect: Effect.Effect<Response, unknown, R>) => Promise<Response>

/**
 * Unlike the app's runner, this one does not interrupt the effect when the client goes away: a PATCH
 * whose connection dropped must still finish storing and recording the bytes that arrived (tus resumes
 * from there), and a half-done create or cancel must not stop between two commands.
 */
export const makeTusRunner = <R>(runtime: AppRuntime<R>): TusRun<R> => async (c, effect) => {
  const exit = await runtime.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.findErrorOption(exit.cause)
  const mapped = error._tag === "Some" ? tusHttpError(error.value) : undefined
  return mapped !== undefined ? errorResponse(mapped) : logInternal(runtime, c, exit.cause)
}
