/** The per-stream hash chain (DESIGN.md §5): how an event's hash is made, and how a chain is verified. */
import { Effect } from "effect"
import type { EventMetadata, JsonValue, RecordedEvent } from "./EventStoreTypes.ts"
import { sha256HexOfText } from "../digest/Hashes.ts"

/** prevHash of a stream's first event. */
export const GENESIS_HASH = "0".repeat(64)

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  // Loops rather than map/filter/join: this runs for every event appended and verified.
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + (canonicalJson(value[i]) ?? "")
    return out + "]"
  }
  const record = value as Record<string, unknown>
  let out = "{"
  for (const key of Object.keys(record).sort()) {
    const item = record[key]
    if (item === undefined) continue
    out += (out.length === 1 ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(item)
  }
  return out + "}"
}

/**
 * SHA-256 of a text's UTF-8 bytes, hex, synchronous. The portable one is @noble/hashes (src/digest/Hashes.ts);
 * a runtime may hand its native one to the event store (Node's: src/runtime/NodeDigests.ts, ~6× faster on an
 * event), since every event appended is hashed. Any of them gives the same hash: chains verify either way.
 */
export type TextSha256 = (text: string) => string

/** SHA-256 over (prevHash, type, canonical data, metadata without hash), hex: a pure function. */
export const eventHash = (
  type: string,
  data: JsonValue,
  metadataWithoutHash: Omit<EventMetadata, "hash">,
  sha256Hex: TextSha256 = sha256HexOfText
): string => sha256Hex(canonicalJson([metadataWithoutHash.prevHash, type, data, metadataWithoutHash]))

/** eventHash as an Effect. Runs on Node and Deno. */
export const hashEvent = (
  type: string,
  data: JsonValue,
  metadataWithoutHash: Omit<EventMetadata, "hash">
): Effect.Effect<string> => Effect.sync(() => eventHash(type, data, metadataWithoutHash))

/** An event's metadata completed with its place in the chain (pure; chainMetadata is the Effect). */
export const linkMetadata = (
  prevHash: string,
  type: string,
  data: JsonValue,
  metadata: Omit<EventMetadata, "hash" | "prevHash">,
  sha256Hex: TextSha256 = sha256HexOfText
): EventMetadata => {
  const withoutHash = { ...metadata, prevHash }
  return { ...withoutHash, hash: eventHash(type, data, withoutHash, sha256Hex) }
}

/** Completes an event's metadata with its place in the chain. */
export const chainMetadata = (
  prevHash: string,
  type: string,
  data: JsonValue,
  metadata: Omit<EventMetadata, "hash" | "prevHash">
): Effect.Effect<EventMetadata> => Effect.sync(() => linkMetadata(prevHash, type, data, metadata))

export interface BrokenLink {
  readonly stream: string
  readonly revision: number
  readonly position: number
  readonly eventId: string
  readonly reason: "hash_mismatch" | "prev_hash_mismatch" | "revision_gap"
  readonly expected: string
  readonly actual: string
}

export type ChainReport =
  | { readonly ok: true; readonly checked: number }
  | { readonly ok: false; readonly checked: number; readonly broken: BrokenLink }

/**
 * A verifier that is fed events in order (of one stream, or of the whole store in
 * position order) and remembers each stream's last hash; it stops at the first broken link.
 */
export const makeChainVerifier = () => {
  const heads = new Map<string, { revision: number; hash: string }>()
  let checked = 0
  let broken: BrokenLink | undefined
  const check = (event: RecordedEvent): Effect.Effect<boolean> =>
    Effect.gen(function*() {
      if (broken) return false
      const head = heads.get(event.stream)
      const expectedRevision = head ? head.revision + 1 : 0
      const fail = (reason: BrokenLink["reason"], expected: string, actual: string) => {
        broken = {
          stream: event.stream,
          revision: event.revision,
          position: event.position,
          eventId: event.id,
          reason,
          expected,
          actual
        }
        return false
      }
      if (event.revision !== expectedRevision) {
        return fail("revision_gap", String(expectedRevision), String(event.revision))
      }
      const expectedPrev = head ? head.hash : GENESIS_HASH
      const { hash, ...withoutHash } = event.metadata
      if (withoutHash.prevHash !== expectedPrev) return fail("prev_hash_mismatch", expectedPrev, String(withoutHash.prevHash))
      const recomputed = yield* hashEvent(event.type, event.data, withoutHash)
      if (recomputed !== hash) return fail("hash_mismatch", recomputed, String(hash))
      heads.set(event.stream, { revision: event.revision, hash })
      checked++
      return true
    })
  const report = (): ChainReport => (broken ? { ok: false, checked, broken } : { ok: true, checked })
  return { check, report }
}
