/**
 * Signed playback tokens: `<kid>.<payload>.<signature>`, all base64url (path-safe), HMAC-SHA-256 over
 * `<kid>.<payload>`. Pure and synchronous (@noble/hashes), so a segment request checks one without
 * awaiting anything; each key's HMAC state is keyed once and cloned per token.
 */
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { Data } from "effect"
import * as Base64Url from "effect/encoding/Base64Url"
import type { Principal } from "../domain/shared/Decider.ts"

/** What a token grants: one video's media, for one viewing session, until it expires. */
export interface PlaybackSession {
  readonly videoId: string
  /** Random per minted URL: the "playback session" views are tied to. */
  readonly sessionId: string
  readonly userId: string
  readonly roles: Principal["roles"]
  /** ms since the epoch (whole seconds). */
  readonly issuedAt: number
  readonly expiresAt: number
  /** The video's accessEpoch when the token was minted: a later narrowing of access revokes it. */
  readonly accessEpoch: number
}

/** A signing key; the first of a key set signs, all of them verify (rotation). */
export interface SigningKey {
  readonly kid: string
  readonly secret: Uint8Array
}

export interface SigningKeys {
  readonly signer: KeyedMac
  readonly byKid: ReadonlyMap<string, KeyedMac>
}

interface KeyedMac {
  readonly kid: string
  /** The HMAC with its key already absorbed; clone before use. */
  readonly base: ReturnType<typeof hmac.create>
}

/** The token is not one of ours: malformed, unknown key, wrong signature (403 PLAYBACK_TOKEN_INVALID). */
export class PlaybackTokenInvalid extends Data.TaggedError("PlaybackTokenInvalid")<{ readonly reason: string }> {
  override get message() {
    return `the playback token is not valid: ${this.reason}`
  }
}

/** The token was ours but has expired: the player asks `GET /videos/:id/playback` again (403 PLAYBACK_TOKEN_EXPIRED). */
export class PlaybackTokenExpired extends Data.TaggedError("PlaybackTokenExpired")<{ readonly expiredAt: number }> {
  override get message() {
    return `the playback token expired at ${new Date(this.expiredAt).toISOString()}; ask GET /videos/:id/playback for a new URL`
  }
}

export const MIN_SIGNING_SECRET_BYTES = 32
const KID = /^[A-Za-z0-9_-]{1,32}$/
const PART = /^[A-Za-z0-9_-]+$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Builds a key set; the first key signs. */
export const signingKeys = (keys: ReadonlyArray<SigningKey>): SigningKeys => {
  if (keys.length === 0) throw new Error("at least one playback signing key is needed")
  const macs = keys.map((k) => ({ kid: k.kid, base: hmac.create(sha256, k.secret) }))
  return { signer: macs[0]!, byKid: new Map(macs.map((m) => [m.kid, m])) }
}

/**
 * `PLAYBACK_SIGNING_KEYS`: `kid:secret,kid:secret,…`, the newest first (it signs; the others still
 * verify until removed). A kid is 1–32 of `A-Z a-z 0-9 _ -`; a secret is at least 32 bytes without
 * commas. The error names the entry by position, never its secret.
 */
export const parseSigningKeys = (text: string): ReadonlyArray<SigningKey> | string => {
  const entries = text.split(",").map((s) => s.trim()).filter((s) => s !== "")
  if (entries.length === 0) return "expected kid:secret entries separated by commas"
  const keys: Array<SigningKey> = []
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(":")
    const kid = colon < 0 ? "" : entry.slice(0, colon)
    if (!KID.test(kid)) return `entry ${i + 1}: expected kid:secret with a kid of 1-32 letters, digits, _ or -`
    const secret = encoder.encode(entry.slice(colon + 1))
    if (secret.length < MIN_SIGNING_SECRET_BYTES) return `entry ${i + 1} (kid ${kid}): the secret must be at least ${MIN_SIGNING_SECRET_BYTES} bytes`
    if (keys.some((k) => k.kid === kid)) return `entry ${i + 1}: kid ${kid} appears twice`
    keys.push({ kid, secret })
  }
  return keys
}

const mac = (key: KeyedMac, signed: string): Uint8Array => key.base.clone().update(encoder.encode(signed)).digest()

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** The token for `session` (its times are rounded down to whole seconds). */
export const signPlaybackToken = (keys: SigningKeys, session: PlaybackSession): string => {
  const payload = Base64Url.encode(JSON.stringify({
    v: session.videoId,
    s: session.sessionId,
    u: session.userId,
    r: session.roles,
    iat: Math.floor(session.issuedAt / 1000),
    exp: Math.floor(session.expiresAt / 1000),
    e: session.accessEpoch
  }))
  const signed = `${keys.signer.kid}.${payload}`
  return `${signed}.${Base64Url.encode(mac(keys.signer, signed))}`
}

const isStringArray = (v: unknown): v is ReadonlyArray<string> => Array.isArray(v) && v.every((x) => typeof x === "string")
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0

/** The session a token grants, after its signature and expiry (no leeway: one clock mints and checks). */
export const verifyPlaybackToken = (
  keys: SigningKeys,
  token: string,
  nowMs: number
): PlaybackSession | PlaybackTokenInvalid | PlaybackTokenExpired => {
  const parts = token.split(".")
  if (parts.length !== 3 || !parts.every((p) => PART.test(p))) return new PlaybackTokenInvalid({ reason: "malformed" })
  const [kid, payload, signature] = parts as [string, string, string]
  const key = keys.byKid.get(kid)
  if (key === undefined) return new PlaybackTokenInvalid({ reason: "unknown signing key" })
  const given = Base64Url.decode(signature)
  if (given._tag === "Failure" || !sameBytes(given.success, mac(key, `${kid}.${payload}`))) {
    return new PlaybackTokenInvalid({ reason: "the signature does not match" })
  }
  const bytes = Base64Url.decode(payload)
  let claims: Record<string, unknown>
  try {
    if (bytes._tag === "Failure") throw new Error("not base64url")
    claims = JSON.parse(decoder.decode(bytes.success))
  } catch {
    return new PlaybackTokenInvalid({ reason: "malformed" })
  }
  const { v, s, u, r, iat, exp, e } = claims
  if (typeof v !== "string" || typeof s !== "string" || typeof u !== "string" || !isStringArray(r) || !isCount(iat) || !isCount(exp) || !isCount(e)) {
    return new PlaybackTokenInvalid({ reason: "malformed" })
  }
  if (nowMs >= exp * 1000) return new PlaybackTokenExpired({ expiredAt: exp * 1000 })
  return { videoId: v, sessionId: s, userId: u, roles: r as Principal["roles"], issuedAt: iat * 1000, expiresAt: exp * 1000, accessEpoch: e }
}
