/** Playback tokens: round trip, forged signatures, unknown kids, rotation, expiry, malformed input, PLAYBACK_SIGNING_KEYS parsing. */
import { describe, expect, it } from "vitest"
import {
  parseSigningKeys,
  type PlaybackSession,
  PlaybackTokenExpired,
  PlaybackTokenInvalid,
  signingKeys,
  signPlaybackToken,
  verifyPlaybackToken
} from "../../src/videos/PlaybackTokens.ts"

const secret = (c: string) => new TextEncoder().encode(c.repeat(32))
const NOW = 1_800_000_000_000
const session: PlaybackSession = {
  videoId: "vid-A",
  sessionId: "3f1c2d8e-0000-4000-8000-000000000001",
  userId: "alice",
  roles: ["user"],
  issuedAt: NOW,
  expiresAt: NOW + 3_600_000,
  accessEpoch: 42
}
const keys = signingKeys([{ kid: "k2", secret: secret("b") }, { kid: "k1", secret: secret("a") }])

const reason = (r: unknown) => (r instanceof PlaybackTokenInvalid ? r.reason : r instanceof PlaybackTokenExpired ? "expired" : "ok")

describe("playback tokens", () => {
  it("round-trip: the session comes back, and the token is path-safe", () => {
    const token = signPlaybackToken(keys, session)
    expect(token).toMatch(/^k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    expect(encodeURIComponent(token)).toBe(token)
    expect(verifyPlaybackToken(keys, token, NOW + 1000)).toEqual(session)
  })

  it("refuses a forged signature, a changed payload and a changed kid", () => {
    const token = signPlaybackToken(keys, session)
    const [kid, payload, sig] = token.split(".") as [string, string, string]
    const flipped = `${sig.slice(0, -2)}${sig.at(-2) === "A" ? "B" : "A"}${sig.at(-1)}`
    expect(reason(verifyPlaybackToken(keys, `${kid}.${payload}.${flipped}`, NOW))).toBe("the signature does not match")
    // a payload for video B under A's signature
    const other = signPlaybackToken(keys, { ...session, videoId: "vid-B" }).split(".")[1]
    expect(reason(verifyPlaybackToken(keys, `${kid}.${other}.${sig}`, NOW))).toBe("the signature does not match")
    expect(reason(verifyPlaybackToken(keys, `k1.${payload}.${sig}`, NOW))).toBe("the signature does not match")
    // signed with a key this server does not have
    const stranger = signPlaybackToken(signingKeys([{ kid: "k2", secret: secret("z") }]), session)
    expect(reason(verifyPlaybackToken(keys, stranger, NOW))).toBe("the signature does not match")
  })

  it("refuses an unknown kid and malformed tokens", () => {
    const foreign = signPlaybackToken(signingKeys([{ kid: "k9", secret: secret("a") }]), session)
    expect(reason(verifyPlaybackToken(keys, foreign, NOW))).toBe("unknown signing key")
    for (const bad of ["", "a.b", "a.b.c.d", "k2..x", "k2.%41.x", "k2.a b.c", "../../etc"]) {
      expect(verifyPlaybackToken(keys, bad, NOW), bad).toBeInstanceOf(PlaybackTokenInvalid)
    }
  })

  it("rotation: the newest key signs, an older key still verifies until it is removed", () => {
    const old = signPlaybackToken(signingKeys([{ kid: "k1", secret: secret("a") }]), session)
    expect(verifyPlaybackToken(keys, old, NOW)).toEqual(session)
    expect(signPlaybackToken(keys, session).startsWith("k2.")).toBe(true)
    const retired = signingKeys([{ kid: "k2", secret: secret("b") }])
    expect(reason(verifyPlaybackToken(retired, old, NOW))).toBe("unknown signing key")
  })

  it("expires at exp, not a millisecond later", () => {
    const token = signPlaybackToken(keys, session)
    expect(verifyPlaybackToken(keys, token, session.expiresAt - 1)).toEqual(session)
    const expired = verifyPlaybackToken(keys, token, session.expiresAt)
    expect(expired).toBeInstanceOf(PlaybackTokenExpired)
    expect((expired as PlaybackTokenExpired).expiredAt).toBe(session.expiresAt)
  })

  it("parses PLAYBACK_SIGNING_KEYS, naming the bad entry but never its secret", () => {
    const parsed = parseSigningKeys(` new:${"x".repeat(32)} , old:${"y".repeat(40)}:with-colon `)
    expect(Array.isArray(parsed) && parsed.map((k) => k.kid)).toEqual(["new", "old"])
    expect(parseSigningKeys("")).toMatch(/kid:secret/)
    expect(parseSigningKeys("nokid")).toMatch(/^entry 1/)
    expect(parseSigningKeys(`a:${"x".repeat(32)},b:short-secret`)).toBe("entry 2 (kid b): the secret must be at least 32 bytes")
    expect(parseSigningKeys(`a:${"x".repeat(32)},a:${"y".repeat(32)}`)).toMatch(/appears twice/)
    expect(parseSigningKeys(`bad kid:${"x".repeat(32)}`)).toMatch(/^entry 1/)
  })
})
