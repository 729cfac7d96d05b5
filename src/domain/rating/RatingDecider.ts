/** The rating decider: a user's one rating of one video, changeable, idempotent. */
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { Forbidden, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import type { RatingCommand, RatingValue } from "./RatingCommands.ts"
import type { RatingEvent } from "./RatingEvents.ts"

export type RatingState =
  | { readonly status: "Unrated" }
  | { readonly status: "Rated"; readonly videoId: string; readonly userId: string; readonly rating: RatingValue }

export type RatingError = Forbidden | WrongAggregate | UnknownCommand

export const initialRatingState: RatingState = { status: "Unrated" }

export const evolveRating = (_state: RatingState, event: RatingEvent): RatingState => ({
  status: "Rated",
  videoId: event.videoId,
  userId: event.userId,
  rating: event.rating
})

export const decideRating = (command: RatingCommand, state: RatingState, context: DecideContext<DomainSettings>): Decision<RatingEvent, RatingError> => {
  const userId = context.actor.userId
  const current = state.status === "Rated" ? state.rating : "none"
  if (state.status === "Rated") {
    if (state.videoId !== command.videoId) {
      return reject(new WrongAggregate({ category: "rating", expectedId: state.videoId, commandId: command.videoId }))
    }
    if (state.userId !== userId) return reject(new Forbidden({ action: "change this rating", allowed: "the user who gave it" }))
  }
  if (command._tag !== "RateVideo") return reject(new UnknownCommand({ category: "rating", command: String((command as { _tag?: unknown })._tag) }))
  return command.rating === current
    ? unchanged
    : accept({ _tag: "RatingChanged", videoId: command.videoId, userId, rating: command.rating, previous: current, at: context.now })
}

export const RatingDecider: Decider<RatingState, RatingCommand, RatingEvent, RatingError, DomainSettings> = {
  initialState: initialRatingState,
  decide: decideRating,
  evolve: evolveRating
}
