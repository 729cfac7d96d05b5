/** Object key and prefix rules shared by every adapter, so a key valid on fs is valid on S3 and back. */
import { Effect } from "effect"
import { InvalidObjectKey } from "./ObjectStoreError.ts"

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024
/** Most file systems' limit on one name; keys map to paths on the fs adapter. */
export const MAX_SEGMENT_BYTES = 255
/** Top-level name the fs adapter keeps its temporary files and multipart parts under. */
export const RESERVED_PREFIX = ".keyframe"

const encoder = new TextEncoder()
// Control characters break paths, logs and HTTP headers alike.
const CONTROL = /[\u0000-\u001f\u007f]/

const problem = (value: string, isPrefix: boolean): string | undefined => {
  if (typeof value !== "string") return "not a string"
  if (!isPrefix && value.length === 0) return "empty"
  if (encoder.encode(value).length > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`
  if (value.startsWith("/")) return "starts with /"
  if (value.includes("\\")) return "contains a backslash"
  if (CONTROL.test(value)) return "contains a control character"
  const segments = value.split("/")
  // A prefix may end with "/" (a folder) or in the middle of a name.
  const whole = isPrefix ? segments.slice(0, -1) : segments
  const last = segments[segments.length - 1] ?? ""
  for (const s of whole) {
    if (s === "") return "contains an empty segment (//)"
  }
  for (const s of segments) {
    if (s === "." || s === "..") return `contains a '${s}' segment`
    if (encoder.encode(s).length > MAX_SEGMENT_BYTES) return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`
  }
  if (!isPrefix && last === "") return "ends with /"
  const first = segments[0] ?? ""
  if (first.startsWith(RESERVED_PREFIX) && (segments.length > 1 || !isPrefix)) return `'${RESERVED_PREFIX}' is reserved`
  return undefined
}

/** Succeeds with the key when it is valid: 1–1024 UTF-8 bytes, `/`-separated non-empty segments, no `.`/`..`, no leading `/`. */
export const validateKey = (key: string): Effect.Effect<string, InvalidObjectKey> => {
  const reason = problem(key, false)
  return reason === undefined ? Effect.succeed(key) : Effect.fail(new InvalidObjectKey({ key, reason }))
}

/** Like validateKey, but the last segment may be partial or empty (`media/`, `media/ab`), and `""` means everything. */
export const validatePrefix = (prefix: string): Effect.Effect<string, InvalidObjectKey> => {
  const reason = problem(prefix, true)
  return reason === undefined ? Effect.succeed(prefix) : Effect.fail(new InvalidObjectKey({ key: prefix, reason }))
}

/** The prefix rule for deletions: an empty prefix would delete everything, so it is refused. */
export const validateDeletePrefix = (prefix: string): Effect.Effect<string, InvalidObjectKey> =>
  prefix === ""
    ? Effect.fail(new InvalidObjectKey({ key: prefix, reason: "an empty prefix would delete every object" }))
    : validatePrefix(prefix)
