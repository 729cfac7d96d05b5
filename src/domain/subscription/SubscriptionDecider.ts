/** The subscription decider: follow and unfollow creators, idempotently, at most MAX_SUBSCRIPTIONS at once. */
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { Forbidden, tagOf, UnknownCommand } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { MAX_SUBSCRIPTIONS, type SubscriptionCommand } from "./SubscriptionCommands.ts"
import { SelfSubscription, type SubscriptionError, SubscriptionLimit } from "./SubscriptionErrors.ts"
import type { SubscriptionEvent } from "./SubscriptionEvents.ts"

export interface SubscriptionState {
  /** The follower; null before the first event. */
  readonly userId: string | null
  readonly creators: ReadonlyArray<string>
}

export const initialSubscriptionState: SubscriptionState = { userId: null, creators: [] }

export const evolveSubscription = (state: SubscriptionState, event: SubscriptionEvent): SubscriptionState => {
  const others = state.creators.filter((c) => c !== event.creatorId)
  return { userId: event.userId, creators: event._tag === "Subscribed" ? [...others, event.creatorId] : others }
}

export const decideSubscription = (
  command: SubscriptionCommand,
  state: SubscriptionState,
  context: DecideContext<DomainSettings>
): Decision<SubscriptionEvent, SubscriptionError> => {
  const userId = context.actor.userId
  if (state.userId !== null && state.userId !== userId) {
    return reject(new Forbidden({ action: "change these subscriptions", allowed: "their owner" }))
  }
  const following = state.creators.includes(command.creatorId)
  switch (command._tag) {
    case "Subscribe":
      if (command.creatorId === userId) return reject(new SelfSubscription({}))
      if (following) return unchanged
      if (state.creators.length >= MAX_SUBSCRIPTIONS) return reject(new SubscriptionLimit({ limit: MAX_SUBSCRIPTIONS }))
      return accept({ _tag: "Subscribed", userId, creatorId: command.creatorId, at: context.now })
    case "Unsubscribe":
      return following ? accept({ _tag: "Unsubscribed", userId, creatorId: command.creatorId, at: context.now }) : unchanged
    default:
      return reject(new UnknownCommand({ category: "subscription", command: tagOf(command) }))
  }
}

export const SubscriptionDecider: Decider<SubscriptionState, SubscriptionCommand, SubscriptionEvent, SubscriptionError, DomainSettings> = {
  initialState: initialSubscriptionState,
  decide: decideSubscription,
  evolve: evolveSubscription
}
