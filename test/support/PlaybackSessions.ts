/**
 * Real signed playback sessions for tests, until the playback tokens module is merged: HMAC-SHA256 over
 * the session's JSON (base64url), verified with a constant-time comparison, expiry checked. It is what the
 * PlaybackSessionVerifier port expects of a verifier; a tampered or foreign token is refused.
 */
import { hmac } from "@noble/hashes/hmac.js"
import { sha256 } from "@noble/hashes/sha2.js"
import * as Base64Url from "effect/encoding/Base64Url"
import { sameDigest } from "../../src/digest/Hashes.ts"
import { type PlaybackSession, PlaybackSessionVerifier } from "../../src/videos/PlaybackSessionVerifier.ts"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const testPlaybackSessions = (secret = "playback-test-secret-0123456789abcdef") => {
  const key = encoder.encode(secret)
  const sign = (payload: string) => Base64Url.encode(hmac(sha256, key, encoder.encode(payload)))
  /** A token for `session` (defaults: a fresh id, minted now, valid 10 minutes). */
  const mint = (session: Partial<PlaybackSession> & Pick<PlaybackSession, "videoId" | "userId">): string => {
    const now = Date.now()
    const full: PlaybackSession = { sessionId: crypto.randomUUID(), issuedAt: now, expiresAt: now + 600_000, ...session }
    const payload = Base64Url.encode(encoder.encode(JSON.stringify(full)))
    return `${payload}.${sign(payload)}`
  }
  const verify = (token: string): PlaybackSession | string => {
    const [payload, signature, extra] = token.split(".")
    if (payload === undefined || signature === undefined || extra !== undefined) return "it is not a playback token"
    const given = Base64Url.decode(signature)
    if (given._tag === "Failure" || !sameDigest(given.success, hmac(sha256, key, encoder.encode(payload)))) return "its signature does not match"
    const bytes = Base64Url.decode(payload)
    if (bytes._tag === "Failure") return "it is not a playback token"
    const session = JSON.parse(decoder.decode(bytes.success)) as PlaybackSession
    if (session.expiresAt <= Date.now()) return "it has expired"
    return session
  }
  return { mint, verify, layer: PlaybackSessionVerifier.fromVerify(verify) }
}
