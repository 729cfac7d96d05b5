/**
 * SHA-1 and SHA-256 fed chunk by chunk, in plain TypeScript. Web Crypto only digests a whole
 * buffer, and a PATCH body is never held whole (it may be 2 GiB): the tus checksum extension
 * needs a hash that follows the body as it streams.
 */

export type DigestAlgorithm = "sha1" | "sha256"

export interface IncrementalDigest {
  update(chunk: Uint8Array): void
  /** The digest of everything fed so far; the hasher must not be used afterwards. */
  digest(): Uint8Array
}

const K256 = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])

/** Compresses one 64-byte block of `b` at `o` into `h` (SHA-256). */
const block256 = (h: Int32Array, w: Int32Array, b: Uint8Array, o: number) => {
  for (let i = 0; i < 16; i++) {
    const j = o + i * 4
    w[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!
  }
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!, w2 = w[i - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0
  }
  let a = h[0]!, c1 = h[1]!, c2 = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K256[i]! + w[i]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (S0 + ((a & c1) ^ (a & c2) ^ (c1 & c2))) | 0
    hh = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c2
    c2 = c1
    c1 = a
    a = (t1 + t2) | 0
  }
  h[0] = (h[0]! + a) | 0
  h[1] = (h[1]! + c1) | 0
  h[2] = (h[2]! + c2) | 0
  h[3] = (h[3]! + d) | 0
  h[4] = (h[4]! + e) | 0
  h[5] = (h[5]! + f) | 0
  h[6] = (h[6]! + g) | 0
  h[7] = (h[7]! + hh) | 0
}

/** Compresses one 64-byte block of `b` at `o` into `h` (SHA-1). */
const block1 = (h: Int32Array, w: Int32Array, b: Uint8Array, o: number) => {
  for (let i = 0; i < 16; i++) {
    const j = o + i * 4
    w[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!
  }
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!
    w[i] = (x << 1) | (x >>> 31)
  }
  let a = h[0]!, c1 = h[1]!, c2 = h[2]!, d = h[3]!, e = h[4]!
  for (let i = 0; i < 80; i++) {
    const f = i < 20
      ? ((c1 & c2) | (~c1 & d)) + 0x5a827999
      : i < 40
      ? (c1 ^ c2 ^ d) + 0x6ed9eba1
      : i < 60
      ? ((c1 & c2) | (c1 & d) | (c2 & d)) + 0x8f1bbcdc
      : (c1 ^ c2 ^ d) + 0xca62c1d6
    const t = (((a << 5) | (a >>> 27)) + f + e + w[i]!) | 0
    e = d
    d = c2
    c2 = (c1 << 30) | (c1 >>> 2)
    c1 = a
    a = t
  }
  h[0] = (h[0]! + a) | 0
  h[1] = (h[1]! + c1) | 0
  h[2] = (h[2]! + c2) | 0
  h[3] = (h[3]! + d) | 0
  h[4] = (h[4]! + e) | 0
}

/** The Merkle–Damgård frame both algorithms share: 64-byte blocks, 0x80 padding, 64-bit big-endian bit length. */
const merkleDamgard = (
  initial: ReadonlyArray<number>,
  words: number,
  compress: (h: Int32Array, w: Int32Array, b: Uint8Array, o: number) => void
): IncrementalDigest => {
  const h = new Int32Array(initial)
  const w = new Int32Array(words)
  const pending = new Uint8Array(64)
  let pendingLength = 0
  let total = 0
  const update = (chunk: Uint8Array) => {
    total += chunk.length
    let i = 0
    if (pendingLength > 0) {
      const take = Math.min(64 - pendingLength, chunk.length)
      pending.set(chunk.subarray(0, take), pendingLength)
      pendingLength += take
      i = take
      if (pendingLength < 64) return
      compress(h, w, pending, 0)
      pendingLength = 0
    }
    for (; i + 64 <= chunk.length; i += 64) compress(h, w, chunk, i)
    if (i < chunk.length) {
      pending.set(chunk.subarray(i), 0)
      pendingLength = chunk.length - i
    }
  }
  const digest = () => {
    const bits = total * 8
    const tail = new Uint8Array(pendingLength < 56 ? 64 : 128)
    tail.set(pending.subarray(0, pendingLength))
    tail[pendingLength] = 0x80
    const view = new DataView(tail.buffer)
    view.setUint32(tail.length - 8, Math.floor(bits / 0x1_0000_0000))
    view.setUint32(tail.length - 4, bits >>> 0)
    for (let o = 0; o < tail.length; o += 64) compress(h, w, tail, o)
    const out = new Uint8Array(h.length * 4)
    const outView = new DataView(out.buffer)
    for (let i = 0; i < h.length; i++) outView.setInt32(i * 4, h[i]!)
    return out
  }
  return { update, digest }
}

export const makeDigest = (algorithm: DigestAlgorithm): IncrementalDigest =>
  algorithm === "sha256"
    ? merkleDamgard(
      [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
      64,
      block256
    )
    : merkleDamgard([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0], 80, block1)
