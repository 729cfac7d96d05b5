/** The view aggregate as the actor runtime uses it: stream category `view`, one stream per (video, viewer). */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { ViewCommand } from "./ViewCommands.ts"
import { ViewDecider, type ViewState } from "./ViewDecider.ts"
import type { ViewError } from "./ViewErrors.ts"
import { ViewEvent } from "./ViewEvents.ts"

export const ViewEventCodec = makeEventCodec(ViewEvent)

export const ViewAggregate: Aggregate<ViewState, ViewCommand, ViewEvent, ViewError, DomainSettings> = {
  category: "view",
  decider: ViewDecider,
  events: ViewEventCodec,
  commandSchema: ViewCommand
}
