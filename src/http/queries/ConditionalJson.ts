/** JSON responses with a strong ETag over the exact body, answering `If-None-Match` with 304 (RFC 9110 §13.1.2). */
import { Effect } from "effect"
import type { Context } from "hono"
import type { AppEnv } from "../AppEnv.ts"

const encoder = new TextEncoder()

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("")

/** `"…"` from a SHA-256 of the body: equal bodies, equal tags, whatever the read model's position. */
export const etagOf = (body: Uint8Array): Effect.Effect<string> =>
  Effect.map(Effect.promise(() => crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>)), (digest) => `"${hex(digest)}"`)

/** Weak comparison, as If-None-Match requires: `W/"x"` matches `"x"`; `*` matches anything. */
export const matchesIfNoneMatch = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false
  const bare = etag.replace(/^W\//, "")
  return header.split(",").map((t) => t.trim()).some((t) => t === "*" || t.replace(/^W\//, "") === bare)
}

/**
 * The body as JSON with its ETag; 304 with no body when the client's copy is current.
 * Answers depend on who asks (visibility), so caches must key on Authorization.
 */
export const conditionalJson = (c: Context<AppEnv>, body: unknown, headers: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function*() {
    const bytes = encoder.encode(JSON.stringify(body))
    const etag = yield* etagOf(bytes)
    const common = { ETag: etag, "Cache-Control": "private, no-cache", Vary: "Authorization", ...headers }
    if (matchesIfNoneMatch(c.req.header("If-None-Match"), etag)) return new Response(null, { status: 304, headers: common })
    return new Response(bytes, { status: 200, headers: { "Content-Type": "application/json; charset=UTF-8", ...common } })
  })
