/**
 * Who opens a WebSocket, checked during the upgrade before any socket exists — the same for every
 * path on WS_PORT (rooms, upload feeds): a JWT from `Authorization: Bearer`, a `bearer.<jwt>`
 * subprotocol or `?access_token=`, or a ticket (`?ticket=`, POST /feeds/tickets) for this very path,
 * spent by the upgrade. A refusal carries the HTTP status and the JSON error the transport answers with.
 */
import { Effect } from "effect"
import type { FeedTicketStore } from "../auth/FeedTickets.ts"
import { actorFromToken, type AuthOptions, tokenExpiresAt } from "../auth/TokenAuth.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { isUnavailableCode, unavailableMessage } from "../errors/Unavailable.ts"

export interface UpgradeRequest {
  readonly url: string
  /** Header lookup, lower-case names. */
  readonly header: (name: string) => string | undefined
  /** The peer's address (FEED_MAX_PER_IP); unset when the transport cannot tell. */
  readonly address?: string | undefined
}

export interface Refused {
  readonly ok: false
  readonly status: number
  readonly code: string
  readonly message: string
}

export const refuse = (status: number, code: string, message: string): Refused => ({ ok: false, status, code, message })

/** A backend's refusal (JWKS, store) names hosts and URLs: the client gets a generic message and an id, the log the detail. */
export const hideDetail = (refused: Refused) =>
  Effect.gen(function*() {
    const id = crypto.randomUUID()
    yield* Effect.logWarning(`WebSocket upgrade refused, ${refused.code}: ${refused.message}`).pipe(Effect.annotateLogs({ requestId: id }))
    return refuse(refused.status, refused.code, unavailableMessage(refused.code, id))
  })

/** The subprotocols the client offered. */
export const offeredProtocols = (request: UpgradeRequest): ReadonlyArray<string> =>
  (request.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "")

export interface UpgradeCredential {
  readonly actor: Principal
  /** When the token behind it expires, ms since the epoch: a feed ends then. */
  readonly expiresAt: number | undefined
}

const tokenOf = (request: UpgradeRequest, url: URL, protocols: ReadonlyArray<string>): string | undefined => {
  const header = request.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
  if (header !== undefined) return header
  const sub = protocols.find((p) => p.startsWith("bearer."))
  if (sub !== undefined) return sub.slice("bearer.".length)
  return url.searchParams.get("access_token") ?? undefined
}

const verified = (auth: AuthOptions, token: string) =>
  actorFromToken(auth, token).pipe(
    Effect.map((actor) => ({ actor }) as { readonly actor: Principal }),
    Effect.catch((e) => isUnavailableCode(e.code) ? hideDetail(refuse(e.status, e.code, e.message)) : Effect.succeed(refuse(e.status, e.code, e.message)))
  )

/** The credential of an upgrade to `url` (its path is what a ticket must name), or the 401 / 503 refusal. */
export const upgradeCredential = (
  auth: AuthOptions,
  tickets: FeedTicketStore | undefined,
  request: UpgradeRequest,
  url: URL
): Effect.Effect<UpgradeCredential | Refused> =>
  Effect.gen(function*() {
    const token = tokenOf(request, url, offeredProtocols(request))
    const ticketId = url.searchParams.get("ticket")
    if (ticketId !== null && tickets !== undefined) {
      const ticket = tickets.redeem(ticketId, url.pathname)
      if (typeof ticket === "string") return refuse(401, "UNAUTHORIZED", ticket)
      if (token === undefined) return { actor: ticket.actor, expiresAt: ticket.tokenExpiresAt }
      // both a ticket and a token: only when they name the same user
      const other = yield* verified(auth, token)
      if ("ok" in other) return other
      return other.actor.userId === ticket.actor.userId
        ? { actor: ticket.actor, expiresAt: ticket.tokenExpiresAt }
        : refuse(401, "UNAUTHORIZED", "the ticket was issued to another user than the token names")
    }
    if (token === undefined) {
      return refuse(
        401,
        "UNAUTHORIZED",
        "a token is required: Authorization: Bearer <jwt>, subprotocol bearer.<jwt>, ?access_token=, or ?ticket= from POST /feeds/tickets"
      )
    }
    const result = yield* verified(auth, token)
    if ("ok" in result) return result
    return { actor: result.actor, expiresAt: tokenExpiresAt(result.actor) }
  })
