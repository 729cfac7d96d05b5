/**
 * Redis for tests: uses REDIS_URL (default 127.0.0.1:6379), or starts `redis-server` on a free
 * port when none answers. Each suite gets a unique key prefix; its keys are deleted afterwards.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { Redis } from "ioredis"
import { freePort } from "./ports.ts"

export interface TestRedis {
  readonly url: string
  /** Unique to this suite; every key the suite writes must start with it. */
  readonly keyPrefix: string
  /** A fresh prefix under the suite's (for one test case). */
  readonly newPrefix: (label?: string) => string
  /** Deletes the suite's keys, and stops the server if this helper started it. */
  readonly cleanup: () => Promise<void>
}

const answers = async (url: string): Promise<boolean> => {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null })
  client.on("error", () => {})
  try {
    await client.connect()
    return (await client.ping()) === "PONG"
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

const startServer = async (): Promise<{ url: string; child: ChildProcess } | undefined> => {
  const port = await freePort()
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore"
  })
  const failed = new Promise<false>((resolve) => child.on("error", () => resolve(false)))
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    const ok = await Promise.race([answers(url), failed])
    if (ok) return { url, child }
    if (child.exitCode !== null || child.killed) return undefined
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill()
  return undefined
}

/** Redis for one suite, or undefined (with the reason printed) when none can be reached or started. */
export const testRedis = async (suite: string): Promise<TestRedis | undefined> => {
  let url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
  let child: ChildProcess | undefined
  if (!(await answers(url))) {
    const started = await startServer()
    if (!started) {
      console.warn(`[${suite}] SKIPPED Redis tests: nothing answers at ${url} and redis-server could not be started`)
      return undefined
    }
    url = started.url
    child = started.child
  }
  const keyPrefix = `kftest:${suite}:${crypto.randomUUID().slice(0, 8)}:`
  let n = 0
  return {
    url,
    keyPrefix,
    newPrefix: (label = "case") => `${keyPrefix}${label}${++n}:`,
    cleanup: async () => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 })
      client.on("error", () => {})
      try {
        let cursor = "0"
        do {
          const [next, keys] = await client.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000)
          if (keys.length > 0) await client.unlink(...keys)
          cursor = next
        } while (cursor !== "0")
      } finally {
        client.disconnect()
        child?.kill()
      }
    }
  }
}
