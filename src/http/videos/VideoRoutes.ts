/**
 * Video commands over HTTP, thin over the Videos service: the owner's (or an admin's) edit, publish,
 * unpublish and delete. Reads are the read side's (`GET /videos`, src/http/queries/VideoQueries.ts).
 */
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import type { ActorSystem } from "../../actors/ActorSystem.ts"
import type { EventStore } from "../../eventstore/EventStore.ts"
import type { ObjectStore } from "../../objectstore/ObjectStore.ts"
import { type VideoCaller, Videos, type VideosShape } from "../../videos/Videos.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { HttpError } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { POSITION_HEADER } from "../queries/ReadModel.ts"
import type { AppEnv } from "../AppEnv.ts"
import { CommandResult, EditVideoBody, VideoParams } from "./VideoSchemas.ts"

export const IDEMPOTENCY = {
  name: "Idempotency-Key",
  description: "a retried request with the same key (1–64 of A-Z a-z 0-9 . _ : @ -) is applied once"
}

export const callerOf = (c: Context<AppEnv>): VideoCaller => ({
  actor: c.get("actor"),
  correlationId: c.get("requestId"),
  key: c.req.header("Idempotency-Key")
})

/** The answer to a command: what changed and where to read it, also as Keyframe-Position. */
export const commandAnswer = (c: Context<AppEnv>, id: string, result: { readonly changed: boolean; readonly revision: number; readonly position: number }) =>
  c.json({ id, ...result } satisfies typeof CommandResult.Type, 200, { [POSITION_HEADER]: String(result.position) })

export const changedOf = (result: { readonly events: ReadonlyArray<unknown>; readonly revision: number; readonly position: number }) => ({
  changed: result.events.length > 0,
  revision: result.revision,
  position: result.position
})

type Services = ActorSystem | ObjectStore | EventStore

/** Videos holds no state: it is built per request over the process's actors and object store. */
export const withVideos = <A, E>(effect: Effect.Effect<A, E, Videos>) => effect.pipe(Effect.provide(Videos.layer))

export const videoRoutes = (run: RunEffect<Services>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()
  const notYours = "another user's video is 404 unless you may see it, then 403 NOT_OWNER"

  app.patch(
    "/:id",
    describeRoute({
      summary: "Edit a video (owner or admin)",
      description: "Any of `title`, `description`, `category`, `visibility`, `allowedOrigins`; absent fields stay. Every check " +
        `(lengths, category, origins) runs before anything is written; each change is its own event (the history of edits). ${notYours}.`,
      tags: ["videos"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "the video as changed", schema: CommandResult } }
    }),
    requireAuth(auth),
    validate("param", VideoParams),
    validate("json", EditVideoBody),
    (c) => {
      const { id } = c.req.valid("param")
      const body = c.req.valid("json")
      return run(
        c,
        withVideos(Effect.gen(function*() {
          if (Object.values(body).every((v) => v === undefined)) {
            return yield* new HttpError({ status: 422, code: "VALIDATION_FAILED", message: "body: give at least one of title, description, category, visibility, allowedOrigins" })
          }
          return commandAnswer(c, id, yield* (yield* Videos).change(callerOf(c), id, body))
        }))
      )
    }
  )

  const simple = (path: string, summary: string, description: string, act: (videos: VideosShape, caller: VideoCaller, id: string) => Effect.Effect<{ readonly events: ReadonlyArray<unknown>; readonly revision: number; readonly position: number }, unknown>) => ({
    path,
    docs: describeRoute({
      summary,
      description: `${description} ${notYours}.`,
      tags: ["videos"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "done", schema: CommandResult } }
    }),
    handler: (c: Context<AppEnv>) => {
      // validated by the route's param validator
      const id = c.req.param("id")!
      return run(c, withVideos(Effect.flatMap(Videos, (videos) => Effect.map(act(videos, callerOf(c), id), (r) => commandAnswer(c, id, changedOf(r))))))
    }
  })

  const publish = simple("/:id/publish", "Publish a video (owner or admin)", "Published videos are seen by others as their visibility says.", (v, caller, id) => v.publish(caller, id))
  app.post(publish.path, publish.docs, requireAuth(auth), validate("param", VideoParams), publish.handler)

  const unpublish = simple("/:id/unpublish", "Unpublish a video (owner or admin)", "Only you and admins see it until it is published again; playback tokens minted before stop working.", (v, caller, id) => v.unpublish(caller, id))
  app.post(unpublish.path, unpublish.docs, requireAuth(auth), validate("param", VideoParams), unpublish.handler)

  const remove = simple(
    "/:id",
    "Delete a video (owner or admin)",
    "The catalog entry goes and its media objects (playlists, segments, thumbnail, original) are removed; the events stay. " +
      "The bytes it counted against this week's upload quota stay counted.",
    (v, caller, id) => v.remove(caller, id)
  )
  app.delete(remove.path, remove.docs, requireAuth(auth), validate("param", VideoParams), remove.handler)
  return app
}
