/** The live-stream aggregate as the actor runtime uses it: stream category `stream`. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { StreamCommand } from "./StreamCommands.ts"
import { StreamDecider } from "./StreamDecider.ts"
import type { StreamError } from "./StreamErrors.ts"
import { StreamEvent } from "./StreamEvents.ts"
import type { StreamState } from "./StreamState.ts"

export const StreamEventCodec = makeEventCodec(StreamEvent)

export const StreamAggregate: Aggregate<StreamState, StreamCommand, StreamEvent, StreamError, DomainSettings> = {
  category: "stream",
  decider: StreamDecider,
  events: StreamEventCodec,
  commandSchema: StreamCommand
}
