/** Subscriptions: idempotent follow/unfollow, no self-subscription, a bounded list. */
import { describe, it } from "vitest"
import { SubscriptionAggregate } from "../../../src/domain/subscription/SubscriptionAggregate.ts"
import { MAX_SUBSCRIPTIONS } from "../../../src/domain/subscription/SubscriptionCommands.ts"
import type { SubscriptionEvent } from "../../../src/domain/subscription/SubscriptionEvents.ts"
import { specFor, T0, testActors } from "../../../src/testing/index.ts"

const { given } = specFor(SubscriptionAggregate, { now: T0 })
const followsBob: SubscriptionEvent = { _tag: "Subscribed", userId: "alice", creatorId: "bob", at: T0 }

describe("subscriptions", () => {
  it("subscribes once; a repeat changes nothing", () => {
    given([]).when({ _tag: "Subscribe", creatorId: "bob" }).then([followsBob])
    given([followsBob]).when({ _tag: "Subscribe", creatorId: "bob" }).then([])
  })
  it("unsubscribes once; unsubscribing from someone not followed changes nothing", () => {
    given([followsBob]).when({ _tag: "Unsubscribe", creatorId: "bob" }).then([{ _tag: "Unsubscribed", userId: "alice", creatorId: "bob", at: T0 }])
    given([]).when({ _tag: "Unsubscribe", creatorId: "bob" }).then([])
  })
  it("refuses a subscription to oneself", () => {
    given([]).when({ _tag: "Subscribe", creatorId: "alice" }).then("SELF_SUBSCRIPTION")
  })
  it("refuses the subscription one past the limit", () => {
    const many: Array<SubscriptionEvent> = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, i) => ({ _tag: "Subscribed", userId: "alice", creatorId: `c${i}`, at: T0 }))
    given(many).when({ _tag: "Subscribe", creatorId: "bob" }).then("SUBSCRIPTION_LIMIT")
  })
  it("another user may not act on alice's list", () => {
    given([followsBob]).when({ _tag: "Unsubscribe", creatorId: "bob" }, { actor: testActors.carol }).then("FORBIDDEN")
  })
})
