/** Incremental SHA-1/SHA-256 as a service, so each runtime can bring its fastest hasher. */
import { Context, Layer } from "effect"
import { type DigestAlgorithm, type IncrementalDigest, incrementalDigest } from "./Hashes.ts"

/**
 * Bulk hashing: the tus checksum extension (a PATCH body as it streams) and the chunk step (whole
 * originals, up to MAX_FILE_SIZE_BYTES). `layer` runs everywhere (@noble/hashes, ~130 MB/s); the
 * runtime entry points give node:crypto's (~1.5 GB/s here) where they have it (src/runtime/NodeDigests.ts).
 * effect/crypto's Digest only hashes a whole buffer, hence this port.
 */
export class Digests extends Context.Service<Digests, {
  /** A fresh hasher: `update` with every byte in order, then `digest` once. */
  readonly incremental: (algorithm: DigestAlgorithm) => IncrementalDigest
}>()("keyframe/Digests") {
  static readonly layer: Layer.Layer<Digests> = Layer.succeed(Digests, Digests.of({ incremental: incrementalDigest }))
}
