/**
 * How a handler reads a request's body as a stream. The default is the Fetch API's `Request.body`;
 * a runtime adapter may install a cheaper one (Node: src/runtime/NodeRequestBody.ts, which skips
 * the copy `Readable.toWeb` makes of every chunk). Only the upload routes read bodies this way.
 */
import type { Context } from "hono"
import type { AppEnv } from "./AppEnv.ts"

export type RequestBodyReader = (c: Context<AppEnv>) => ReadableStream<Uint8Array> | null

export const fetchRequestBody: RequestBodyReader = (c) => c.req.raw.body
