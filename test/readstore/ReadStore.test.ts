/** Runs the read store contract against the memory adapter and against real Redis. */
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { MemoryReadStore } from "../../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../../src/readstore/ReadStore.ts"
import { RedisReadStore } from "../../src/readstore/redis/RedisReadStore.ts"
import { testRedis } from "../support/redis.ts"
import { failureTag, readStoreContract } from "./ReadStoreContract.ts"

readStoreContract("memory", () => MemoryReadStore.layer)

const redis = await testRedis("readstore")
if (redis) {
  afterAll(() => redis.cleanup())
  readStoreContract("redis", () => RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix: redis.newPrefix() }))

  describe("RedisReadStore specifics", () => {
    it("keys are namespaced under the key prefix, by projection and version", async () => {
      const { Redis } = await import("ioredis")
      const keyPrefix = redis.newPrefix("layout")
      await Effect.runPromise(Effect.provide(
        ReadStore.use((s) =>
          s.commit({
            slot: { projection: "videos", version: 3, generation: 0 },
            writes: [{ _tag: "Put", model: "video", id: "a", doc: 1 }, { _tag: "IndexAdd", model: "video", index: "byOwner", value: "al:ice", id: "a", score: 1 }],
            checkpoint: 1,
            activate: true
          })
        ),
        RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix })
      ))
      const client = new Redis(redis.url)
      const keys = (await client.keys(`${keyPrefix}*`)).sort()
      client.disconnect()
      expect(keys).toEqual([
        `${keyPrefix}kf:videos:active`,
        `${keyPrefix}kf:videos:v3:checkpoint`,
        `${keyPrefix}kf:videos:v3:video:docs`,
        `${keyPrefix}kf:videos:v3:video:idx:byOwner:al:ice`
      ])
    })

    it("a commit reaches Redis as one script call (EVALSHA) that makes every write and sets the checkpoint", async () => {
      // redis-cli's MONITOR rather than ioredis's: under the whole suite's traffic on the shared
      // server, ioredis's monitor connection loses track of its reply queue.
      const { spawn } = await import("node:child_process")
      const keyPrefix = redis.newPrefix("monitor")
      const watcher = spawn("redis-cli", ["-u", redis.url, "monitor"], { stdio: ["ignore", "pipe", "inherit"] })
      const seen: Array<{ args: Array<string>; source: string }> = []
      let pending = ""
      watcher.stdout.setEncoding("utf8")
      watcher.stdout.on("data", (chunk: string) => {
        const lines = (pending + chunk).split("\n")
        pending = lines.pop()!
        for (const line of lines) {
          const m = /^[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line)
          if (m) seen.push({ source: m[1]!, args: [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]!) })
        }
      })
      await new Promise<void>((resolve) => watcher.stdout.once("data", () => resolve()))
      await Effect.runPromise(Effect.provide(
        ReadStore.use((s) =>
          Effect.andThen(
            s.commit({
              slot: { projection: "videos", version: 1, generation: 0 },
              writes: [
                { _tag: "Put", model: "video", id: "a", doc: 1 },
                { _tag: "Put", model: "video", id: "b", doc: 2 },
                { _tag: "IndexAdd", model: "video", index: "all", value: "", id: "a", score: 1 },
                { _tag: "IndexAdd", model: "video", index: "all", value: "", id: "b", score: 2 }
              ],
              checkpoint: 12
            }),
            s.commit({ slot: { projection: "videos", version: 1, generation: 0 }, writes: [{ _tag: "Put", model: "video", id: "c", doc: 3 }], checkpoint: 13, after: 12 })
          )
        ),
        RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix })
      ))
      // redis-cli flushes its pipe when it likes: wait until our connection's QUIT shows up.
      const ours = (c: { args: Array<string> }) => c.args.some((a) => a.startsWith(keyPrefix))
      const ourSource = () => seen.find((c) => c.source !== "lua" && ours(c))?.source
      for (let waited = 0; waited < 5_000; waited += 50) {
        const source = ourSource()
        if (source !== undefined && seen.some((c) => c.source === source && c.args[0]?.toLowerCase() === "quit")) break
        await new Promise((r) => setTimeout(r, 50))
      }
      watcher.kill()
      const source = ourSource()
      expect(source).toBeDefined()
      const fromClient = seen.filter((c) => c.source === source).map((c) => c.args[0]!.toLowerCase())
      // One command per commit: ioredis loads the script with the connection's first EVAL, then sends EVALSHA.
      expect(fromClient.filter((c) => c !== "hello" && c !== "info")).toEqual(["eval", "evalsha", "quit"])
      // Inside the script: the fence read, the type checks, then the writes and the checkpoint.
      const inScript = seen.filter((c) => c.source === "lua" && ours(c)).map((c) => c.args[0]!.toLowerCase())
      expect(inScript).toEqual(["get", "type", "type", "hset", "zadd", "set", "get", "type", "hset", "set"])
    })

    it("an unreachable server fails fast with ReadStoreUnavailable (reads, commits, ping)", async () => {
      const started = Date.now()
      const exits = await Effect.runPromise(Effect.provide(
        Effect.gen(function*() {
          const s = yield* ReadStore
          const slot = { projection: "videos", version: 1, generation: 0 }
          return yield* Effect.all([
            Effect.exit(s.get(slot, "video", "a")),
            Effect.exit(s.commit({ slot, writes: [], checkpoint: 1 })),
            Effect.exit(s.ping)
          ])
        }),
        RedisReadStore.layerFromUrl({ url: "redis://127.0.0.1:1" })
      ))
      expect(exits.map(failureTag)).toEqual(["ReadStoreUnavailable", "ReadStoreUnavailable", "ReadStoreUnavailable"])
      expect(Date.now() - started).toBeLessThan(10_000)
    })

    it("data that is not ours under our keys is reported as ReadStoreCorrupted; a commit touching it writes nothing", async () => {
      const { Redis } = await import("ioredis")
      const keyPrefix = redis.newPrefix("corrupt")
      const client = new Redis(redis.url)
      await client.hset(`${keyPrefix}kf:videos:v1:video:docs`, "a", "{not json")
      await client.set(`${keyPrefix}kf:videos:v1:video:idx:all:`, "a string, not a zset")
      client.disconnect()
      const slot = { projection: "videos", version: 1, generation: 0 }
      const exits = await Effect.runPromise(Effect.provide(
        Effect.gen(function*() {
          const s = yield* ReadStore
          return yield* Effect.all([
            Effect.exit(s.get(slot, "video", "a")),
            Effect.exit(s.list(slot, "video", "all", { limit: 5, order: "asc" })),
            // The script checks key types before writing: the good hash write is not applied either.
            Effect.exit(s.commit({
              slot,
              writes: [{ _tag: "Put", model: "video", id: "b", doc: 1 }, { _tag: "IndexAdd", model: "video", index: "all", value: "", id: "b", score: 1 }],
              checkpoint: 3
            }))
          ])
        }),
        RedisReadStore.layerFromUrl({ url: redis.url, keyPrefix })
      ))
      expect(exits.map(failureTag)).toEqual(["ReadStoreCorrupted", "ReadStoreCorrupted", "ReadStoreCorrupted"])
      const check = new Redis(redis.url)
      const untouched = await Promise.all([check.hget(`${keyPrefix}kf:videos:v1:video:docs`, "b"), check.get(`${keyPrefix}kf:videos:v1:checkpoint`)])
      check.disconnect()
      expect(untouched).toEqual([null, null])
    })
  })
} else {
  it.skip("Redis adapter: no Redis reachable (see the warning above)", () => {})
}
