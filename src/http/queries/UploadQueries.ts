/** `GET /me/uploads` and `GET /uploads/:id` from the uploads read model: a user sees their own uploads, admins everyone's. */
import { Effect } from "effect"
import { Hono } from "hono"
import { decodeUploadEvent, evolveUploadDoc, type UploadDoc } from "../../../projections/UploadsProjection.ts"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { AppEnv } from "../AppEnv.ts"
import { forbidden, isAdmin, type QueryDeps, resolveUser } from "./QueryKit.ts"
import { UploadListQuery } from "./QuerySchemas.ts"
import { documentRoute, listRoute } from "./QueryRoutes.ts"
import { UploadView, uploadView } from "./UploadView.ts"

const PROJECTION = "uploads"

/**
 * An app composed without the read side (no ProjectionRunner, e.g. a test harness of the tus API)
 * still answers GET /uploads/:id: the same pure evolve folded over the upload's own stream.
 */
const foldedUpload = (id: string) =>
  Effect.gen(function*() {
    let doc: UploadDoc | undefined
    for (const event of yield* (yield* EventStore).readStream(`upload-${id}`)) doc = evolveUploadDoc(doc, decodeUploadEvent(event), event)
    return doc
  })

export const uploadQueries = (deps: QueryDeps) => {
  const app = new Hono<AppEnv>()
  const view = (doc: UploadDoc) => uploadView(doc, deps.settings.uploadExpiryHours)

  listRoute<typeof UploadListQuery, UploadDoc>(app, deps, {
    path: "/me/uploads",
    summary: "Your uploads, newest first",
    description: "Each upload's state, offset, processing step, attempts, last error and milestones. Filter with `status`; " +
      "admins may pass `owner` to see another user's.",
    schema: UploadView,
    pageName: "Upload",
    query: UploadListQuery,
    projection: PROJECTION,
    model: "upload",
    index: (q, actor) => {
      const owner = resolveUser(actor, q.owner) ?? actor.userId
      if (owner !== actor.userId && !isAdmin(actor)) return Effect.fail(forbidden("only admins may list another user's uploads"))
      return Effect.succeed(q.status !== undefined ? { index: "byOwnerStatus", value: `${owner}/${q.status}` } : { index: "byOwner", value: owner })
    },
    view: () => view
  })

  documentRoute<UploadDoc>(app, deps, {
    path: "/uploads/:id",
    summary: "One upload: state, offset, processing, media and failure reason",
    description: "From the uploads read model, as fresh as the upload's stream when the request arrived. Visible to its " +
      "owner and admins (404 for others, as for an id that does not exist).",
    tags: ["queries", "uploads"],
    schema: UploadView,
    projection: PROJECTION,
    model: "upload",
    streamOf: (id) => `upload-${id}`,
    visible: (doc, actor) => doc.ownerId === actor.userId || isAdmin(actor),
    view: () => view,
    withoutReadSide: foldedUpload
  })
  return app
}
