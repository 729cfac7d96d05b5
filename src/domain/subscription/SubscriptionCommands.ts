/** Commands of the subscription aggregate (`subscription-<userId>`): the creators one user follows. */
import { Schema } from "effect"
import { UserId } from "../shared/Primitives.ts"

/** Most creators one user may follow (keeps the feed's query-time merge bounded). */
export const MAX_SUBSCRIPTIONS = 1000

export const Subscribe = Schema.TaggedStruct("Subscribe", { creatorId: UserId })
export const Unsubscribe = Schema.TaggedStruct("Unsubscribe", { creatorId: UserId })

export const SubscriptionCommand = Schema.Union([Subscribe, Unsubscribe])
export type SubscriptionCommand = typeof SubscriptionCommand.Type
