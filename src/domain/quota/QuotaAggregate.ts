/** The quota aggregate as the actor runtime uses it: stream category `quota`, one stream per user. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { QuotaCommand } from "./QuotaCommands.ts"
import { QuotaDecider } from "./QuotaDecider.ts"
import type { QuotaError } from "./QuotaErrors.ts"
import { QuotaEvent } from "./QuotaEvents.ts"
import type { QuotaState } from "./QuotaState.ts"

export const QuotaEventCodec = makeEventCodec(QuotaEvent)

export const QuotaAggregate: Aggregate<QuotaState, QuotaCommand, QuotaEvent, QuotaError, DomainSettings> = {
  category: "quota",
  decider: QuotaDecider,
  events: QuotaEventCodec,
  commandSchema: QuotaCommand
}
