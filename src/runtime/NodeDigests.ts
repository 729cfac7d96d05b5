/** The Digests port on node:crypto (native, ~10x @noble/hashes on this work); Deno's node:crypto is native too. */
import { createHash } from "node:crypto"
import { Layer } from "effect"
import { Digests } from "../digest/Digests.ts"

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
