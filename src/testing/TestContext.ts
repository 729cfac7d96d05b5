/** Default actors, clock and settings for specifications and property checks. */
import type { Principal, Aggregate, DecideContext, Decider } from "../domain/shared/Decider.ts"
import { defaultDomainSettings, type DomainSettings } from "../domain/shared/DomainSettings.ts"

/** Sunday 2026-01-04T00:00:00Z: the start of a quota period under the default settings. */
export const T0 = Date.UTC(2026, 0, 4)

/** Ready-made actors: two users (bob is also a sponsor), an admin, and the system (workers, janitors). */
export const testActors = {
  alice: { userId: "alice", roles: ["user"] },
  bob: { userId: "bob", roles: ["user", "sponsor"] },
  carol: { userId: "carol", roles: ["user", "admin"] },
  system: { userId: "system", roles: ["system"] }
} as const satisfies Record<string, Principal>

/** A context field by field, where `settings` may be partial (merged onto the defaults). */
export interface ContextOverrides<Settings> {
  readonly now?: number
  readonly actor?: Principal
  readonly settings?: Partial<Settings>
}

/** Anything with a decider: an `Aggregate` (which also brings its event codec) or a bare `Decider`. */
export type DeciderSource<State, Command, Event, DomainError, Settings> =
  | Aggregate<State, Command, Event, DomainError, Settings>
  | Decider<State, Command, Event, DomainError, Settings>

export const deciderOf = <State, Command, Event, DomainError, Settings>(
  source: DeciderSource<State, Command, Event, DomainError, Settings>
): Decider<State, Command, Event, DomainError, Settings> => ("decider" in source ? source.decider : source)

export const aggregateOf = <State, Command, Event, DomainError, Settings>(
  source: DeciderSource<State, Command, Event, DomainError, Settings>
): Aggregate<State, Command, Event, DomainError, Settings> | undefined => ("decider" in source ? source : undefined)

/**
 * Builds a context: `now` defaults to `T0`, the actor to alice, settings to Keyframe's
 * `defaultDomainSettings` (for a decider with other settings, pass them all).
 */
export const makeContext = <Settings>(
  ...layers: ReadonlyArray<ContextOverrides<Settings> | undefined>
): DecideContext<Settings> => {
  let now = T0
  let actor: Principal = testActors.alice
  let settings = defaultDomainSettings as unknown as Settings
  for (const layer of layers) {
    if (layer === undefined) continue
    now = layer.now ?? now
    actor = layer.actor ?? actor
    settings = layer.settings === undefined ? settings : { ...settings, ...layer.settings }
  }
  return { now, actor, settings }
}

export type { DomainSettings }

/**
 * Settings scaled down so random sequences reach the limits: a 100-byte weekly quota and file
 * size, 10-byte stream chunks, rooms of 2 (sponsored rooms stay unlimited). The `interacting` arbitraries draw sizes on this scale.
 */
export const smallDomainSettings: DomainSettings = {
  ...defaultDomainSettings,
  weeklyUploadLimitBytes: 100,
  maxFileSizeBytes: 100,
  chunkSizeBytes: 10,
  defaultMaxParticipants: 2
}
