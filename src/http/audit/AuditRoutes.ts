/**
 * Auditor endpoints (role auditor or admin): a stream's events with their metadata, any
 * aggregate as it was at a revision or an instant, hash-chain verification, and an NDJSON
 * export of the whole history streamed in constant memory.
 */
import { Effect, Stream } from "effect"
import { Hono } from "hono"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { HttpError } from "../HttpError.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import type { AppEnv } from "../AppEnv.ts"
import { aggregateAt, parseAuditPoint } from "./AuditAggregates.ts"
import {
  AggregateAtView,
  AggregateParams,
  AggregateQuery,
  ChainReportView,
  ExportQuery,
  StreamEventsQuery,
  StreamPage,
  StreamParams
} from "./AuditSchemas.ts"
import { verifyStore, verifyStream } from "./ChainAudit.ts"
import { ndjsonExport } from "./NdjsonExport.ts"

export const AUDIT_ROLES = ["auditor", "admin"] as const

export const auditRoutes = (run: RunEffect<EventStore>, auth: AuthOptions) => {
  const app = new Hono<AppEnv>()
  const guard = requireAuth(auth, { roles: AUDIT_ROLES })
  const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json; charset=UTF-8", "Cache-Control": "no-store" } })

  app.get(
    "/audit/streams/:stream",
    describeRoute({
      summary: "The events of one stream, with metadata (paged)",
      description: "Every event as stored: id, revision, global position, type, data, metadata (correlation and causation " +
        "ids, user, times, schema version, prevHash and hash) and recorded time. Page with `from` = the previous `next`.",
      tags: ["audit"],
      responses: { 200: { description: "a page of events", schema: StreamPage } }
    }),
    guard,
    validate("param", StreamParams),
    validate("query", StreamEventsQuery),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const { stream } = c.req.valid("param")
          const q = c.req.valid("query")
          const direction = q.direction ?? "forwards"
          const limit = q.limit ?? 100
          const events = yield* (yield* EventStore).readStream(stream, {
            direction,
            fromRevision: q.from ?? (direction === "forwards" ? "start" : "end"),
            maxCount: limit + 1
          })
          const page = events.slice(0, limit)
          const next = events.length > limit ? events[limit]!.revision : null
          return json({ stream, direction, events: page, next })
        })
      )
  )

  app.get(
    "/audit/aggregates/:type/:id",
    describeRoute({
      summary: "An aggregate as it was at a revision or an instant",
      description: "Rebuilt by replaying the aggregate's decider (`evolve`) over its stream up to `at` (a revision, or an " +
        "ISO-8601 time compared with the events' recorded time); without `at`, its current state.",
      tags: ["audit"],
      responses: { 200: { description: "the state at that point", schema: AggregateAtView }, 404: { description: "NOT_FOUND: no such stream" } }
    }),
    guard,
    validate("param", AggregateParams),
    validate("query", AggregateQuery),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const { type, id } = c.req.valid("param")
          const point = parseAuditPoint(c.req.valid("query").at)
          if (point instanceof HttpError) return yield* point
          return json(yield* aggregateAt(type, id, point))
        })
      )
  )

  app.get(
    "/audit/verify",
    describeRoute({
      summary: "Verify the hash chain of every stream",
      description: "Reads the whole store in position order and checks each event's prevHash and hash (SHA-256 over " +
        "prevHash, type, canonical data and metadata). `ok: false` names the first broken link.",
      tags: ["audit"],
      responses: { 200: { description: "the verification report", schema: ChainReportView } }
    }),
    guard,
    (c) => run(c, Effect.map(verifyStore, json))
  )

  app.get(
    "/audit/verify/:stream",
    describeRoute({
      summary: "Verify the hash chain of one stream",
      tags: ["audit"],
      responses: { 200: { description: "the verification report", schema: ChainReportView }, 404: { description: "NOT_FOUND: no such stream" } }
    }),
    guard,
    validate("param", StreamParams),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const { stream } = c.req.valid("param")
          const report = yield* verifyStream(stream)
          if (!report.exists) return yield* new HttpError({ status: 404, code: "NOT_FOUND", message: `stream ${stream} has no events` })
          const { exists: _, ...body } = report
          return json(body)
        })
      )
  )

  app.get(
    "/audit/export",
    describeRoute({
      summary: "Export events as NDJSON",
      description: "One stored event per line (the same shape as /audit/streams), in position order from `from`, optionally " +
        "one category or some event types. Streamed page by page as the client reads: any size, constant memory.",
      tags: ["audit"],
      responses: { 200: { description: "application/x-ndjson", contentType: "application/x-ndjson" } }
    }),
    guard,
    validate("query", ExportQuery),
    (c) =>
      run(
        c,
        Effect.gen(function*() {
          const q = c.req.valid("query")
          const filter = q.category !== undefined || q.types !== undefined
            ? {
              ...(q.category !== undefined ? { streamPrefixes: [`${q.category}-`] } : {}),
              ...(q.types !== undefined ? { eventTypes: q.types.split(",") } : {})
            }
            : undefined
          const body = yield* Stream.toReadableStreamEffect(
            ndjsonExport({ from: Math.max(1, q.from ?? 1), filter }).pipe(Stream.encodeText)
          )
          return new Response(body, {
            headers: {
              "Content-Type": "application/x-ndjson; charset=utf-8",
              "Cache-Control": "no-store",
              "Content-Disposition": `attachment; filename="keyframe-events-from-${q.from ?? 1}.ndjson"`
            }
          })
        })
      )
  )
  return app
}
