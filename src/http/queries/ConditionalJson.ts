/**
 * JSON responses with a strong ETag naming the version of what they show, answering `If-None-Match`
 * with 304 (RFC 9110 §13.1.2). The tag is derived from the read model's slot and the documents'
 * positions (each document records the position of the last event folded into it), so it is computed
 * from a few numbers once per document version, not by hashing every body.
 */
import type { Slot } from "../../readstore/ReadStoreTypes.ts"
import type { Context } from "hono"
import type { AppEnv } from "../AppEnv.ts"
import { withResponseHeaders } from "../ResponseHeaders.ts"

const lane = (text: string, seed: number): number => {
  let h = seed
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** `"…"` (32 hex digits, four FNV-1a lanes) over the parts that name one version of an answer; not a security hash. */
export const versionTag = (parts: ReadonlyArray<string | number>): string => {
  const text = parts.join("\u0000")
  const hex = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b].map((seed) => lane(text, seed).toString(16).padStart(8, "0"))
  return `"${hex.join("")}"`
}

/** The slot's part of a tag: a rebuild or a new projection version makes new tags. */
export const slotTag = (slot: Slot): string => `${slot.projection}.${slot.version}.${slot.generation}`

/** A document's version: the position it records; a document without one falls back to its JSON (unusual). */
export const docVersion = (doc: unknown): string | number => {
  const position = (doc as { readonly position?: unknown } | null)?.position
  return typeof position === "number" ? position : JSON.stringify(doc)
}

/** Weak comparison, as If-None-Match requires: `W/"x"` matches `"x"`; `*` matches anything. */
export const matchesIfNoneMatch = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false
  const bare = etag.replace(/^W\//, "")
  return header.split(",").map((t) => t.trim()).some((t) => t === "*" || t.replace(/^W\//, "") === bare)
}

/** A body whose JSON text is already made. */
export class PreparedJson {
  readonly json: string
  constructor(json: string) {
    this.json = json
  }
}

// A frozen value never changes (the memory read store shares its documents frozen): its JSON is made once.
const frozenJson = new WeakMap<object, string>()

/** `JSON.stringify`, remembered for frozen objects and arrays. */
export const jsonText = (value: unknown): string => {
  if (typeof value !== "object" || value === null || !Object.isFrozen(value)) return JSON.stringify(value)
  let text = frozenJson.get(value)
  if (text === undefined) frozenJson.set(value, text = JSON.stringify(value))
  return text
}

/** A page's JSON, its items' text reused where they are frozen. */
export const pageJson = (items: ReadonlyArray<unknown>, next: string | null): string =>
  `{"items":[${items.map(jsonText).join(",")}],"next":${JSON.stringify(next)}}`

/**
 * The body (a value, or its JSON text already made) under `etag`; 304 with no body when the client's copy is current (the body is then
 * not even serialized). Answers depend on who asks (visibility), so caches must key on Authorization.
 */
export const conditionalJson = (
  c: Context<AppEnv>,
  body: unknown,
  etag: string,
  headers: Readonly<Record<string, string>> = {}
): Response => {
  const common = { ETag: etag, "Cache-Control": "private, no-cache", Vary: "Authorization", ...headers }
  if (matchesIfNoneMatch(c.req.header("If-None-Match"), etag)) return withResponseHeaders(c, null, { status: 304, headers: common })
  const text = body instanceof PreparedJson ? body.json : jsonText(body)
  return withResponseHeaders(c, text, { status: 200, headers: { "Content-Type": "application/json; charset=UTF-8", ...common } })
}
