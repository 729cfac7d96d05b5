/**
 * An in-memory sorted set (id → score, ordered by score then id), the memory twin of a Redis
 * ZSET. Entries live in blocks of at most BLOCK, so an update moves at most a block's worth of
 * entries, not the whole index (one flat array was 20× slower under allocation-heavy loads).
 */
import { compareEntries, type Cursor } from "../ReadStoreKeys.ts"

const BLOCK = 256

interface Block {
  readonly scores: Array<number>
  readonly ids: Array<string>
}

export class SortedIndex {
  private readonly scoreOf = new Map<string, number>()
  private readonly blocks: Array<Block> = []

  get size(): number {
    return this.scoreOf.size
  }

  add(id: string, score: number): void {
    const old = this.scoreOf.get(id)
    if (old === score) return
    if (old !== undefined) this.delete(old, id)
    this.scoreOf.set(id, score)
    this.insert(score, id)
  }

  remove(id: string): void {
    const old = this.scoreOf.get(id)
    if (old === undefined) return
    this.scoreOf.delete(id)
    this.delete(old, id)
  }

  /** Up to `limit` entries strictly after `cursor` in the given order. */
  page(order: "asc" | "desc", limit: number, cursor: Cursor | undefined): Array<{ score: number; id: string }> {
    const out: Array<{ score: number; id: string }> = []
    const blocks = this.blocks
    if (blocks.length === 0) return out
    // [b, i]: the first entry ≥ cursor (or the start).
    let b = cursor ? Math.min(this.blockFor(cursor.score, cursor.id), blocks.length - 1) : 0
    let i = cursor ? this.lowerBound(blocks[b]!, cursor.score, cursor.id) : 0
    if (order === "asc") {
      const at = blocks[b]!
      if (cursor && i < at.ids.length && compareEntries(at.scores[i]!, at.ids[i]!, cursor.score, cursor.id) === 0) i++
      for (; b < blocks.length && out.length < limit; b++, i = 0) {
        const block = blocks[b]!
        for (; i < block.ids.length && out.length < limit; i++) out.push({ score: block.scores[i]!, id: block.ids[i]! })
      }
    } else {
      if (!cursor) {
        b = blocks.length - 1
        i = blocks[b]!.ids.length
      }
      // Everything before [b, i] is strictly smaller than the cursor.
      for (i--; b >= 0 && out.length < limit; b--, i = b >= 0 ? blocks[b]!.ids.length - 1 : 0) {
        const block = blocks[b]!
        for (; i >= 0 && out.length < limit; i--) out.push({ score: block.scores[i]!, id: block.ids[i]! })
      }
    }
    return out
  }

  /** The first block whose last entry is ≥ (score, id); blocks.length when there is none. */
  private blockFor(score: number, id: string): number {
    let lo = 0
    let hi = this.blocks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const block = this.blocks[mid]!
      const last = block.ids.length - 1
      if (compareEntries(block.scores[last]!, block.ids[last]!, score, id) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first entry of `block` that is ≥ (score, id). */
  private lowerBound(block: Block, score: number, id: string): number {
    let lo = 0
    let hi = block.ids.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareEntries(block.scores[mid]!, block.ids[mid]!, score, id) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private insert(score: number, id: string): void {
    if (this.blocks.length === 0) {
      this.blocks.push({ scores: [score], ids: [id] })
      return
    }
    const b = Math.min(this.blockFor(score, id), this.blocks.length - 1)
    const block = this.blocks[b]!
    const i = this.lowerBound(block, score, id)
    block.scores.splice(i, 0, score)
    block.ids.splice(i, 0, id)
    if (block.ids.length > BLOCK) {
      const half = block.ids.length >>> 1
      this.blocks.splice(b + 1, 0, { scores: block.scores.splice(half), ids: block.ids.splice(half) })
    }
  }

  private delete(score: number, id: string): void {
    const b = this.blockFor(score, id)
    const block = this.blocks[b]!
    const i = this.lowerBound(block, score, id)
    block.scores.splice(i, 1)
    block.ids.splice(i, 1)
    if (block.ids.length === 0) this.blocks.splice(b, 1)
  }
}
