/** Both Digests layers (portable @noble/hashes, node:crypto) hash like node:crypto whatever the chunking. */
import { createHash } from "node:crypto"
import { Effect, Layer } from "effect"
import * as Hex from "effect/encoding/Hex"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Digests } from "../../src/digest/Digests.ts"
import { sha256HexOfText } from "../../src/digest/Hashes.ts"
import { GENESIS_HASH, linkMetadata, makeChainVerifier } from "../../src/eventstore/HashChain.ts"
import { NodeDigests, nodeSha256Hex } from "../../src/runtime/NodeDigests.ts"

const layers: ReadonlyArray<readonly [string, Layer.Layer<Digests>]> = [["portable", Digests.layer], ["node:crypto", NodeDigests.layer]]

describe.each(layers)("Digests (%s)", (_name, layer) => {
  const digests = Effect.runSync(Effect.provide(Digests.use(Effect.succeed), layer))

  it("equal node:crypto's whatever the chunking", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(130), { maxLength: 20 }), fc.constantFrom("sha1", "sha256"), (bytes, cuts, alg) => {
        const digest = digests.incremental(alg as "sha1" | "sha256")
        let at = 0
        for (const cut of cuts) {
          digest.update(bytes.subarray(at, at + cut))
          at = Math.min(bytes.length, at + cut)
        }
        digest.update(bytes.subarray(at))
        expect(Hex.encode(digest.digest())).toBe(createHash(alg).update(bytes).digest("hex"))
      })
    )
  })

  it("gives a plain Uint8Array of the algorithm's length", () => {
    for (const [alg, length] of [["sha1", 20], ["sha256", 32]] as const) {
      const out = digests.incremental(alg).digest()
      expect(out.constructor).toBe(Uint8Array)
      expect(out.length).toBe(length)
    }
  })
})

describe("the hash chain's SHA-256 on node:crypto (nodeSha256Hex, given to the event store by the runtime)", () => {
  it("equals the portable one on any text, lone surrogates included (both encode them as U+FFFD)", () => {
    for (const text of ["", "a", "é€😀", "\ud800", "x\udfffy", "\u0000"]) expect(nodeSha256Hex(text)).toBe(sha256HexOfText(text))
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => nodeSha256Hex(text) === sha256HexOfText(text)))
  })

  it("links events whose chain the verifier accepts, and refuses once one is changed", async () => {
    const metadata = { schemaVersion: 1, occurredAt: "2026-12-07T00:00:00.000Z" }
    const first = linkMetadata(GENESIS_HASH, "Happened", { n: 1, text: "é" }, metadata, nodeSha256Hex)
    const second = linkMetadata(first.hash, "Happened", { n: 2 }, metadata, nodeSha256Hex)
    expect(first.hash).toBe(linkMetadata(GENESIS_HASH, "Happened", { n: 1, text: "é" }, metadata).hash)
    const recorded = (revision: number, data: { n: number }, m: typeof first) =>
      ({ id: crypto.randomUUID(), stream: "s", revision, position: revision + 1, type: "Happened", data, metadata: m, recordedAt: "2026-12-07T00:00:00.000Z" }) as const
    const verify = async (events: ReadonlyArray<ReturnType<typeof recorded>>) => {
      const verifier = makeChainVerifier()
      for (const e of events) await Effect.runPromise(verifier.check(e as never))
      return verifier.report()
    }
    expect((await verify([recorded(0, { n: 1, text: "é" } as never, first), recorded(1, { n: 2 }, second)])).ok).toBe(true)
    expect((await verify([recorded(0, { n: 1, text: "e" } as never, first), recorded(1, { n: 2 }, second)])).ok).toBe(false)
  })
})
