/**
 * The room upgrade check, before any socket exists: the path names a room, the credential is valid
 * (UpgradeAccess.ts: a JWT, or a ticket for this room's path), the room is open. A refusal carries
 * the HTTP status and the JSON error body the transport answers with.
 */
import { Effect, Schema } from "effect"
import type { FeedTicketStore } from "../auth/FeedTickets.ts"
import type { AuthOptions } from "../auth/TokenAuth.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { EntityId } from "../domain/shared/Primitives.ts"
import { Rooms } from "../rooms/Rooms.ts"
import { hideDetail, offeredProtocols, type Refused, refuse, upgradeCredential, type UpgradeRequest } from "./UpgradeAccess.ts"

export type { Refused, UpgradeRequest } from "./UpgradeAccess.ts"

/** The subprotocol the server answers with when the client offers it (a `bearer.<jwt>` entry is never echoed). */
export const ROOM_SUBPROTOCOL = "keyframe.rooms"

export interface Admitted {
  readonly ok: true
  readonly roomId: string
  readonly actor: Principal
  /** `?since=<revision>`: replay the events after it. */
  readonly since: number | undefined
  /** The subprotocol to accept, if the client offered ours. */
  readonly protocol: string | undefined
}

const isEntityId = Schema.is(EntityId)

export const admitUpgrade = (
  auth: AuthOptions,
  request: UpgradeRequest,
  tickets?: FeedTicketStore
): Effect.Effect<Admitted | Refused, never, Rooms> =>
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
    const credential = yield* upgradeCredential(auth, tickets, request, url)
    if ("ok" in credential) return credential
    const { actor } = credential
    const current = yield* (yield* Rooms).current(roomId).pipe(Effect.result)
    if (current._tag === "Failure") {
      return yield* hideDetail(refuse(503, "EVENT_STORE_UNAVAILABLE", String((current.failure as { message?: unknown }).message ?? current.failure)))
    }
    const state = current.success.state
    if (state.status === "Unopened") return refuse(404, "ROOM_NOT_FOUND", `no room ${roomId}`)
    if (state.status === "Closed") return refuse(410, "ROOM_CLOSED", `room ${roomId} is closed`)
    return { ok: true, roomId, actor, since, protocol: offeredProtocols(request).includes(ROOM_SUBPROTOCOL) ? ROOM_SUBPROTOCOL : undefined } satisfies Admitted
  })
