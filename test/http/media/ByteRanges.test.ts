/** Range header resolution for /media: single ranges, suffixes, and what is ignored or unsatisfiable. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseRange } from "../../../src/http/media/ByteRanges.ts"

describe("parseRange", () => {
  it("resolves single ranges, open ends and suffixes, clamped to the object", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ kind: "range", start: 0, end: 99 })
    expect(parseRange("bytes=900-", 1000)).toEqual({ kind: "range", start: 900, end: 999 })
    expect(parseRange("bytes=900-5000", 1000)).toEqual({ kind: "range", start: 900, end: 999 })
    expect(parseRange("bytes=-100", 1000)).toEqual({ kind: "range", start: 900, end: 999 })
    expect(parseRange("bytes=-5000", 1000)).toEqual({ kind: "range", start: 0, end: 999 })
    expect(parseRange("BYTES= 5 - 6 ", 1000)).toEqual({ kind: "range", start: 5, end: 6 })
  })

  it("answers unsatisfiable for a start past the end or an empty suffix", () => {
    expect(parseRange("bytes=1000-", 1000)).toEqual({ kind: "unsatisfiable" })
    expect(parseRange("bytes=1000-1200", 1000)).toEqual({ kind: "unsatisfiable" })
    expect(parseRange("bytes=-0", 1000)).toEqual({ kind: "unsatisfiable" })
  })

  it("ignores what it does not serve: no header, other units, several ranges, malformed, end before start", () => {
    for (const header of [undefined, "items=0-1", "bytes=0-1,5-6", "bytes=abc", "bytes=-", "bytes=9-3", ""]) {
      expect(parseRange(header, 1000)).toEqual({ kind: "whole" })
    }
  })

  it("never yields a range outside the object", () => {
    fc.assert(fc.property(fc.nat(10_000), fc.option(fc.nat(20_000)), fc.option(fc.nat(20_000)), (size, a, b) => {
      const header = `bytes=${a ?? ""}-${b ?? ""}`
      const r = parseRange(header, size)
      if (r.kind === "range") {
        expect(r.start).toBeGreaterThanOrEqual(0)
        expect(r.end).toBeLessThan(size)
        expect(r.start).toBeLessThanOrEqual(r.end)
      }
    }))
  })
})
