/** The playback use case over a facts source: the session F's views read, scope, revocation by epoch, the facts cache's age bound. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { PlaybackFacts } from "../../src/videos/AccessFacts.ts"
import { accessFactsOf } from "../../src/videos/AccessFacts.ts"
import { makePlayback } from "../../src/videos/Playback.ts"
import { signingKeys } from "../../src/videos/PlaybackTokens.ts"

const keys = signingKeys([{ kid: "k", secret: new TextEncoder().encode("s".repeat(32)) }])
const facts = (id: string, extra: Partial<PlaybackFacts> = {}): PlaybackFacts => ({
  id, ownerId: "alice", status: "ready", visibility: "public", published: true, takenDown: false, accessEpoch: 0, allowedOrigins: [], ...extra
})

const setup = () => {
  let now = 1_800_000_000_000
  const store = new Map<string, PlaybackFacts>([["A", facts("A")], ["B", facts("B")]])
  let reads = 0
  const playback = makePlayback({ ttlSeconds: 60, keys, now: () => now }, (id) => Effect.sync(() => (reads++, store.get(id))))
  return { playback, store, advance: (ms: number) => (now += ms), reads: () => reads }
}

const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(Effect.result(e))

describe("Playback", () => {
  it("verifySession gives F the session of a genuine token, and refuses it for another video", async () => {
    const { playback } = setup()
    const grant = await Effect.runPromise(playback.mint("A", { userId: "bob", roles: ["user"] }))
    const session = await Effect.runPromise(playback.verifySession(grant.token, "A"))
    expect(session).toEqual({ videoId: "A", sessionId: grant.sessionId, userId: "bob", issuedAt: 1_800_000_000_000, expiresAt: grant.expiresAt })
    expect(grant.expiresAt - session.issuedAt).toBe(60_000)
    const other = await run(playback.verifySession(grant.token, "B"))
    expect(other._tag === "Failure" && other.failure._tag).toBe("PlaybackTokenInvalid")
    // two URLs, two sessions
    const again = await Effect.runPromise(playback.mint("A", { userId: "bob", roles: ["user"] }))
    expect(again.sessionId).not.toBe(grant.sessionId)
  })

  it("a narrowing of access (a higher accessEpoch) revokes older tokens once the cached facts are over a second old", async () => {
    const t = setup()
    const grant = await Effect.runPromise(t.playback.mint("A", { userId: "bob", roles: ["user"] }))
    expect((await run(t.playback.authorize(grant.token, "master.m3u8", {})))._tag).toBe("Success")
    t.store.set("A", facts("A", { accessEpoch: 7 }))
    t.advance(500)
    expect((await run(t.playback.authorize(grant.token, "master.m3u8", {})))._tag).toBe("Success") // cached: one read per second
    const readsBefore = t.reads()
    t.advance(600)
    const revoked = await run(t.playback.authorize(grant.token, "master.m3u8", {}))
    expect(revoked._tag === "Failure" && revoked.failure._tag).toBe("PlaybackRevoked")
    expect(t.reads()).toBe(readsBefore + 1)
    // a URL minted after the change carries the new epoch and plays
    const fresh = await Effect.runPromise(t.playback.mint("A", { userId: "bob", roles: ["user"] }))
    expect((await run(t.playback.authorize(fresh.token, "master.m3u8", {})))._tag).toBe("Success")
  })

  it("the key it serves stays under the token's video folder", async () => {
    const { playback } = setup()
    const grant = await Effect.runPromise(playback.mint("A", { userId: "bob", roles: ["user"] }))
    const ok = await Effect.runPromise(playback.authorize(grant.token, "360p/segment_000.ts", {}))
    expect(ok.key).toBe("media/A/360p/segment_000.ts")
    expect(ok.remainingSeconds).toBe(60)
  })

  it("accessFactsOf reads the document's fields, and a document missing them as closed (private, unpublished)", () => {
    expect(accessFactsOf({ id: "v", ownerId: "o", status: "ready", title: "t" })).toEqual(facts("v", { ownerId: "o", visibility: "private", published: false }))
    expect(accessFactsOf({ id: "v", ownerId: "o", status: "ready", visibility: "private", published: false, takenDown: true, accessEpoch: 9, allowedOrigins: ["https://a.example"] }))
      .toEqual(facts("v", { ownerId: "o", visibility: "private", published: false, takenDown: true, accessEpoch: 9, allowedOrigins: ["https://a.example"] }))
    expect(accessFactsOf({ id: "v", ownerId: "o", status: "deleted" })?.status).toBe("processing") // unknown status: not watchable
    expect(accessFactsOf(null)).toBeUndefined()
  })
})
