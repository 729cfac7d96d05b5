/** `GET /streams` and `GET /streams/:id`: live streams, visible to their owner and admins. */
import { Effect } from "effect"
import { Hono } from "hono"
import type { StreamDoc } from "../../../projections/StreamsProjection.ts"
import type { AppEnv } from "../AppEnv.ts"
import { forbidden, isAdmin, type QueryDeps, resolveUser } from "./QueryKit.ts"
import { StreamListQuery, StreamView } from "./QuerySchemas.ts"
import { documentRoute, listRoute } from "./QueryRoutes.ts"

const PROJECTION = "streams"

/** The clock-derived field of a view (its ETag changes with it). */
const idleOf = (viewed: unknown) => (viewed as StreamView).idleSeconds

/** Adds how long the source has been idle, as of `now`. */
const withIdle = (now: number) => (doc: StreamDoc): StreamView => ({
  ...doc,
  idleSeconds: doc.state === "live" ? Math.max(0, Math.round((now - doc.lastGrowthAt) / 1000)) : 0
})

export const streamQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()

  listRoute<typeof StreamListQuery, StreamDoc>(app, deps, {
    path: "/streams",
    summary: "List live streams, newest first",
    description: "Your streams (admins: everyone's, or `owner`'s). Filter with `state`.",
    schema: StreamView,
    pageName: "LiveStream",
    query: StreamListQuery,
    projection: PROJECTION,
    model: "stream",
    index: (q, actor) => {
      const owner = resolveUser(actor, q.owner) ?? (isAdmin(actor) ? undefined : actor.userId)
      if (owner !== undefined && owner !== actor.userId && !isAdmin(actor)) return Effect.fail(forbidden("only admins may list another user's streams"))
      return Effect.succeed(
        owner !== undefined && q.state !== undefined
          ? { index: "byOwnerState", value: `${owner}/${q.state}` }
          : owner !== undefined
          ? { index: "byOwner", value: owner }
          : q.state !== undefined
          ? { index: "byState", value: q.state }
          : { index: "all" }
      )
    },
    view: () => withIdle(deps.now()),
    varies: idleOf
  })

  documentRoute<StreamDoc>(app, deps, {
    path: "/streams/:id",
    summary: "One live stream: state, bytes, chunks, last growth, upload lag",
    schema: StreamView,
    projection: PROJECTION,
    model: "stream",
    streamOf: (id) => `stream-${id}`,
    visible: (doc, actor) => doc.ownerId === actor.userId || isAdmin(actor),
    view: () => withIdle(deps.now()),
    varies: idleOf
  })
  return app
}
