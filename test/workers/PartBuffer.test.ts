/** PartBuffer: any split of the input regroups into the same parts of exactly partSize (the last shorter). */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { PartBuffer } from "../../src/workers/PartBuffer.ts"

describe("PartBuffer", () => {
  it("cuts any stream of chunks into full parts and one shorter last part, bytes unchanged", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(50), { maxLength: 20 }), fc.integer({ min: 1, max: 40 }), (bytes, cuts, size) => {
      const buffer = new PartBuffer(size)
      const parts: Array<Uint8Array> = []
      let at = 0
      for (const cut of [...cuts, bytes.length]) {
        const end = Math.min(bytes.length, at + cut)
        parts.push(...buffer.push(bytes.subarray(at, end)))
        at = end
      }
      const last = buffer.flush()
      if (last !== undefined) parts.push(last)
      expect(parts.every((p, i) => (i < parts.length - 1 ? p.length === size : p.length > 0 && p.length <= size))).toBe(true)
      expect(Buffer.concat(parts)).toEqual(Buffer.from(bytes))
    }))
  })

  it("hands out parts it no longer writes into", () => {
    const buffer = new PartBuffer(2)
    const [first] = buffer.push(Uint8Array.of(1, 2))
    buffer.push(Uint8Array.of(3, 4))
    expect([...first!]).toEqual([1, 2])
    expect(buffer.flush()).toBeUndefined()
  })
})
