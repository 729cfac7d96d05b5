/** The memory store's block-structured sorted set against a plain sorted array, across block splits and merges. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { SortedIndex } from "../../src/readstore/memory/SortedIndex.ts"

const ordered = (model: Map<string, number>) =>
  [...model].map(([id, score]) => ({ score, id })).sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

const pageAll = (index: SortedIndex, order: "asc" | "desc", limit: number) => {
  const out: Array<{ score: number; id: string }> = []
  let cursor: { score: number; id: string } | undefined
  for (;;) {
    const page = index.page(order, limit, cursor)
    out.push(...page)
    if (page.length < limit) return out
    cursor = page[page.length - 1]
  }
}

describe("SortedIndex", () => {
  it("matches a sorted array under random adds, moves and removes (thousands of entries, many blocks)", () => {
    const op = fc.tuple(fc.integer({ min: 0, max: 1999 }), fc.integer({ min: -50, max: 50 }), fc.boolean())
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 4000 }), fc.integer({ min: 1, max: 700 }), (ops, limit) => {
        const index = new SortedIndex()
        const model = new Map<string, number>()
        for (const [n, score, remove] of ops) {
          const id = `id${n}`
          if (remove && n % 3 === 0) {
            index.remove(id)
            model.delete(id)
          } else {
            index.add(id, score)
            model.set(id, score)
          }
        }
        const expected = ordered(model)
        expect(index.size).toBe(model.size)
        expect(pageAll(index, "asc", limit)).toEqual(expected)
        expect(pageAll(index, "desc", limit)).toEqual([...expected].reverse())
      }),
      { numRuns: 60 }
    )
  })

  it("pages from a cursor that is no longer in the index, in both directions", () => {
    const index = new SortedIndex()
    for (let i = 0; i < 1000; i++) index.add(`k${String(i).padStart(4, "0")}`, i % 10)
    const cursor = { score: 5, id: "k0500x" } // among score 5, between k0495 and k0505
    expect(index.page("asc", 2, cursor)).toEqual([{ score: 5, id: "k0505" }, { score: 5, id: "k0515" }])
    expect(index.page("desc", 2, cursor)).toEqual([{ score: 5, id: "k0495" }, { score: 5, id: "k0485" }])
    expect(index.page("asc", 1, { score: 99, id: "z" })).toEqual([])
    expect(index.page("desc", 1, { score: -1, id: "a" })).toEqual([])
    expect(index.page("desc", 1, { score: 99, id: "z" })).toEqual([{ score: 9, id: "k0999" }])
  })
})
