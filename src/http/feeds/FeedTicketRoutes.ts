/** `POST /feeds/tickets`: trades the bearer token for a short-lived ticket to put in a feed's URL (FeedTickets.ts). */
import { Schema } from "effect"
import { Hono } from "hono"
import { type AuthOptions, requireAuth, tokenExpiresAt } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { FEED_PATH, type FeedTicketStore } from "../../auth/FeedTickets.ts"

export const FeedTicketRequest = Schema.Struct({
  path: Schema.String.check(Schema.isPattern(FEED_PATH)).annotate({
    description: "the feed the ticket opens, exactly as it will be requested: `/uploads/<id>/events` or `/videos/<id>/events`"
  })
}).annotate({ identifier: "FeedTicketRequest" })

export const FeedTicketResponse = Schema.Struct({
  ticket: Schema.String.annotate({ description: "opaque; pass it as `?ticket=`" }),
  path: Schema.String,
  url: Schema.String.annotate({ description: "the path with the ticket, for `new EventSource(url)`" }),
  expiresAt: Schema.String.annotate({ description: "ISO time: after it the ticket opens nothing (401); get a new one" })
}).annotate({ identifier: "FeedTicket" })

export const feedTicketRoutes = (auth: AuthOptions, tickets: FeedTicketStore) =>
  new Hono<AppEnv>().post(
    "/feeds/tickets",
    describeRoute({
      summary: "Get a ticket for a live feed",
      description: "A ticket opens one feed (`path`) as you, for 60 s (less if your token expires sooner), and may be " +
        "used again until then: EventSource reconnects with the same URL. Put it in the URL as `?ticket=` instead of " +
        "the bearer token: a URL is kept in logs and history. The feed still ends when your token expires.",
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
