/**
 * Views and ratings on two nodes sharing PostgreSQL and Redis: the same session reported to both nodes
 * at once is counted once (the view stream's optimistic concurrency decides), many viewers on both nodes
 * add up exactly, and one user's rating stays one rating whichever node takes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PostgresEventStore } from "../../../src/eventstore/postgres/PostgresEventStore.ts"
import { RedisReadStore } from "../../../src/readstore/redis/RedisReadStore.ts"
import { PlaybackSessionVerifier } from "../../../src/videos/PlaybackSessionVerifier.ts"
import { testPlaybackSessions } from "../../support/PlaybackSessions.ts"
import { freshPostgresSchema, type FreshPostgresSchema } from "../../support/postgres.ts"
import { type TestRedis, testRedis } from "../../support/redis.ts"
import { auth, type Harness, startHarness } from "../queries/ReadSideHarness.ts"

const sessions = testPlaybackSessions()
let pg: FreshPostgresSchema
let redis: TestRedis | undefined
let a: Harness | undefined
let b: Harness | undefined
let last = 0

beforeAll(async () => {
  pg = await freshPostgresSchema("kf_engage")
  redis = await testRedis("engagement-nodes")
  if (!redis) return
  const prefix = redis.newPrefix("nodes")
  const node = () =>
    startHarness({
      eventStore: PostgresEventStore.layer({ url: pg.url, schema: pg.schema }),
      readStore: RedisReadStore.layerFromUrl({ url: redis!.url, keyPrefix: prefix }),
      playbackSessions: PlaybackSessionVerifier.fromVerify(sessions.verify)
    })
  a = await node()
  b = await node()
  last = await a.readyUpload("alice", "nv-1", 1000)
}, 90_000)
afterAll(async () => {
  await a?.stop()
  await b?.stop()
  await redis?.cleanup()
  await pg?.drop()
})

const post = async (node: Harness, path: string, sub: string, body: unknown, method = "POST") => {
  const res = await fetch(`${node.origin}${path}`, { method, headers: { ...(await auth(sub)), "Content-Type": "application/json" }, body: JSON.stringify(body) })
  last = Math.max(last, Number(res.headers.get("Keyframe-Position") ?? 0))
  return res
}
const engagement = async (node: Harness, sub = "zed") =>
  (await (await node.get("/videos/nv-1/engagement", sub, undefined, { "Keyframe-Min-Position": String(last) })).json()) as any

describe("engagement on two nodes (PostgreSQL + Redis)", () => {
  it("one session reported to both nodes at once counts once; many viewers on both nodes add up", async (ctx) => {
    if (!a || !b) return ctx.skip()
    // wait for the video on both nodes before reporting
    expect((await a.get(`/videos/nv-1?minPosition=${last}`, "bob")).status).toBe(200)
    expect((await b.get(`/videos/nv-1?minPosition=${last}`, "bob")).status).toBe(200)
    const session = sessions.mint({ videoId: "nv-1", userId: "bob", issuedAt: Date.now() - 20_000 })
    const answers = await Promise.all([a, b, a, b].map((node) => post(node, "/videos/nv-1/views", "bob", { session, watchedSeconds: 12 })))
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<any>))
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(bodies.filter((x) => x.counted)).toHaveLength(1)
    const viewers = Array.from({ length: 20 }, (_, i) => `viewer${i}`)
    await Promise.all(viewers.map((v, i) =>
      post(i % 2 === 0 ? a! : b!, "/videos/nv-1/views", v, { session: sessions.mint({ videoId: "nv-1", userId: v, issuedAt: Date.now() - 20_000 }), watchedSeconds: 10 })
    ))
    expect((await engagement(a)).views).toBe(21)
    expect((await engagement(b)).views).toBe(21)
  }, 60_000)

  it("a user's ratings sent to both nodes leave one rating", async (ctx) => {
    if (!a || !b) return ctx.skip()
    await Promise.all([post(a, "/videos/nv-1/rating", "carl", { rating: "like" }, "PUT"), post(b, "/videos/nv-1/rating", "carl", { rating: "like" }, "PUT")])
    await post(b, "/videos/nv-1/rating", "dora", { rating: "dislike" }, "PUT")
    expect(await engagement(b, "carl")).toMatchObject({ likes: 1, dislikes: 1, myRating: "like" })
    await post(a, "/videos/nv-1/rating", "carl", { rating: "dislike" }, "PUT")
    expect(await engagement(b, "carl")).toMatchObject({ likes: 0, dislikes: 2, myRating: "dislike" })
  }, 60_000)
})
