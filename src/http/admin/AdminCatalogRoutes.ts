/**
 * Admin endpoints of the catalog (role admin), thin over the Videos service: take a video down with a
 * reason (visible to its owner and kept in the audit trail) or restore it; create, rename and remove
 * categories (a removed category's videos show no category).
 */
import { Effect } from "effect"
import { Hono } from "hono"
import type { ActorSystem } from "../../actors/ActorSystem.ts"
import type { EventStore } from "../../eventstore/EventStore.ts"
import type { ObjectStore } from "../../objectstore/ObjectStore.ts"
import { Videos } from "../../videos/Videos.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { callerOf, changedOf, commandAnswer, IDEMPOTENCY, withVideos } from "../videos/VideoRoutes.ts"
import { CategoryParams, CommandResult, CreateCategoryBody, RenameCategoryBody, TakedownBody, VideoParams } from "../videos/VideoSchemas.ts"

const doc = (summary: string, description: string) =>
  describeRoute({
    summary,
    description,
    tags: ["admin"],
    headers: [IDEMPOTENCY],
    responses: { 200: { description: "done", schema: CommandResult } }
  })

export const adminCatalogRoutes = (run: RunEffect<ActorSystem | ObjectStore | EventStore>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()
  const admin = requireAuth(auth, { roles: ["admin"] })

  app.post(
    "/videos/:id/takedown",
    doc("Take a video down", "Hidden from everyone but its owner and admins (the reason is shown to them) until restored; playback tokens stop working. A second takedown with another reason records it."),
    admin,
    validate("param", VideoParams),
    validate("json", TakedownBody),
    (c) => {
      const { id } = c.req.valid("param")
      const { reason } = c.req.valid("json")
      return run(c, withVideos(Effect.map(Videos.use((v) => v.takeDown(callerOf(c), id, reason)), (r) => commandAnswer(c, id, changedOf(r)))))
    }
  )

  app.post(
    "/videos/:id/restore",
    doc("Restore a taken-down video", "It is seen again as its visibility and publication say."),
    admin,
    validate("param", VideoParams),
    (c) => {
      const { id } = c.req.valid("param")
      return run(c, withVideos(Effect.map(Videos.use((v) => v.restore(callerOf(c), id)), (r) => commandAnswer(c, id, changedOf(r)))))
    }
  )

  app.post(
    "/categories",
    doc("Create a category", "A unique slug (409 ALREADY_EXISTS) and name (409 CATEGORY_NAME_TAKEN, case-insensitive); GET /categories lists them."),
    admin,
    validate("json", CreateCategoryBody),
    (c) => {
      const { slug, name } = c.req.valid("json")
      return run(c, withVideos(Effect.map(Videos.use((v) => v.createCategory(callerOf(c), slug, name)), (r) => commandAnswer(c, slug, changedOf(r)))))
    }
  )

  app.patch(
    "/categories/:slug",
    doc("Rename a category", "The slug stays; the new name must be unique."),
    admin,
    validate("param", CategoryParams),
    validate("json", RenameCategoryBody),
    (c) => {
      const { slug } = c.req.valid("param")
      const { name } = c.req.valid("json")
      return run(c, withVideos(Effect.map(Videos.use((v) => v.renameCategory(callerOf(c), slug, name)), (r) => commandAnswer(c, slug, changedOf(r)))))
    }
  )

  app.delete(
    "/categories/:slug",
    doc("Remove a category", "Its videos are left without a category (GET /videos shows null; the filter no longer takes the slug)."),
    admin,
    validate("param", CategoryParams),
    (c) => {
      const { slug } = c.req.valid("param")
      return run(c, withVideos(Effect.map(Videos.use((v) => v.removeCategory(callerOf(c), slug)), (r) => commandAnswer(c, slug, changedOf(r)))))
    }
  )
  return app
}
