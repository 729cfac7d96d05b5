/**
 * Keyframe's test kit: given/when/then specifications, schema-derived arbitraries for every
 * command and event, and property checks over random command sequences. Works with any
 * `Aggregate` or `Decider`, in any test runner (failures are thrown errors); needs fast-check.
 */
export { checkInvariant, type CheckInvariantOptions } from "./CheckInvariant.ts"
export { codecProblem, roundTrip } from "./CodecRoundTrip.ts"
export {
  clockAdvance,
  type Invariant,
  InvariantViolation,
  type SequenceContext,
  type SequenceOptions,
  type Step
} from "./CommandSequences.ts"
export { checkDeciderLaws, type DeciderLawsOptions } from "./DeciderLaws.ts"
export { deepEqual, show } from "./DeepEqual.ts"
export { anyTestActor, dave, hashOf, oneIn, pick, userIds, weighted } from "./Pools.ts"
export { quotaArbitraries } from "./QuotaArbitraries.ts"
export { roomArbitraries } from "./RoomArbitraries.ts"
export { byTag, fromEffectArbitrary, fromSchema } from "./SchemaArbitrary.ts"
export { type Given, type Outcome, SpecificationError, specFor, type When } from "./Specification.ts"
export { streamArbitraries } from "./StreamArbitraries.ts"
export {
  type ContextOverrides,
  type DeciderSource,
  makeContext,
  smallDomainSettings,
  T0,
  testActors
} from "./TestContext.ts"
export { uploadArbitraries } from "./UploadArbitraries.ts"
export { videoArbitraries } from "./VideoArbitraries.ts"
