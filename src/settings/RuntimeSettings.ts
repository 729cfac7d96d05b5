/**
 * The runtime settings as this process sees them: the environment's DomainSettings overlaid with the
 * admins' overrides (`settings-runtime`, SettingsAggregate.ts), read whole at start and then followed
 * live, so a PUT /admin/settings on any node reaches every node's upload checks within moments.
 * `current` is synchronous: the actor system and the tus routes read it on every command and request.
 */
import { Context, Effect, Layer, Schedule, Stream } from "effect"
import type { DomainSettings } from "../domain/shared/DomainSettings.ts"
import { evolveSettings, noOverrides, SETTINGS_ID, SettingsAggregate, type SettingsState, withOverrides } from "../domain/settings/SettingsAggregate.ts"
import { EventStore } from "../eventstore/EventStore.ts"
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"

export interface RuntimeSettingsShape {
  /** The environment's settings (what a null override goes back to). */
  readonly base: DomainSettings
  /** The settings in force now, as far as this process has followed the overrides. */
  readonly current: () => DomainSettings
  readonly state: () => SettingsState
}

const STREAM = `${SettingsAggregate.category}-${SETTINGS_ID}`

export class RuntimeSettings extends Context.Service<RuntimeSettings, RuntimeSettingsShape>()("keyframe/RuntimeSettings") {
  /** Follows the overrides in the layer's scope (resubscribing after store trouble). */
  static layer(base: DomainSettings): Layer.Layer<RuntimeSettings, never, EventStore> {
    return Layer.effect(
      RuntimeSettings,
      Effect.gen(function*() {
        const store = yield* EventStore
        let state: SettingsState = noOverrides
        let revision = -1
        let current = base
        const apply = (event: RecordedEvent) => {
          if (event.revision <= revision) return
          revision = event.revision
          const decoded = SettingsAggregate.events.decode({ type: event.type, data: event.data, schemaVersion: event.metadata.schemaVersion })
          if (decoded._tag === "Failure") return
          state = evolveSettings(state, decoded.success)
          current = withOverrides(base, state.overrides)
        }
        // what is in force at start, before anything decides with the settings
        const history = yield* store.readStream(STREAM).pipe(
          Effect.tapError((e) => Effect.logWarning(`runtime settings: not read at start (environment defaults until the follow catches up): ${e.message}`)),
          Effect.orElseSucceed((): ReadonlyArray<RecordedEvent> => [])
        )
        history.forEach(apply)
        yield* Effect.suspend(() =>
          store.subscribeToStream(STREAM, { after: revision < 0 ? "start" : revision }).pipe(
            Stream.runForEach((event) => Effect.sync(() => apply(event)))
          )
        ).pipe(
          Effect.tapError((e) => Effect.logWarning(`runtime settings: the follow failed, resubscribing: ${e.message}`)),
          Effect.retry(Schedule.min([Schedule.exponential("250 millis"), Schedule.spaced("10 seconds")])),
          Effect.forkScoped
        )
        return RuntimeSettings.of({ base, current: () => current, state: () => state })
      })
    )
  }
  /** Fixed settings, no follow (tests, tools). */
  static fixed(base: DomainSettings): Layer.Layer<RuntimeSettings> {
    return Layer.succeed(RuntimeSettings, RuntimeSettings.of({ base, current: () => base, state: () => noOverrides }))
  }
}
