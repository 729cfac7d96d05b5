/**
 * Room commands over HTTP: open, close, and the host's settings (who may drive playback, hand over the
 * host). Reads are the read side's (`GET /rooms`, `GET /rooms/:id`, src/http/queries/RoomQueries.ts).
 */
import { Effect } from "effect"
import { type Context, Hono } from "hono"
import type { ActorSystem } from "../../actors/ActorSystem.ts"
import { roomProtocolJsonSchema } from "../../realtime/RoomProtocol.ts"
import { Rooms, type RoomCaller, type RoomResult } from "../../rooms/Rooms.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { HostBody, OpenRoomBody, PlaybackControlBody, RoomCommandResult, RoomMemberParams, RoomOpenedResult, RoomParams } from "./RoomSchemas.ts"

const caller = (c: Context<AppEnv>): RoomCaller => ({
  actor: c.get("actor"),
  correlationId: c.get("requestId"),
  key: c.req.header("Idempotency-Key")
})

const IDEMPOTENCY = {
  name: "Idempotency-Key",
  description: "a retried request with the same key (1–64 of A-Z a-z 0-9 . _ : @ -) is applied once"
}

const commandBody = (id: string, result: RoomResult): typeof RoomCommandResult.Type => ({
  id,
  changed: result.events.length > 0,
  revision: result.revision,
  position: result.position
})

/** `run` needs the actors only: Rooms is built on them per request (it holds no state of its own). */
export const roomRoutes = (run: RunEffect<ActorSystem>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()
  const withRooms = <A>(effect: Effect.Effect<Response, A, Rooms>) => effect.pipe(Effect.provide(Rooms.layer))

  const protocol = roomProtocolJsonSchema()
  app.get(
    "/protocol.json",
    describeRoute({
      summary: "The room WebSocket protocol as JSON Schema",
      description: "`client`: the frames a client sends on `ws://host:WS_PORT/rooms/:id`; `server`: what it receives. README \"Rooms\" has examples.",
      tags: ["rooms"],
      responses: { 200: { description: "a JSON Schema (draft 2020-12) document", contentType: "application/schema+json" } }
    }),
    (c) => c.json(protocol, 200, { "Content-Type": "application/schema+json" })
  )

  app.post(
    "/",
    describeRoute({
      summary: "Open a watch room",
      description: "The caller becomes the host and first member. Members then connect to `ws://host:WS_PORT/rooms/:id` " +
        "(see /rooms/protocol.json). `tier: sponsor` needs the sponsor or admin role (403 FORBIDDEN otherwise).",
      tags: ["rooms"],
      responses: { 201: { description: "the room is open", schema: RoomOpenedResult, headers: { Location: "the room's read model" } } }
    }),
    requireAuth(auth),
    validate("json", OpenRoomBody),
    (c) => {
      const body = c.req.valid("json")
      return run(
        c,
        withRooms(Effect.gen(function*() {
          const result = yield* (yield* Rooms).open(caller(c), { title: body.title, videoId: body.videoId, sponsored: body.tier === "sponsor" })
          const opened = result.events.find((e) => e._tag === "RoomOpened")
          const out: typeof RoomOpenedResult.Type = {
            id: result.roomId,
            hostId: c.get("actor").userId,
            tier: body.tier === "sponsor" ? "sponsor" : "standard",
            capacity: opened?._tag === "RoomOpened" ? opened.capacity : 0,
            websocketPath: `/rooms/${result.roomId}`,
            revision: result.revision,
            position: result.position
          }
          return c.json(out, 201, { Location: `/rooms/${result.roomId}` })
        }))
      )
    }
  )

  app.post(
    "/:id/close",
    describeRoute({
      summary: "Close a room (host or admin)",
      description: "Connected members get the RoomClosed event and their sockets close. Closing a closed room is 409 ROOM_CLOSED.",
      tags: ["rooms"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "the room is closed", schema: RoomCommandResult } }
    }),
    requireAuth(auth),
    validate("param", RoomParams),
    (c) => {
      const { id } = c.req.valid("param")
      return run(c, withRooms(Effect.map(Rooms.use((r) => r.close(caller(c), id)), (result) => c.json(commandBody(id, result)))))
    }
  )

  app.put(
    "/:id/controllers/:userId",
    describeRoute({
      summary: "Let a member drive playback, or take it back (host only)",
      description: "The member must be present. The host always may; this list is the other members who may.",
      tags: ["rooms"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "the setting in force", schema: RoomCommandResult } }
    }),
    requireAuth(auth),
    validate("param", RoomMemberParams),
    validate("json", PlaybackControlBody),
    (c) => {
      const { id, userId } = c.req.valid("param")
      const { allowed } = c.req.valid("json")
      return run(c, withRooms(Effect.map(Rooms.use((r) => r.allowPlayback(caller(c), id, userId, allowed)), (result) => c.json(commandBody(id, result)))))
    }
  )

  app.put(
    "/:id/host",
    describeRoute({
      summary: "Hand the room over to another present member (host or admin)",
      description: "The old host stays a member, without playback control unless it is given back.",
      tags: ["rooms"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "the new host is in place", schema: RoomCommandResult } }
    }),
    requireAuth(auth),
    validate("param", RoomParams),
    validate("json", HostBody),
    (c) => {
      const { id } = c.req.valid("param")
      const { userId } = c.req.valid("json")
      return run(c, withRooms(Effect.map(Rooms.use((r) => r.handOverHost(caller(c), id, userId)), (result) => c.json(commandBody(id, result)))))
    }
  )
  return app
}
