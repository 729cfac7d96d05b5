/**
 * SHA-1 and SHA-256 as pure, synchronous functions on every runtime (@noble/hashes, audited). The hash
 * chain hashes every event on the append path, where Web Crypto's asynchronous digest (a thread-pool
 * round trip per call) cost more than the INSERT itself. Bulk hashing goes through `Digests`, whose
 * Node.js layer is native.
 */
import { sha1 } from "@noble/hashes/legacy.js"
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js"
import * as Hex from "effect/encoding/Hex"

export type DigestAlgorithm = "sha1" | "sha256"

/** A hash fed chunk by chunk (a tus PATCH body or an original is never held whole). */
export interface IncrementalDigest {
  update(chunk: Uint8Array): void
  /** The digest of everything fed so far; the hasher must not be used afterwards. */
  digest(): Uint8Array
}

/** The portable incremental hasher. */
export const incrementalDigest = (algorithm: DigestAlgorithm): IncrementalDigest => {
  const hash = algorithm === "sha256" ? nobleSha256.create() : sha1.create()
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => hash.digest()
  }
}

export const sha256 = (bytes: Uint8Array): Uint8Array => nobleSha256(bytes)

export const sha256Hex = (bytes: Uint8Array): string => Hex.encode(nobleSha256(bytes))

const encoder = new TextEncoder()

export const sha256HexOfText = (text: string): string => sha256Hex(encoder.encode(text))

/** Equal digests, compared without an early exit (the time taken says nothing of where they differ). */
export const sameDigest = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
