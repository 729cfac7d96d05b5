/**
 * A room upgrade refused because a backend did not answer (the JWKS unreachable) says so generically,
 * with an id, and never names the backend (README "Security"): the detail goes to the log. Real JWKS
 * verifier against a closed port, real Rooms on the embedded store.
 */
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../src/actors/ActorSystem.ts"
import { defaultDomainSettings } from "../../src/domain/shared/DomainSettings.ts"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { jwtVerifier } from "../../src/auth/JwtVerifier.ts"
import { admitUpgrade } from "../../src/realtime/RoomUpgrade.ts"
import { Rooms } from "../../src/rooms/Rooms.ts"

const JWKS_URL = "http://127.0.0.1:1/room-walk/.well-known/jwks.json"
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
const jwksToken = `${b64url({ alg: "RS256", typ: "JWT", kid: "k1" })}.${b64url({ sub: "walker", exp: Math.floor(Date.now() / 1000) + 600 })}.c2ln`

const logs: Array<string> = []
const runtime = ManagedRuntime.make(
  Rooms.layer.pipe(
    Layer.provideMerge(ActorSystem.layer({ mailboxSize: 10, idleMillis: 60_000, maxLive: 10, maxConflictRetries: 3, settings: defaultDomainSettings })),
    Layer.provideMerge(PgliteEventStore.layer({})),
    Layer.provideMerge(Logger.layer([Logger.make((o) => logs.push(Logger.formatJson.log(o)))]))
  )
)
afterAll(() => runtime.dispose())

describe("a room upgrade while the JWKS is unreachable", () => {
  it("is refused 503 AUTH_UNAVAILABLE with a generic message and an id; the URL is only in the log", async () => {
    const refused = await runtime.runPromise(
      admitUpgrade({ verifyToken: jwtVerifier({ jwksUrl: JWKS_URL }) }, {
        url: "/rooms/room-1",
        header: (name) => (name === "authorization" ? `Bearer ${jwksToken}` : undefined)
      })
    )
    expect(refused).toMatchObject({ ok: false, status: 503, code: "AUTH_UNAVAILABLE" })
    const message = (refused as { message: string }).message
    expect(message).toMatch(/^the token signing keys \(JWKS\) cannot be fetched; try again \(request id [0-9a-f-]+\)$/)
    expect(message).not.toContain("127.0.0.1")
    const id = /request id ([0-9a-f-]+)/.exec(message)![1]!
    expect(logs.find((l) => l.includes(id))).toContain("127.0.0.1:1")
  })
})
