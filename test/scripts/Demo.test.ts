/**
 * `npm run demo` against a real `npm start` (test/console/support/ConsoleServer.ts: fresh DATA_DIR, free
 * ports): run as a child process, then the server's own API says what it made; a second run adds
 * nothing; with no server it says to start one.
 */
import { spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { skipConsolePages } from "../console/support/ConsoleBrowser.ts"
import { type ConsoleServer, freePort, startConsoleServer } from "../console/support/ConsoleServer.ts"

const ROOT = new URL("../../", import.meta.url).pathname

/** `npm run demo -- --url <url>` with DATA_DIR (for the development secret); resolves with its exit code and output. */
const runDemo = (url: string, dataDir: string, seconds = 150) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    let output = ""
    const child = spawn("npm", ["run", "--silent", "demo", "--", "--url", url], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: "", JWKS_URL: "" }
    })
    child.stdout.on("data", (d: Buffer) => (output += d.toString()))
    child.stderr.on("data", (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

interface Video {
  id: string
  status: string
  category: string | null
  ownerId: string
  title: string
}

const skipped = skipConsolePages("Demo")
let server: ConsoleServer
beforeAll(async () => {
  if (!skipped) server = await startConsoleServer()
}, 120_000)
afterAll(async () => {
  await server?.stop()
})

const admin = { sub: "test-admin", roles: ["user", "admin"] }

describe.skipIf(skipped)("npm run demo", () => {
  it("fills a fresh server: videos across categories, ready and failed ones, quotas at 0/50/100 %, a room with chat", async () => {
    const first = await runDemo(server.url, server.dataDir)
    expect(first.code, first.output).toBe(0)
    expect(first.output).toContain(`Open ${server.url}/ and sign in as`)

    // every user's videos (owner=me lists all of one's own, whatever their state)
    const owners = ["alice", "bob", "dan"]
    const videos = (await Promise.all(owners.map((sub) => server.api<{ items: Array<Video> }>("GET", "/videos?owner=me&limit=50", { sub }))))
      .flatMap((page) => page.items)
    expect(videos.length).toBeGreaterThanOrEqual(12)
    const categories = new Set(videos.map((v) => v.category).filter((c) => c !== null))
    expect(categories.size).toBeGreaterThanOrEqual(3)
    const known = (await server.api<{ items: Array<{ slug: string }> }>("GET", "/categories")).items.map((c) => c.slug)
    for (const c of categories) expect(known).toContain(c)
    expect(videos.filter((v) => v.status === "ready").length).toBeGreaterThanOrEqual(6)
    // the broken files fail (the probe refuses random bytes); give the workers a few seconds if needed
    const deadline = Date.now() + 30_000
    let failed = 0
    while (failed < 2 && Date.now() < deadline) {
      const dan = await server.api<{ items: Array<Video> }>("GET", "/videos?owner=me&limit=50", { sub: "dan" })
      failed = dan.items.filter((v) => v.status === "failed").length
      if (failed < 2) await new Promise((r) => setTimeout(r, 1000))
    }
    expect(failed).toBe(2)
    // others see the public, ready ones in the catalog, titled
    const catalog = await server.api<{ items: Array<Video> }>("GET", "/videos?limit=50", { sub: "someone-else" })
    expect(catalog.items.length).toBeGreaterThanOrEqual(6)
    expect(catalog.items.every((v) => v.title.length > 3 && !v.title.endsWith(".mp4"))).toBe(true)

    // quotas: alice 100 %, bob 50 %, carol 0 %
    const quota = (user: string) => server.api<{ usedBytes: number; limitBytes: number }>("GET", `/me/quota?user=${user}`, admin)
    const [alice, bob, carol] = await Promise.all([quota("alice"), quota("bob"), quota("carol")])
    expect(alice.usedBytes).toBeGreaterThan(0)
    expect(alice.usedBytes / alice.limitBytes).toBe(1)
    expect(bob.usedBytes).toBeGreaterThan(0)
    expect(bob.usedBytes / bob.limitBytes).toBe(0.5)
    expect(carol.usedBytes).toBe(0)
    expect(carol.limitBytes).toBeGreaterThan(0)

    // engagement on the ready videos (the newest, uploaded last, have none yet)
    const totals = await Promise.all(catalog.items.map((v) => server.api<{ likes: number; comments: number; views: number }>("GET", `/videos/${v.id}/engagement`, { sub: "carol" })))
    expect(totals.filter((e) => e.likes + e.comments + e.views > 0).length).toBeGreaterThanOrEqual(6)
    expect(totals.reduce((n, e) => n + e.views, 0)).toBeGreaterThan(0)
    expect(totals.reduce((n, e) => n + e.likes, 0)).toBeGreaterThan(0)
    expect(totals.reduce((n, e) => n + e.comments, 0)).toBeGreaterThan(0)

    // a room with chat
    const rooms = await server.api<{ items: Array<{ id: string; title: string | null; chatMessages: number; videoId: string | null; status: string }> }>("GET", "/rooms", { sub: "carol" })
    const room = rooms.items.find((r) => r.title === "Friday night screening")
    expect(room).toBeDefined()
    expect(room!.status).toBe("open")
    expect(room!.chatMessages).toBeGreaterThanOrEqual(5)
    expect(room!.videoId).not.toBeNull()

    // a second run adds nothing and says so
    const second = await runDemo(server.url, server.dataDir, 30)
    expect(second.code, second.output).toBe(0)
    expect(second.output).toContain("already filled")
    const after = (await Promise.all(owners.map((sub) => server.api<{ items: Array<Video> }>("GET", "/videos?owner=me&limit=50", { sub })))).flatMap((p) => p.items)
    expect(after.length).toBe(videos.length)
  }, 200_000)

  it("says to start the server when none answers", async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const r = await runDemo(url, server.dataDir, 30)
    expect(r.code).toBe(1)
    expect(r.output).toContain(`no Keyframe answers at ${url}`)
    expect(r.output).toContain("npm start")
  })
})
