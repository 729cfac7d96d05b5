/** `GET /rooms` (open rooms by last activity, by default) and `GET /rooms/:id`: visible to everyone signed in. */
import { Effect } from "effect"
import { Hono } from "hono"
import type { AppEnv } from "../AppEnv.ts"
import { type QueryDeps, resolveUser } from "./QueryKit.ts"
import { RoomListQuery, RoomView } from "./QuerySchemas.ts"
import { documentRoute, listRoute } from "./QueryRoutes.ts"

const PROJECTION = "rooms"

export const roomQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()

  listRoute(app, deps, {
    path: "/rooms",
    summary: "List watch rooms",
    description: "By default the open rooms, most recently active first (`status=closed`: closed ones, latest first). " +
      "`host` (a user id or `me`): that host's rooms, newest first.",
    schema: RoomView,
    pageName: "Room",
    query: RoomListQuery,
    projection: PROJECTION,
    model: "room",
    index: (q, actor) => {
      const host = resolveUser(actor, q.host)
      return Effect.succeed(
        host !== undefined && q.status !== undefined
          ? { index: "byHostStatus", value: `${host}/${q.status}` }
          : host !== undefined
          ? { index: "byHost", value: host }
          : { index: "byStatus", value: q.status ?? "open" }
      )
    }
  })

  documentRoute(app, deps, {
    path: "/rooms/:id",
    summary: "One watch room: host, tier, capacity, members, playback",
    schema: RoomView,
    projection: PROJECTION,
    model: "room",
    streamOf: (id) => `room-${id}`,
    visible: () => true
  })
  return app
}
