/** The event store contract (DESIGN.md §5): one list of framework-neutral cases that every adapter must pass. */
import { appendCases } from "./contract/AppendCases.ts"
import type { ContractCase } from "./contract/ContractSupport.ts"
import { integrityCases } from "./contract/IntegrityCases.ts"
import { readCases } from "./contract/ReadCases.ts"
import { subscriptionCases } from "./contract/SubscriptionCases.ts"
import { validationCases } from "./contract/ValidationCases.ts"

export type { ContractCase } from "./contract/ContractSupport.ts"
export { freshStoreCases } from "./contract/IntegrityCases.ts"

/** Every case uses stream names, types and checkpoints of its own, so one store instance serves them all. */
export const contractCases: ReadonlyArray<ContractCase> = [
  ...appendCases,
  ...readCases,
  ...subscriptionCases,
  ...integrityCases,
  ...validationCases
]
