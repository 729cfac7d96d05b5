/**
 * Runtime settings (`settings-runtime`): the limits an admin may change while Keyframe runs, overriding
 * the environment's defaults (MAX_FILE_SIZE_BYTES, WEEKLY_UPLOAD_LIMIT_BYTES). Each change is an event with
 * who and when; null puts a setting back to its environment default.
 */
import { Schema } from "effect"
import { isAdmin } from "../shared/ActorRoles.ts"
import type { Aggregate, DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { Forbidden } from "../shared/DomainError.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { EpochMillis, PositiveInt, UserId } from "../shared/Primitives.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"

export const SETTINGS_ID = "runtime"

const Override = Schema.NullOr(PositiveInt)

/** The settings that have a runtime override, and their values (null = the environment's). */
export const RuntimeOverrides = Schema.Struct({ maxFileSizeBytes: Override, weeklyUploadLimitBytes: Override })
export type RuntimeOverrides = typeof RuntimeOverrides.Type

/** Absent: unchanged; null: back to the environment default. */
export const SetRuntimeSettings = Schema.TaggedStruct("SetRuntimeSettings", {
  maxFileSizeBytes: Schema.optional(Override),
  weeklyUploadLimitBytes: Schema.optional(Override)
})
export const SettingsCommand = Schema.Union([SetRuntimeSettings])
export type SettingsCommand = typeof SettingsCommand.Type

/** The overrides in force after the change (all of them, so one event tells the whole story). */
export const RuntimeSettingsChanged = Schema.TaggedStruct("RuntimeSettingsChanged", {
  ...RuntimeOverrides.fields,
  by: UserId,
  at: EpochMillis
})
export const SettingsEvent = Schema.Union([RuntimeSettingsChanged])
export type SettingsEvent = typeof SettingsEvent.Type

export interface SettingsState {
  readonly overrides: RuntimeOverrides
  readonly changedBy: string | null
  readonly changedAt: number | null
}

export const noOverrides: SettingsState = { overrides: { maxFileSizeBytes: null, weeklyUploadLimitBytes: null }, changedBy: null, changedAt: null }

export const evolveSettings = (_state: SettingsState, event: SettingsEvent): SettingsState => ({
  overrides: { maxFileSizeBytes: event.maxFileSizeBytes, weeklyUploadLimitBytes: event.weeklyUploadLimitBytes },
  changedBy: event.by,
  changedAt: event.at
})

export const decideSettings = (command: SettingsCommand, state: SettingsState, context: DecideContext<unknown>): Decision<SettingsEvent, Forbidden> => {
  if (!isAdmin(context.actor)) return reject(new Forbidden({ action: "change the runtime settings", allowed: "admins" }))
  const next: RuntimeOverrides = {
    maxFileSizeBytes: command.maxFileSizeBytes === undefined ? state.overrides.maxFileSizeBytes : command.maxFileSizeBytes,
    weeklyUploadLimitBytes: command.weeklyUploadLimitBytes === undefined ? state.overrides.weeklyUploadLimitBytes : command.weeklyUploadLimitBytes
  }
  if (next.maxFileSizeBytes === state.overrides.maxFileSizeBytes && next.weeklyUploadLimitBytes === state.overrides.weeklyUploadLimitBytes) return unchanged
  return accept({ _tag: "RuntimeSettingsChanged", ...next, by: context.actor.userId, at: context.now })
}

/** The environment's settings with the overrides in force. */
export const withOverrides = (base: DomainSettings, overrides: RuntimeOverrides): DomainSettings => ({
  ...base,
  maxFileSizeBytes: overrides.maxFileSizeBytes ?? base.maxFileSizeBytes,
  weeklyUploadLimitBytes: overrides.weeklyUploadLimitBytes ?? base.weeklyUploadLimitBytes
})

export const SettingsDecider: Decider<SettingsState, SettingsCommand, SettingsEvent, Forbidden, unknown> = {
  initialState: noOverrides,
  decide: decideSettings,
  evolve: evolveSettings
}

export const SettingsEventCodec = makeEventCodec(SettingsEvent)

export const SettingsAggregate: Aggregate<SettingsState, SettingsCommand, SettingsEvent, Forbidden, unknown> = {
  category: "settings",
  decider: SettingsDecider,
  events: SettingsEventCodec,
  commandSchema: SettingsCommand
}
