/** The stream heads this process last saw (bounded, least recently used out): the guesses of the speculative append path. */
import type { Head } from "./SqlAppendPlan.ts"

export class HeadCache {
  private readonly heads = new Map<string, Head>()
  private readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
  }

  get(stream: string): Head | undefined {
    const head = this.heads.get(stream)
    if (head !== undefined) {
      this.heads.delete(stream) // re-insert: Map order is our recency order
      this.heads.set(stream, head)
    }
    return head
  }

  /** Records a head seen committed; never moves a stream backwards (a slower read may report an older one). */
  observe(stream: string, head: Head): void {
    const known = this.heads.get(stream)
    if (known !== undefined && known.revision > head.revision) return
    this.heads.delete(stream)
    this.heads.set(stream, head)
    if (this.heads.size > this.capacity) this.heads.delete(this.heads.keys().next().value!)
  }

  forget(stream: string): void {
    this.heads.delete(stream)
  }
}
