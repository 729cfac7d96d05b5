/** `Upload-Metadata` (tus creation): comma-separated `key base64value` pairs, decoded as UTF-8, and encoded back for HEAD. */
import { Result } from "effect"
import * as Base64 from "effect/encoding/Base64"

export type MetadataResult =
  | { readonly ok: true; readonly metadata: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string }

/** Longest header accepted: filename and type fit many times over; larger is a client bug or abuse. */
export const MAX_METADATA_LENGTH = 8 * 1024

// Standard alphabet; padding optional (some clients drop it), but never a length of 4n+1.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/
const KEY = /^[\x21-\x2b\x2d-\x7e]+$/ // printable ASCII without space and comma

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Strict base64 → UTF-8 text; undefined when either layer is malformed. */
export const decodeBase64Utf8 = (value: string): string | undefined => {
  if (!BASE64.test(value)) return undefined
  // Base64.decode wants the padding the regex lets clients drop
  const bytes = Base64.decode(value.padEnd(Math.ceil(value.length / 4) * 4, "="))
  if (Result.isFailure(bytes)) return undefined
  try {
    return utf8.decode(bytes.success)
  } catch {
    return undefined
  }
}

export const encodeBase64Utf8 = (text: string): string => Base64.encode(text)

/** Parses the header; a key without a value maps to "". Keys must be unique. */
export const parseMetadata = (header: string | undefined): MetadataResult => {
  const metadata = new Map<string, string>()
  if (header === undefined || header.trim() === "") return { ok: true, metadata }
  if (header.length > MAX_METADATA_LENGTH) {
    return { ok: false, reason: `Upload-Metadata is longer than ${MAX_METADATA_LENGTH} characters` }
  }
  for (const pair of header.split(",")) {
    const parts = pair.trim().split(" ")
    const [key = "", value] = parts
    if (parts.length > 2 || !KEY.test(key)) {
      return { ok: false, reason: `Upload-Metadata: "${pair.trim().slice(0, 40)}" is not "key base64value"` }
    }
    if (metadata.has(key)) return { ok: false, reason: `Upload-Metadata: the key "${key}" appears twice` }
    const decoded = value === undefined ? "" : decodeBase64Utf8(value)
    if (decoded === undefined) {
      return { ok: false, reason: `Upload-Metadata: the value of "${key}" is not base64-encoded UTF-8` }
    }
    metadata.set(key, decoded)
  }
  return { ok: true, metadata }
}

/** The header value for these entries (values base64-encoded). */
export const formatMetadata = (entries: ReadonlyArray<readonly [string, string]>): string =>
  entries.map(([key, value]) => `${key} ${encodeBase64Utf8(value)}`).join(",")
