/** Events of the subscription aggregate. All at schema version 1. */
import { Schema } from "effect"
import { EpochMillis, UserId } from "../shared/Primitives.ts"

export const Subscribed = Schema.TaggedStruct("Subscribed", { userId: UserId, creatorId: UserId, at: EpochMillis })
export const Unsubscribed = Schema.TaggedStruct("Unsubscribed", { userId: UserId, creatorId: UserId, at: EpochMillis })

export const SubscriptionEvent = Schema.Union([Subscribed, Unsubscribed])
export type SubscriptionEvent = typeof SubscriptionEvent.Type
