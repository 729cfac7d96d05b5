/** `POST /feeds/tickets`: trades the bearer token for a short-lived ticket to put in a feed's or a WebSocket's URL (src/auth/FeedTickets.ts). */
import { Schema } from "effect"
import { Hono } from "hono"
import { type AuthOptions, requireAuth, tokenExpiresAt } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { FEED_PATH, type FeedTicketStore } from "../../auth/FeedTickets.ts"

export const FeedTicketRequest = Schema.Struct({
  path: Schema.String.check(Schema.isPattern(FEED_PATH)).annotate({
    description: "the path the ticket opens, exactly as it will be requested: an SSE feed `/uploads/<id>/events`, " +
      "`/videos/<id>/events` or `/streams/<id>/events` (HTTP port), or a WebSocket `/uploads/<id>`, `/streams/<id>` or `/rooms/<id>` (WS_PORT)"
  })
}).annotate({ identifier: "FeedTicketRequest" })

export const FeedTicketResponse = Schema.Struct({
  ticket: Schema.String.annotate({ description: "opaque; pass it as `?ticket=`" }),
  path: Schema.String,
  url: Schema.String.annotate({ description: "the path with the ticket, for `new EventSource(url)` (or the path part of a `ws://host:WS_PORT` URL)" }),
  expiresAt: Schema.String.annotate({ description: "ISO time: after it the ticket opens nothing (401); get a new one" })
}).annotate({ identifier: "FeedTicket" })

export const feedTicketRoutes = (auth: AuthOptions, tickets: FeedTicketStore) =>
  new Hono<AppEnv>().post(
    "/feeds/tickets",
    describeRoute({
      summary: "Get a ticket for a live feed or a WebSocket",
      description: "A ticket opens one path as you, for 60 s (less if your token expires sooner). Put it in the URL as " +
        "`?ticket=` instead of the bearer token: a URL is kept in logs and history. An SSE feed's ticket may be used " +
        "again until then (EventSource reconnects with the same URL); a WebSocket's (`/uploads/<id>`, `/streams/<id>`, " +
        "`/rooms/<id>` on WS_PORT) opens one connection, and a reconnect needs a new one. What it opens still ends when your token expires.",
      tags: ["queries"],
      responses: { 201: { description: "the ticket", schema: FeedTicketResponse } }
    }),
    requireAuth(auth),
    validate("json", FeedTicketRequest),
    (c) => {
      const actor = c.get("actor")
      const { path } = c.req.valid("json")
      const { id, expiresAt } = tickets.issue({ actor, path, tokenExpiresAt: tokenExpiresAt(actor) })
      const body: typeof FeedTicketResponse.Type = { ticket: id, path, url: `${path}?ticket=${id}`, expiresAt: new Date(expiresAt).toISOString() }
      return c.json(body, 201, { "Cache-Control": "no-store" })
    }
  )
