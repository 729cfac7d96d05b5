/** The synchronous SHA-256 behind the hash chain matches the standard and Web Crypto. */
import { describe, expect, it } from "vitest"
import { sameDigest, sha256Hex } from "../../src/digest/Hashes.ts"

const utf8 = (s: string) => new TextEncoder().encode(s)
const webCrypto = async (bytes: Uint8Array<ArrayBuffer>) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("")

describe("sha256Hex", () => {
  it("matches the FIPS 180-4 test vectors", () => {
    expect(sha256Hex(utf8(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(sha256Hex(utf8("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(sha256Hex(utf8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
      .toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    expect(sha256Hex(utf8("a".repeat(1_000_000)))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  })

  it("matches Web Crypto at every length around the block boundaries", async () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(length)))
      expect(sha256Hex(bytes)).toBe(await webCrypto(bytes))
    }
  })

  it("compares digests by every byte", () => {
    const a = Uint8Array.from([1, 2, 3])
    expect(sameDigest(a, Uint8Array.from([1, 2, 3]))).toBe(true)
    expect(sameDigest(a, Uint8Array.from([1, 2, 4]))).toBe(false)
    expect(sameDigest(a, Uint8Array.from([1, 2]))).toBe(false)
  })
})
