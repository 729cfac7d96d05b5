/** Per-connection frame rate: a token bucket (2 s burst); a client that keeps sending past it is closed (1008). */
export class FrameRate {
  private readonly perSecond: number
  private tokens: number
  private last: number
  private strikes = 0

  constructor(perSecond: number, now: number) {
    this.perSecond = perSecond
    this.tokens = perSecond * 2
    this.last = now
  }

  /** "ok", "excess" (answer an error, drop the frame) or "abuse" (close the connection). */
  take(now: number): "ok" | "excess" | "abuse" {
    this.tokens = Math.min(this.perSecond * 2, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      this.strikes = 0
      return "ok"
    }
    this.strikes++
    return this.strikes > this.perSecond ? "abuse" : "excess"
  }
}
