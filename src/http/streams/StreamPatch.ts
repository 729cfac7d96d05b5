/**
 * `PATCH /streams/:id`: one body at the stream's end, offset-checked like tus. The headers are checked before a
 * byte is read (415, 400, 413 on an announced length); then, holding the stream's lock, the offset (409 and
 * nothing written), then the body is staged and recorded by Streams.receiveBytes (stored before acknowledged;
 * a body that turns out longer than the limit stores nothing, 413), and the stream's engine is woken.
 */
import { Effect } from "effect"
import type { Context } from "hono"
import type { AppEnv } from "../AppEnv.ts"
import { errorResponse } from "../HttpError.ts"
import { POSITION_HEADER } from "../queries/ReadModel.ts"
import { parseByteCount, requireOffsetOctetStream } from "../tus/TusHeaders.ts"
import { bodyTooLarge, OFFSET_HEADER, offsetMismatch, TUS_OFFSET_HEADER } from "./StreamProtocol.ts"
import { openOwnStream, type StreamRouteContext } from "./StreamRouteContext.ts"

export const patchStream = (context: StreamRouteContext) => (c: Context<AppEnv>): Promise<Response> | Response => {
  const id = c.req.param("id") ?? ""
  const wrongType = requireOffsetOctetStream(c.req.header("Content-Type"))
  if (wrongType !== undefined) return errorResponse(wrongType)
  const named = c.req.header(OFFSET_HEADER) !== undefined ? OFFSET_HEADER : TUS_OFFSET_HEADER
  const offset = parseByteCount(named, c.req.header(named), true)
  if (!offset.ok) return errorResponse(offset.error)
  const length = parseByteCount("Content-Length", c.req.header("Content-Length"), false)
  if (!length.ok) return errorResponse(length.error)
  const limit = context.maxBodyBytes
  if (length.value !== undefined && length.value > limit) return errorResponse(bodyTooLarge(limit))
  const actor = c.get("actor")
  const requestId = c.get("requestId")
  const at = offset.value!
  return context.run(
    c,
    Effect.scoped(Effect.gen(function*() {
      const { state } = yield* openOwnStream(context, id, actor)
      if ((state.status === "Live" || state.status === "Ended") && state.source === "push") {
        // a restarted process: the stream's engine resumes from its events
        yield* context.engines.ensure(id)
        if (state.status === "Live" && at !== state.receivedBytes) return yield* Effect.fail(offsetMismatch(at, state.receivedBytes))
      }
      // opened only now: a request refused above is left to the server to discard, its connection kept
      const body = length.value === 0 ? null : context.requestBody(c)
      const received = yield* context.streams.receiveBytes({
        streamId: id,
        offset: at,
        // no body: nothing is stored, but the stream still says whether it takes bytes here (410 once ended)
        body: body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
        limit,
        actor,
        settings: context.settings,
        requestId
      }).pipe(Effect.catchTag("PushBodyTooLarge", (e) => Effect.fail(bodyTooLarge(e.limit))))
      yield* context.engines.wake(id)
      return c.body(null, 204, {
        [OFFSET_HEADER]: String(at + received.length),
        ...(received.position === undefined ? {} : { [POSITION_HEADER]: String(received.position) })
      })
    }))
  )
}
