/** The actor system as `npm start` and `npm run worker` build it: ACTOR_* settings, and the deciders' settings as the admins' runtime overrides leave them. */
import { Effect, Layer } from "effect"
import { ActorSystem } from "../actors/ActorSystem.ts"
import { domainSettings, type KeyframeSettings } from "../config.ts"
import type { EventStore } from "../eventstore/EventStore.ts"
import { RuntimeSettings } from "../settings/RuntimeSettings.ts"

/** `soleWriter`: this process is the event store's only writer (the embedded store under `npm start`). */
export const actorsLayer = (config: KeyframeSettings, soleWriter: boolean): Layer.Layer<ActorSystem | RuntimeSettings, never, EventStore> =>
  Layer.unwrap(Effect.map(RuntimeSettings, (runtimeSettings) =>
    ActorSystem.layer({
      mailboxSize: config.actors.mailboxSize,
      idleMillis: config.actors.idleSeconds * 1000,
      maxLive: config.actors.maxLive,
      maxConflictRetries: config.actors.maxConflictRetries,
      maxBatch: config.actors.maxBatch,
      settings: runtimeSettings.base,
      // the admins' overrides (PUT /admin/settings) over the environment's, as this process follows them
      currentSettings: runtimeSettings.current,
      soleWriter
    }))).pipe(Layer.provideMerge(RuntimeSettings.layer(domainSettings(config))))
