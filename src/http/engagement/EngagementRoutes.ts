/**
 * Engagement commands over HTTP: views (`POST /videos/:id/views` with the player's playback session),
 * ratings, comments, subscriptions. Thin: each handler decodes, calls the Engagement service, answers.
 * Reads are in EngagementQueries.ts.
 */
import { Effect, Layer } from "effect"
import { type Context, Hono } from "hono"
import { ProjectionNotRunning } from "../../../projections/ProjectionError.ts"
import { ProjectionRunner } from "../../../projections/ProjectionRunner.ts"
import type { ActorSystem } from "../../actors/ActorSystem.ts"
import { ReadStore } from "../../readstore/ReadStore.ts"
import { Engagement, type EngagementCaller } from "../../videos/Engagement.ts"
import type { PlaybackSessionVerifier } from "../../videos/PlaybackSessionVerifier.ts"
import type { AppEnv } from "../AppEnv.ts"
import type { RunEffect } from "../AppRuntime.ts"
import { type AuthOptions, requireAuth } from "../auth/Auth.ts"
import { describeRoute } from "../openapi/RouteDoc.ts"
import { validate } from "../openapi/Validate.ts"
import { POSITION_HEADER } from "../queries/ReadModel.ts"
import { ReadSide } from "../queries/ReadSide.ts"
import {
  CommentBody,
  CommentEditBody,
  CommentParams,
  CommentResult,
  CreatorParams,
  RatingBody,
  RatingResult,
  SubscriptionResult,
  VideoParams,
  ViewReportBody,
  ViewReportResult
} from "./EngagementSchemas.ts"

const caller = (c: Context<AppEnv>): EngagementCaller => ({ actor: c.get("actor"), correlationId: c.get("requestId"), key: c.req.header("Idempotency-Key") })

const IDEMPOTENCY = { name: "Idempotency-Key", description: "a retried request with the same key (1–64 of A-Z a-z 0-9 . _ : @ -) is applied once" }

const positioned = (position: number) => ({ [POSITION_HEADER]: String(position) })

/** The read side's runner and store, as the Engagement service's dependencies (503 READ_MODEL_UNAVAILABLE without read models). */
const projections = Effect.flatMap(ReadSide, (side) =>
  side._tag === "Projections" ? Effect.succeed(side) : Effect.fail(new ProjectionNotRunning({ projection: "videos", reason: "this process runs no read models" })))
const readModels = Layer.mergeAll(
  Layer.effect(ProjectionRunner, Effect.map(projections, (side) => side.runner)),
  Layer.effect(ReadStore, Effect.map(projections, (side) => side.store))
)

export const engagementRoutes = (run: RunEffect<ActorSystem | ReadSide>, auth: AuthOptions, sessions: Layer.Layer<PlaybackSessionVerifier>) => {
  const app = new Hono<AppEnv>()
  const live = Engagement.layer.pipe(Layer.provide(Layer.mergeAll(readModels, sessions)))
  const withEngagement = <A, E>(c: Context<AppEnv>, use: (engagement: Engagement["Service"]) => Effect.Effect<A, E>, answer: (a: A) => Response) =>
    run(c, Effect.map(Effect.flatMap(Engagement, use), answer).pipe(Effect.provide(live)))

  app.post(
    "/videos/:id/views",
    describeRoute({
      summary: "Report watching a video (counts a view)",
      description: "The player sends the playback session it got from `GET /videos/:id/playback` and how long it has played. " +
        "A view counts after 10 s (or more than half of a video shorter than 20 s), at most once per session and once per viewer per hour " +
        "(a repeat answers `counted: false`). More watch time than the session's age is 422 WATCH_TIME_IMPLAUSIBLE; a forged, expired or " +
        "foreign session 403 PLAYBACK_SESSION_INVALID; too little watched 422 VIEW_NOT_QUALIFIED.",
      tags: ["engagement"],
      responses: { 200: { description: "the report was taken", schema: ViewReportResult, headers: { [POSITION_HEADER]: "global position for read-your-writes" } } }
    }),
    requireAuth(auth),
    validate("param", VideoParams),
    validate("json", ViewReportBody),
    (c) => {
      const { id } = c.req.valid("param")
      const body = c.req.valid("json")
      return withEngagement(c, (e) => e.reportView(caller(c), id, body.session, body.watchedSeconds), (r) =>
        c.json({ videoId: id, counted: r.counted, reason: r.reason, position: r.position } satisfies typeof ViewReportResult.Type, 200, positioned(r.position)))
    }
  )

  app.put(
    "/videos/:id/rating",
    describeRoute({
      summary: "Like, dislike, or take your rating back",
      description: "One rating per user per video; the same rating again changes nothing. `none` removes yours. 404 when you may not see the video.",
      tags: ["engagement"],
      responses: { 200: { description: "your rating now", schema: RatingResult, headers: { [POSITION_HEADER]: "global position for read-your-writes" } } }
    }),
    requireAuth(auth),
    validate("param", VideoParams),
    validate("json", RatingBody),
    (c) => {
      const { id } = c.req.valid("param")
      const { rating } = c.req.valid("json")
      return withEngagement(c, (e) => e.rate(caller(c), id, rating), (r) =>
        c.json({ videoId: id, rating, changed: r.events.length > 0, position: r.position } satisfies typeof RatingResult.Type, 200, positioned(r.position)))
    }
  )

  const commentAnswer = (c: Context<AppEnv>, videoId: string, status: 200 | 201) => (r: { commentId: string; threadId: string; changed: boolean; position: number }) =>
    c.json({ id: r.commentId, videoId, threadId: r.threadId, changed: r.changed, position: r.position } satisfies typeof CommentResult.Type, status, positioned(r.position))

  app.post(
    "/videos/:id/comments",
    describeRoute({
      summary: "Comment on a video, or reply to a comment",
      description: "Without `parentId` the comment starts a thread; with it, it replies in the parent's thread (the parent must exist and not be deleted). " +
        "Text: 1–2,000 characters after trimming. 404 when you may not see the video.",
      tags: ["engagement"],
      headers: [IDEMPOTENCY],
      responses: { 201: { description: "the comment is posted", schema: CommentResult, headers: { [POSITION_HEADER]: "global position for read-your-writes" } } }
    }),
    requireAuth(auth),
    validate("param", VideoParams),
    validate("json", CommentBody),
    (c) => {
      const { id } = c.req.valid("param")
      const body = c.req.valid("json")
      return withEngagement(c, (e) => e.postComment(caller(c), id, body.text, body.parentId), commentAnswer(c, id, 201))
    }
  )

  app.patch(
    "/videos/:id/comments/:commentId",
    describeRoute({
      summary: "Edit your comment",
      description: "Only its author may (403 FORBIDDEN); a deleted comment is 409 COMMENT_DELETED.",
      tags: ["engagement"],
      responses: { 200: { description: "the comment as edited", schema: CommentResult } }
    }),
    requireAuth(auth),
    validate("param", CommentParams),
    validate("json", CommentEditBody),
    (c) => {
      const { id, commentId } = c.req.valid("param")
      const { text } = c.req.valid("json")
      return withEngagement(c, (e) => e.editComment(caller(c), id, commentId, text), commentAnswer(c, id, 200))
    }
  )

  app.delete(
    "/videos/:id/comments/:commentId",
    describeRoute({
      summary: "Delete a comment (its author, the video's owner, or an admin)",
      description: "The comment stays in its thread without its text, so replies keep their place. Deleting it again changes nothing.",
      tags: ["engagement"],
      responses: { 200: { description: "the comment is deleted", schema: CommentResult } }
    }),
    requireAuth(auth),
    validate("param", CommentParams),
    (c) => {
      const { id, commentId } = c.req.valid("param")
      return withEngagement(c, (e) => e.deleteComment(caller(c), id, commentId), commentAnswer(c, id, 200))
    }
  )

  const subscription = (subscribe: boolean) => (c: Context<AppEnv>) => {
    const { creatorId } = c.req.valid("param" as never) as { creatorId: string }
    return withEngagement(c, (e) => (subscribe ? e.subscribe(caller(c), creatorId) : e.unsubscribe(caller(c), creatorId)), (r) =>
      c.json({ creatorId, subscribed: subscribe, changed: r.events.length > 0, position: r.position } satisfies typeof SubscriptionResult.Type, 200, positioned(r.position)))
  }
  app.put(
    "/me/subscriptions/:creatorId",
    describeRoute({
      summary: "Subscribe to a creator",
      description: "Idempotent. Subscribing to yourself is 422 SELF_SUBSCRIPTION; at most 1,000 creators (422 SUBSCRIPTION_LIMIT).",
      tags: ["engagement"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "you follow the creator", schema: SubscriptionResult } }
    }),
    requireAuth(auth),
    validate("param", CreatorParams),
    subscription(true)
  )
  app.delete(
    "/me/subscriptions/:creatorId",
    describeRoute({
      summary: "Unsubscribe from a creator",
      description: "Idempotent: unsubscribing from someone you do not follow changes nothing.",
      tags: ["engagement"],
      headers: [IDEMPOTENCY],
      responses: { 200: { description: "you no longer follow the creator", schema: SubscriptionResult } }
    }),
    requireAuth(auth),
    validate("param", CreatorParams),
    subscription(false)
  )
  return app
}
