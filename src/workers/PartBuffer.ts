/** Regroups a byte stream into parts of exactly `partSize` bytes (the last one shorter): the chunks of the original. */
export class PartBuffer {
  readonly partSize: number
  private buffer: Uint8Array
  private filled = 0

  constructor(partSize: number) {
    if (!Number.isSafeInteger(partSize) || partSize < 1) throw new RangeError(`part size must be a positive integer, got ${partSize}`)
    this.partSize = partSize
    this.buffer = new Uint8Array(partSize)
  }

  /** Takes `bytes` in; returns the parts they completed, in order (each its own copy, `partSize` long). */
  push(bytes: Uint8Array): ReadonlyArray<Uint8Array> {
    const full: Array<Uint8Array> = []
    let from = 0
    while (from < bytes.byteLength) {
      const take = Math.min(this.partSize - this.filled, bytes.byteLength - from)
      this.buffer.set(bytes.subarray(from, from + take), this.filled)
      this.filled += take
      from += take
      if (this.filled === this.partSize) {
        full.push(this.buffer)
        this.buffer = new Uint8Array(this.partSize)
        this.filled = 0
      }
    }
    return full
  }

  /** The bytes left over (the last part), or undefined when none. */
  flush(): Uint8Array | undefined {
    if (this.filled === 0) return undefined
    const last = this.buffer.slice(0, this.filled)
    this.filled = 0
    return last
  }
}
