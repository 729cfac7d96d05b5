/**
 * The engagement use cases (DESIGN.md §6 "Video"): views tied to a verified playback session, one rating
 * per user per video, comment threads, subscriptions to creators. Every transport goes through this
 * service; it checks the caller may see (or watch) the video with the shared access rule, then sends the
 * aggregates' commands through the actors with the ids of EngagementCommandIds.ts.
 */
import { Context, Effect, Layer } from "effect"
import { ProjectionRunner } from "../../projections/ProjectionRunner.ts"
import { ActorSystem, type SendError } from "../actors/ActorSystem.ts"
import type { CommandResult } from "../actors/CommandEnvelope.ts"
import { CommentAggregate } from "../domain/comment/CommentAggregate.ts"
import { threadOf } from "../domain/comment/CommentCommands.ts"
import type { CommentError } from "../domain/comment/CommentErrors.ts"
import type { CommentEvent } from "../domain/comment/CommentEvents.ts"
import { RatingAggregate } from "../domain/rating/RatingAggregate.ts"
import type { RatingValue } from "../domain/rating/RatingCommands.ts"
import type { RatingError } from "../domain/rating/RatingDecider.ts"
import type { Principal } from "../domain/shared/Decider.ts"
import { NotFound } from "../domain/shared/DomainError.ts"
import { SubscriptionAggregate } from "../domain/subscription/SubscriptionAggregate.ts"
import type { SubscriptionError } from "../domain/subscription/SubscriptionErrors.ts"
import { ViewAggregate } from "../domain/view/ViewAggregate.ts"
import type { ViewError } from "../domain/view/ViewErrors.ts"
import type { ProjectionNotRunning } from "../../projections/ProjectionError.ts"
import type { ReadStoreError } from "../readstore/ReadStoreError.ts"
import { ReadStore } from "../readstore/ReadStore.ts"
import { engagementCommandIds, engagementStreams, userKey } from "./EngagementCommandIds.ts"
import { PlaybackSessionInvalid, type PlaybackSessionsUnavailable, PlaybackSessionVerifier } from "./PlaybackSessionVerifier.ts"
import { canSee, canWatch } from "./VideoAccess.ts"
import { loadVideoFacts, type VideoFacts } from "./VideoFacts.ts"

export interface EngagementCaller {
  readonly actor: Principal
  /** Request id: the events' correlationId. */
  readonly correlationId?: string | undefined
  /** Idempotency-Key: a repeat is answered with the first result. */
  readonly key?: string | undefined
}

type Lookup = ReadStoreError | ProjectionNotRunning | NotFound
export type EngagementError<E> = SendError<E> | Lookup

export interface ViewOutcome {
  readonly counted: boolean
  /** Why it did not count: the session (or this viewer within the hour) was counted already. */
  readonly reason: "already_counted" | null
  readonly position: number
}

export interface CommentOutcome {
  readonly commentId: string
  readonly threadId: string
  readonly changed: boolean
  readonly position: number
}

export interface EngagementShape {
  /** The player's report of `watchedSeconds` in the playback session `session` (its token). */
  reportView(
    caller: EngagementCaller,
    videoId: string,
    session: string,
    watchedSeconds: number
  ): Effect.Effect<ViewOutcome, EngagementError<ViewError> | PlaybackSessionInvalid | PlaybackSessionsUnavailable>
  rate(caller: EngagementCaller, videoId: string, rating: RatingValue): Effect.Effect<CommandResult<unknown>, EngagementError<RatingError>>
  postComment(caller: EngagementCaller, videoId: string, text: string, parentId?: string): Effect.Effect<CommentOutcome, EngagementError<CommentError>>
  editComment(caller: EngagementCaller, videoId: string, commentId: string, text: string): Effect.Effect<CommentOutcome, EngagementError<CommentError>>
  deleteComment(caller: EngagementCaller, videoId: string, commentId: string): Effect.Effect<CommentOutcome, EngagementError<CommentError>>
  subscribe(caller: EngagementCaller, creatorId: string): Effect.Effect<CommandResult<unknown>, SendError<SubscriptionError>>
  unsubscribe(caller: EngagementCaller, creatorId: string): Effect.Effect<CommandResult<unknown>, SendError<SubscriptionError>>
}

export class Engagement extends Context.Service<Engagement, EngagementShape>()("keyframe/Engagement") {
  /** Needs the actors, the served videos read model (for the access rule and a video's length) and a session verifier. */
  static readonly layer: Layer.Layer<Engagement, never, ActorSystem | ProjectionRunner | ReadStore | PlaybackSessionVerifier> = Layer.effect(
    Engagement,
    Effect.gen(function*() {
      const actors = yield* ActorSystem
      const runner = yield* ProjectionRunner
      const store = yield* ReadStore
      const sessions = yield* PlaybackSessionVerifier

      /** The video if the caller may see it (watch it, with `watch`); 404 otherwise: existence is not disclosed. */
      const visibleVideo = (caller: EngagementCaller, videoId: string, watch = false): Effect.Effect<VideoFacts, Lookup> =>
        Effect.flatMap(loadVideoFacts(runner, store, videoId), (facts) =>
          facts !== undefined && (watch ? canWatch(facts, caller.actor) : canSee(facts, caller.actor))
            ? Effect.succeed(facts)
            : Effect.fail(new NotFound({ category: "video", id: videoId })))

      const commentOutcome = (result: CommandResult<CommentEvent>, commentId: string): CommentOutcome => {
        const id = result.events[0]?.commentId ?? commentId
        return { commentId: id, threadId: threadOf(id), changed: result.events.length > 0, position: result.position }
      }

      const sendComment = (caller: EngagementCaller, videoId: string, commentId: string, command: Parameters<typeof CommentAggregate.decider.decide>[0], commandId?: string) =>
        Effect.map(
          actors.send(CommentAggregate, engagementStreams.thread(videoId, commentId), { command, actor: caller.actor, commandId, correlationId: caller.correlationId }),
          (result) => commentOutcome(result, commentId)
        )

      const follow = (caller: EngagementCaller, tag: "Subscribe" | "Unsubscribe", creatorId: string) =>
        actors.send(SubscriptionAggregate, caller.actor.userId, {
          command: { _tag: tag, creatorId },
          actor: caller.actor,
          commandId: engagementCommandIds.byUser(tag.toLowerCase(), creatorId, caller.actor.userId, caller.key),
          correlationId: caller.correlationId
        })

      return Engagement.of({
        reportView: Effect.fn("Engagement.reportView")(function*(caller, videoId, token, watchedSeconds) {
          const session = yield* sessions.verify(token)
          if (session.videoId !== videoId) return yield* new PlaybackSessionInvalid({ reason: "it was issued for another video" })
          if (session.userId !== caller.actor.userId) return yield* new PlaybackSessionInvalid({ reason: "it was issued to another user" })
          const facts = yield* visibleVideo(caller, videoId, true)
          const userId = caller.actor.userId
          const result = yield* actors.send(ViewAggregate, engagementStreams.view(videoId, userId), {
            command: {
              _tag: "CountView",
              videoId,
              viewerKey: userKey(userId),
              sessionId: session.sessionId,
              sessionIssuedAt: session.issuedAt,
              watchedSeconds,
              durationSeconds: facts.durationSeconds
            },
            actor: caller.actor,
            correlationId: caller.correlationId
          })
          const counted = result.events.length > 0
          return { counted, reason: counted ? null : "already_counted", position: result.position } satisfies ViewOutcome
        }),
        rate: Effect.fn("Engagement.rate")(function*(caller, videoId, rating) {
          yield* visibleVideo(caller, videoId)
          return yield* actors.send(RatingAggregate, engagementStreams.rating(videoId, caller.actor.userId), {
            command: { _tag: "RateVideo", videoId, rating },
            actor: caller.actor,
            correlationId: caller.correlationId
          })
        }),
        postComment: Effect.fn("Engagement.postComment")(function*(caller, videoId, text, parentId) {
          yield* visibleVideo(caller, videoId)
          const userId = caller.actor.userId
          const commentId = parentId === undefined ? engagementCommandIds.newThreadId(videoId, userId, caller.key) : engagementCommandIds.newReplyId(parentId)
          const command = {
            _tag: "PostComment" as const,
            videoId,
            threadId: threadOf(commentId),
            commentId,
            text,
            ...(parentId === undefined ? {} : { parentId })
          }
          return yield* sendComment(caller, videoId, commentId, command, engagementCommandIds.post(videoId, userId, caller.key))
        }),
        editComment: Effect.fn("Engagement.editComment")(function*(caller, videoId, commentId, text) {
          yield* visibleVideo(caller, videoId)
          return yield* sendComment(caller, videoId, commentId, { _tag: "EditComment", videoId, threadId: threadOf(commentId), commentId, text })
        }),
        deleteComment: Effect.fn("Engagement.deleteComment")(function*(caller, videoId, commentId) {
          const facts = yield* visibleVideo(caller, videoId)
          return yield* sendComment(caller, videoId, commentId, {
            _tag: "DeleteComment",
            videoId,
            threadId: threadOf(commentId),
            commentId,
            videoOwnerId: facts.ownerId
          })
        }),
        subscribe: (caller, creatorId) => follow(caller, "Subscribe", creatorId),
        unsubscribe: (caller, creatorId) => follow(caller, "Unsubscribe", creatorId)
      })
    })
  )
}
