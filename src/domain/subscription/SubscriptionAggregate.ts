/** The subscription aggregate as the actor runtime uses it: stream category `subscription`, one stream per follower. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { SubscriptionCommand } from "./SubscriptionCommands.ts"
import { SubscriptionDecider, type SubscriptionState } from "./SubscriptionDecider.ts"
import type { SubscriptionError } from "./SubscriptionErrors.ts"
import { SubscriptionEvent } from "./SubscriptionEvents.ts"

export const SubscriptionEventCodec = makeEventCodec(SubscriptionEvent)

export const SubscriptionAggregate: Aggregate<SubscriptionState, SubscriptionCommand, SubscriptionEvent, SubscriptionError, DomainSettings> = {
  category: "subscription",
  decider: SubscriptionDecider,
  events: SubscriptionEventCodec,
  commandSchema: SubscriptionCommand
}
