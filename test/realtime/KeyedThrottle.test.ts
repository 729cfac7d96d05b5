/** The presence throttle: at most one run per key per interval, the first at once, the last request never lost. */
import { describe, expect, it } from "vitest"
import { keyedThrottle } from "../../src/realtime/KeyedThrottle.ts"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("keyedThrottle", () => {
  it("runs the first request at once, folds a burst into one run at the end of the interval, keys apart", async () => {
    const runs: Array<[string, number]> = []
    const start = Date.now()
    const throttle = keyedThrottle(200, (key) => runs.push([key, Date.now() - start]))
    throttle.request("a")
    expect(runs.map(([k]) => k)).toEqual(["a"])
    for (let i = 0; i < 50; i++) throttle.request("a")
    throttle.request("b")
    expect(runs.map(([k]) => k)).toEqual(["a", "b"])
    await sleep(400)
    expect(runs.map(([k]) => k)).toEqual(["a", "b", "a"])
    expect(runs[2]![1]).toBeGreaterThanOrEqual(190)
    await sleep(300)
    throttle.request("a") // an interval after its last run: at once again
    expect(runs.map(([k]) => k)).toEqual(["a", "b", "a", "a"])
    throttle.stop()
  })

  it("drops what is scheduled on stop", async () => {
    const runs: Array<string> = []
    const throttle = keyedThrottle(100, (key) => runs.push(key))
    throttle.request("a")
    throttle.request("a")
    throttle.stop()
    await sleep(250)
    expect(runs).toEqual(["a"])
  })
})
