/**
 * The upgrade check, before any socket exists: the path names a room, the JWT (Authorization header,
 * `bearer.<jwt>` subprotocol, or `access_token` query) is valid, the room is open. A refusal carries
 * the HTTP status and the JSON error body the transport answers with.
 */
import { Effect, Schema } from "effect"
import { EntityId } from "../domain/shared/Primitives.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { actorFromToken, type AuthOptions } from "../auth/TokenAuth.ts"
import { isUnavailableCode, unavailableMessage } from "../errors/Unavailable.ts"
import { Rooms } from "../rooms/Rooms.ts"

/** The subprotocol the server answers with when the client offers it (a `bearer.<jwt>` entry is never echoed). */
export const ROOM_SUBPROTOCOL = "keyframe.rooms"

export interface UpgradeRequest {
  readonly url: string
  /** Header lookup, lower-case names. */
  readonly header: (name: string) => string | undefined
}

export interface Admitted {
  readonly ok: true
  readonly roomId: string
  readonly actor: Principal
  /** `?since=<revision>`: replay the events after it. */
  readonly since: number | undefined
  /** The subprotocol to accept, if the client offered ours. */
  readonly protocol: string | undefined
}

export interface Refused {
  readonly ok: false
  readonly status: number
  readonly code: string
  readonly message: string
}

const refuse = (status: number, code: string, message: string): Refused => ({ ok: false, status, code, message })

const isEntityId = Schema.is(EntityId)

/** A backend's refusal (JWKS, store) names hosts and URLs: the client gets a generic message and an id, the log the detail. */
const hideDetail = (refused: Refused) =>
  Effect.gen(function*() {
    const id = crypto.randomUUID()
    yield* Effect.logWarning(`room upgrade refused, ${refused.code}: ${refused.message}`).pipe(Effect.annotateLogs({ requestId: id }))
    return refuse(refused.status, refused.code, unavailableMessage(refused.code, id))
  })

const tokenOf = (request: UpgradeRequest, url: URL, protocols: ReadonlyArray<string>): string | undefined => {
  const header = request.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
  if (header !== undefined) return header
  const sub = protocols.find((p) => p.startsWith("bearer."))
  if (sub !== undefined) return sub.slice("bearer.".length)
  return url.searchParams.get("access_token") ?? undefined
}

export const admitUpgrade = (auth: AuthOptions, request: UpgradeRequest): Effect.Effect<Admitted | Refused, never, Rooms> =>
  Effect.gen(function*() {
    const url = new URL(request.url, "ws://localhost")
    const match = /^\/rooms\/([^/]+)$/.exec(url.pathname)
    if (match === null || !isEntityId(decodeURIComponent(match[1]!))) {
      return refuse(404, "NOT_FOUND", `no room WebSocket at ${url.pathname.slice(0, 120)}; connect to /rooms/:id`)
    }
    const roomId = decodeURIComponent(match[1]!)
    const rawSince = url.searchParams.get("since")
    const since = rawSince === null ? undefined : /^(-1|\d{1,15})$/.test(rawSince) ? Number(rawSince) : Number.NaN
    if (Number.isNaN(since)) return refuse(400, "INVALID_SINCE", "since must be a room revision (an integer ≥ -1)")
    const protocols = (request.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "")
    const token = tokenOf(request, url, protocols)
    if (token === undefined) {
      return refuse(401, "UNAUTHORIZED", "a token is required: Authorization: Bearer <jwt>, subprotocol bearer.<jwt>, or ?access_token=")
    }
    const actor = yield* actorFromToken(auth, token).pipe(Effect.catch((e) => Effect.succeed(refuse(e.status, e.code, e.message))))
    if ("ok" in actor && isUnavailableCode(actor.code)) return yield* hideDetail(actor)
    if ("ok" in actor) return actor
    const current = yield* (yield* Rooms).current(roomId).pipe(Effect.result)
    if (current._tag === "Failure") {
      return yield* hideDetail(refuse(503, "EVENT_STORE_UNAVAILABLE", String((current.failure as { message?: unknown }).message ?? current.failure)))
    }
    const state = current.success.state
    if (state.status === "Unopened") return refuse(404, "ROOM_NOT_FOUND", `no room ${roomId}`)
    if (state.status === "Closed") return refuse(410, "ROOM_CLOSED", `room ${roomId} is closed`)
    return { ok: true, roomId, actor, since, protocol: protocols.includes(ROOM_SUBPROTOCOL) ? ROOM_SUBPROTOCOL : undefined } satisfies Admitted
  })
