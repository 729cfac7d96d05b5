/** The rating aggregate as the actor runtime uses it: stream category `rating`, one stream per (video, user). */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { RatingCommand } from "./RatingCommands.ts"
import { RatingDecider, type RatingError, type RatingState } from "./RatingDecider.ts"
import { RatingEvent } from "./RatingEvents.ts"

export const RatingEventCodec = makeEventCodec(RatingEvent)

export const RatingAggregate: Aggregate<RatingState, RatingCommand, RatingEvent, RatingError, DomainSettings> = {
  category: "rating",
  decider: RatingDecider,
  events: RatingEventCodec,
  commandSchema: RatingCommand
}
