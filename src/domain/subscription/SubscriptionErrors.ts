/** Why the subscription aggregate rejects a command. */
import { Schema } from "effect"
import type { Forbidden, UnknownCommand } from "../shared/DomainError.ts"

export class SelfSubscription extends Schema.TaggedError<SelfSubscription>()("SelfSubscription", {}) {
  readonly code = "SELF_SUBSCRIPTION" as const
  override get message(): string {
    return "You cannot subscribe to yourself."
  }
}

export class SubscriptionLimit extends Schema.TaggedError<SubscriptionLimit>()("SubscriptionLimit", { limit: Schema.Number }) {
  readonly code = "SUBSCRIPTION_LIMIT" as const
  override get message(): string {
    return `You follow ${this.limit} creators, the most allowed; unsubscribe from one first.`
  }
}

export type SubscriptionError = SelfSubscription | SubscriptionLimit | Forbidden | UnknownCommand
