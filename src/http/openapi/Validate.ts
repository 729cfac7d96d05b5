/**
 * Request validation with Effect Schemas: `validate("json" | "param" | "query", Schema)`.
 * Decoded values come out of `c.req.valid(target)`; a failure is 422 VALIDATION_FAILED with the
 * failing path, a JSON body with another content type is 415, malformed JSON is 400 INVALID_JSON.
 * The same schema goes into /openapi.json (the middleware carries a RouteDoc).
 */
import { Result, Schema } from "effect"
import type { MiddlewareHandler } from "hono"
import { validator } from "hono/validator"
import { errorResponse, HttpError, type RequestPart, validationFailed } from "../HttpError.ts"
import type { AppEnv } from "../AppEnv.ts"
import { type RouteDoc, withRouteDoc } from "./RouteDoc.ts"

export type Target = "json" | "param" | "query"

/** Schemas usable here: decoding needs no services. */
export type RequestSchema = Schema.Top & { readonly DecodingServices: never }

type Validated<T extends Target, S extends RequestSchema> = {
  in: { [K in T]: S["Encoded"] }
  out: { [K in T]: S["Type"] }
}

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i

const part: Record<Target, RequestPart> = { json: "body", param: "path", query: "query" }

const docFor = (target: Target, schema: Schema.Top): RouteDoc =>
  target === "json"
    ? { body: { contentType: "application/json", schema, required: true } }
    : target === "param"
    ? { params: schema }
    : { query: schema }

export const validate = <T extends Target, S extends RequestSchema>(
  target: T,
  schema: S
): MiddlewareHandler<AppEnv, string, Validated<T, S>> => {
  const decode = Schema.decodeUnknownResult(schema as unknown as Schema.Codec<unknown, unknown>)
  const middleware = validator(target, (value: unknown, c) => {
    if (target === "json") {
      const media = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim()
      if (!JSON_MEDIA.test(media)) {
        return errorResponse(
          new HttpError({
            status: 415,
            code: "UNSUPPORTED_MEDIA_TYPE",
            message: `the request body must be application/json${media === "" ? "" : `, not ${media}`}`
          })
        )
      }
    }
    const result = decode(value, { errors: "all" })
    // answered here rather than thrown, so a sub-app used on its own gets the JSON error too
    if (Result.isFailure(result)) return errorResponse(validationFailed(result.failure, part[target]))
    return result.success
  })
  return withRouteDoc(middleware, docFor(target, schema)) as unknown as MiddlewareHandler<AppEnv, string, Validated<T, S>>
}
