/**
 * The Digests port on node:crypto (native, ~10x @noble/hashes on this work); Deno's node:crypto is native too.
 * And the hash chain's SHA-256 of an event's text, for the event store (HashChain.ts).
 */
import { createHash } from "node:crypto"
import { Layer } from "effect"
import { Digests } from "../digest/Digests.ts"
import type { TextSha256 } from "../eventstore/HashChain.ts"

/** UTF-8 (lone surrogates as U+FFFD, as TextEncoder) then SHA-256, hex: the portable one's result, ~6× sooner. */
export const nodeSha256Hex: TextSha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex")

export const NodeDigests = {
  layer: Layer.succeed(
    Digests,
    Digests.of({
      incremental: (algorithm) => {
        const hash = createHash(algorithm)
        return {
          update: (chunk) => void hash.update(chunk),
          digest: () => {
            const out = hash.digest()
            return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
          }
        }
      }
    })
  )
} as const
