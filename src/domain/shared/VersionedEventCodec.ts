/** Builds an aggregate's `EventCodec` from its event union: `{type, data, schemaVersion}`, upcasting older versions on decode. */
import { Result, Schema, SchemaIssue } from "effect"
import type { EncodedEvent, EventCodec } from "./Decider.ts"

/** Turns the data of version `n` of one event type into version `n + 1`. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>

export interface EventVersions {
  /** Current schema version per event type; types not listed are at version 1. */
  readonly current?: Readonly<Record<string, number>>
  /** Per event type, per old version `n`: the step from `n` to `n + 1`. */
  readonly upcasters?: Readonly<Record<string, Readonly<Record<number, Upcaster>>>>
}

const invalid = (input: unknown, message: string) =>
  Result.fail(new Schema.SchemaError(new SchemaIssue.InvalidValue({ message }, input)))

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export const makeEventCodec = <Event extends { readonly _tag: string }>(
  schema: Schema.Codec<Event, unknown>,
  versions: EventVersions = {}
): EventCodec<Event> => {
  const encode = Schema.encodeSync(schema)
  const decode = Schema.decodeUnknownResult(schema)
  const currentOf = (type: string) => versions.current?.[type] ?? 1
  return {
    encode: (event) => {
      const { _tag, ...data } = encode(event) as { readonly _tag: string }
      return { type: _tag, data, schemaVersion: currentOf(_tag) }
    },
    decode: (stored: EncodedEvent) => {
      const current = currentOf(stored.type)
      const version = stored.schemaVersion
      if (!isRecord(stored.data)) return invalid(stored.data, `${stored.type}: data must be an object`)
      if (!Number.isInteger(version) || version < 1 || version > current) {
        return invalid(version, `${stored.type}: unknown schema version ${version} (current is ${current})`)
      }
      let data: Record<string, unknown> = stored.data
      for (let v = version; v < current; v++) {
        const step = versions.upcasters?.[stored.type]?.[v]
        if (step === undefined) return invalid(version, `${stored.type}: no upcaster from version ${v}`)
        try {
          data = step(data)
        } catch (cause) {
          return invalid(data, `${stored.type}: upcasting from version ${v} failed: ${String(cause)}`)
        }
      }
      return decode({ ...data, _tag: stored.type })
    }
  }
}
