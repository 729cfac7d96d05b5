/** The comment-thread aggregate as the actor runtime uses it: stream category `comment`, one stream per thread. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { CommentCommand } from "./CommentCommands.ts"
import { CommentDecider } from "./CommentDecider.ts"
import type { CommentError } from "./CommentErrors.ts"
import { CommentEvent } from "./CommentEvents.ts"
import type { CommentThreadState } from "./CommentThreadState.ts"

export const CommentEventCodec = makeEventCodec(CommentEvent)

export const CommentAggregate: Aggregate<CommentThreadState, CommentCommand, CommentEvent, CommentError, DomainSettings> = {
  category: "comment",
  decider: CommentDecider,
  events: CommentEventCodec,
  commandSchema: CommentCommand
}
