/** Both Digests layers (portable @noble/hashes, node:crypto) hash like node:crypto whatever the chunking. */
import { createHash } from "node:crypto"
import { Effect, Layer } from "effect"
import * as Hex from "effect/encoding/Hex"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Digests } from "../../src/digest/Digests.ts"
import { NodeDigests } from "../../src/runtime/NodeDigests.ts"

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
