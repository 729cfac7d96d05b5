/**
 * Who opens a live feed, and until when their credential holds (the feed ends then). EventSource
 * sends no headers, so besides `Authorization: Bearer` a feed takes `?ticket=` (POST
 * /feeds/tickets: short-lived, one path) or, discouraged because URLs are logged, `?token=`.
 */
import type { Context, MiddlewareHandler } from "hono"
import type { Principal } from "../../domain/shared/Decider.ts"
import { type AuthOptions, authenticate, tokenExpiresAt, verifyBearerToken } from "../auth/Auth.ts"
import type { FeedTicket, FeedTicketStore } from "../../auth/FeedTickets.ts"
import { errorResponse, HttpError } from "../HttpError.ts"
import { withRouteDoc } from "../openapi/RouteDoc.ts"
import type { AppEnv } from "../AppEnv.ts"

// when the token behind each request's feed expires (ms; undefined = the token said nothing)
const expiries = new WeakMap<Request, number | undefined>()

/** When the credential that opened this feed request expires: the feed ends then. */
export const credentialExpiresAt = (c: Context<AppEnv>): number | undefined => expiries.get(c.req.raw)

interface Access {
  readonly actor: Principal
  readonly expiresAt: number | undefined
}

const unauthorized = (message: string) =>
  new HttpError({ status: 401, code: "UNAUTHORIZED", message, headers: { "WWW-Authenticate": 'Bearer realm="keyframe"' } })

const byTicket = async (c: Context<AppEnv>, auth: AuthOptions, ticket: FeedTicket): Promise<Access | HttpError> => {
  const header = authenticate(c, auth)
  if (header === undefined) return { actor: ticket.actor, expiresAt: ticket.tokenExpiresAt }
  // both a ticket and a bearer token: only when they name the same user
  const other = await header
  if (other instanceof HttpError) return other
  return other.userId === ticket.actor.userId
    ? { actor: ticket.actor, expiresAt: ticket.tokenExpiresAt }
    : unauthorized("the ticket was issued to another user than the Authorization header names")
}

const resolve = async (c: Context<AppEnv>, auth: AuthOptions, tickets: FeedTicketStore): Promise<Access | HttpError> => {
  const ticketId = c.req.query("ticket")
  if (ticketId !== undefined) {
    const ticket = tickets.redeem(ticketId, c.req.path)
    return typeof ticket === "string" ? unauthorized(ticket) : byTicket(c, auth, ticket)
  }
  const token = c.req.query("token")
  const verified = await (authenticate(c, auth) ??
    (token !== undefined
      ? verifyBearerToken(auth, token)
      : Promise.resolve(unauthorized("a bearer token is required (Authorization header, ?ticket= from POST /feeds/tickets, or ?token=)"))))
  return verified instanceof HttpError ? verified : { actor: verified, expiresAt: tokenExpiresAt(verified) }
}

/** Guards a feed route: 401 without a valid credential. Sets `actor`; `credentialExpiresAt(c)` says until when it holds. */
export const requireFeedAccess = (auth: AuthOptions, tickets: FeedTicketStore): MiddlewareHandler<AppEnv> =>
  withRouteDoc(
    async (c, next) => {
      const access = await resolve(c, auth, tickets)
      if (access instanceof HttpError) return errorResponse(access)
      c.set("actor", access.actor)
      expiries.set(c.req.raw, access.expiresAt)
      await next()
    },
    { security: { roles: [] } }
  )
