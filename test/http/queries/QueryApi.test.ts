/**
 * The query API over real HTTP, against read models the ProjectionRunner builds from real domain
 * activity (commands through the actors): auth, visibility, filters, cursor paging, ETags,
 * read-your-writes (and its 503), and the SSE feeds with Last-Event-ID resume.
 */
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { RoomView, StreamView, VideoDetailView, VideoView } from "../../../src/http/queries/QuerySchemas.ts"
import { UploadView } from "../../../src/http/queries/UploadView.ts"
import { ProcessingProgress } from "../../../src/uploads/ProcessingProgress.ts"
import { commitDelay, type Harness, startHarness, token } from "./ReadSideHarness.ts"
import { connectSse } from "./SseClient.ts"

let h: Harness
beforeAll(async () => {
  h = await startHarness({ waitMillis: 2_000, sseHeartbeatMillis: 200 })
  // alice: two ready videos and one still processing; bob: one ready; carol: seven ready (paging)
  await h.readyUpload("alice", "a-ready-1")
  await h.readyUpload("alice", "a-ready-2")
  await h.createUpload("alice", "a-proc", 500)
  await h.appendBytes("alice", "a-proc", 0, 500)
  await h.readyUpload("bob", "b-ready")
  for (let i = 1; i <= 7; i++) await h.readyUpload("carol", `c-${i}`)
  await h.createUpload("bob", "b-failed", 100)
  await h.failUpload("b-failed", "The file is not a video.")
  await h.openRoom("alice", "room-1", ["bob"])
  await h.openRoom("bob", "room-2")
  await h.closeRoom("bob", "room-2")
  await h.startStream("alice", "live-1", 3)
  const last = await h.startStream("bob", "live-2", 1)
  // everything above is in every read model before the tests read
  expect((await h.get(`/videos?minPosition=${last}`, "alice")).status).toBe(200)
  for (const path of ["/me/uploads", "/me/quota", "/rooms", "/streams"]) {
    expect((await h.get(path, "alice", undefined, { "Keyframe-Min-Position": String(last) })).status).toBe(200)
  }
}, 60_000)
afterAll(() => h?.stop())

const json = async (res: Response) => (await res.json()) as any
const ids = (body: any) => body.items.map((v: any) => v.id)

describe("auth", () => {
  it("every query needs a bearer token (401 JSON error); a bad token is 401 too", async () => {
    for (const path of ["/videos", "/videos/a-ready-1", "/me/uploads", "/uploads/a-proc", "/me/quota", "/rooms", "/rooms/room-1", "/streams", "/streams/live-1", "/uploads/a-proc/events", "/videos/a-ready-1/events"]) {
      const res = await fetch(`${h.origin}${path}`)
      expect(res.status, path).toBe(401)
      expect((await json(res)).error.code).toBe("UNAUTHORIZED")
    }
    const bad = await fetch(`${h.origin}/videos`, { headers: { Authorization: "Bearer a.b.c" } })
    expect(bad.status).toBe(401)
  })
})

describe("visibility", () => {
  it("GET /videos: ready videos of everyone; your own in any status with owner=me; admins see all", async () => {
    const bobSees = ids(await json(await h.get("/videos?limit=100", "bob")))
    expect(bobSees).toEqual(expect.arrayContaining(["a-ready-1", "a-ready-2", "b-ready", "c-1"]))
    expect(bobSees).not.toContain("a-proc")
    expect(bobSees).not.toContain("b-failed")
    const mine = await json(await h.get("/videos?owner=me&limit=100", "alice"))
    expect(ids(mine).sort()).toEqual(["a-proc", "a-ready-1", "a-ready-2"])
    expect(mine.items.find((v: any) => v.id === "a-proc").status).toBe("processing")
    const ready = mine.items.find((v: any) => v.id === "a-ready-1")
    expect(ready).toMatchObject({ status: "ready", ownerId: "alice", durationSeconds: 4, width: 1280, height: 720, masterPlaylistUrl: "/media/a-ready-1/master.m3u8" })
    expect(ready.renditions).toHaveLength(1)
    expect(ids(await json(await h.get("/videos?owner=me&status=processing", "alice")))).toEqual(["a-proc"])
    expect(ids(await json(await h.get("/videos?owner=alice", "bob"))).sort()).toEqual(["a-ready-1", "a-ready-2"])
    const forbidden = await h.get("/videos?status=processing", "bob")
    expect(forbidden.status).toBe(403)
    expect((await json(forbidden)).error.code).toBe("FORBIDDEN")
    const admin = ids(await json(await h.get("/videos?limit=100", "root", ["admin"])))
    expect(admin).toEqual(expect.arrayContaining(["a-proc", "b-failed", "a-ready-1"]))
    const failed = await json(await h.get("/videos?status=failed", "root", ["admin"]))
    expect(failed.items[0]).toMatchObject({ id: "b-failed", status: "failed", failureReason: "The file is not a video." })
  })

  it("GET /videos/:id: a ready video for everyone, otherwise 404 except for the owner and admins", async () => {
    expect((await h.get("/videos/a-ready-1", "bob")).status).toBe(200)
    expect((await h.get("/videos/a-proc", "bob")).status).toBe(404)
    expect((await h.get("/videos/a-proc", "alice")).status).toBe(200)
    expect((await h.get("/videos/a-proc", "root", ["admin"])).status).toBe(200)
    const missing = await h.get("/videos/nope", "alice")
    expect(missing.status).toBe(404)
    expect((await json(missing)).error.code).toBe("NOT_FOUND")
  })

  it("uploads: your own (GET /uploads/:id, /me/uploads), 404/403 for others, admins may look", async () => {
    const own = await json(await h.get("/uploads/a-proc", "alice"))
    expect(own).toMatchObject({ id: "a-proc", status: "received", offset: 500, size: 500, step: "chunk", stepState: "waiting", expiresAt: null })
    expect(own.milestones.map((m: any) => m.name)).toEqual(["created", "receiving", "25%", "50%", "75%", "received"])
    expect((await h.get("/uploads/a-proc", "bob")).status).toBe(404)
    expect((await h.get("/uploads/a-proc", "root", ["admin"])).status).toBe(200)
    const failed = await json(await h.get("/uploads/b-failed", "bob"))
    expect(failed).toMatchObject({ status: "failed", reason: "The file is not a video.", offset: null })
    const ready = await json(await h.get("/uploads/a-ready-1", "alice"))
    expect(ready.stepsDone).toEqual(["chunk", "transcode", "publish"])
    expect(ready.milestones.map((m: any) => m.name)).toEqual(expect.arrayContaining(["chunk-started", "probed", "publish-done", "ready"]))
    expect(ready.media).toMatchObject({ masterPlaylistUrl: "/media/a-ready-1/master.m3u8", thumbnailUrl: "/media/a-ready-1/thumbnail.jpg" })
    expect(ids(await json(await h.get("/me/uploads", "alice"))).sort()).toEqual(["a-proc", "a-ready-1", "a-ready-2"])
    expect(ids(await json(await h.get("/me/uploads?status=ready", "alice"))).sort()).toEqual(["a-ready-1", "a-ready-2"])
    expect((await h.get("/me/uploads?owner=alice", "bob")).status).toBe(403)
    expect(ids(await json(await h.get("/me/uploads?owner=alice", "root", ["admin"]))).length).toBe(3)
  })

  it("GET /me/quota: your period with limit, reserved, committed, remaining and reset time", async () => {
    const q = await json(await h.get("/me/quota", "alice"))
    expect(q).toMatchObject({ userId: "alice", reservedBytes: 500, committedBytes: 2000, usedBytes: 2500, limitBytes: 4 * 1024 ** 3, openReservations: 1 })
    expect(q.remainingBytes).toBe(4 * 1024 ** 3 - 2500)
    expect(Date.parse(q.resetsAt)).toBeGreaterThan(Date.now())
    expect((await h.get("/me/quota?user=alice", "bob")).status).toBe(403)
    expect((await json(await h.get("/me/quota?user=alice", "root", ["admin"]))).usedBytes).toBe(2500)
    expect((await json(await h.get("/me/quota", "nobody"))).usedBytes).toBe(0)
  })

  it("rooms for everyone signed in (open by default, closed on request); streams for their owner and admins", async () => {
    const open = await json(await h.get("/rooms", "dave"))
    expect(ids(open)).toEqual(["room-1"])
    expect(open.items[0]).toMatchObject({ hostId: "alice", memberCount: 2, tier: "standard", status: "open", capacity: 10 })
    expect(ids(await json(await h.get("/rooms?status=closed", "dave")))).toEqual(["room-2"])
    expect(ids(await json(await h.get("/rooms?host=me", "bob")))).toEqual(["room-2"])
    expect((await json(await h.get("/rooms/room-1", "dave"))).members.map((m: any) => m.userId)).toEqual(["alice", "bob"])
    const mine = await json(await h.get("/streams", "alice"))
    expect(ids(mine)).toEqual(["live-1"])
    expect(mine.items[0]).toMatchObject({ state: "live", bytesReceived: 3 * 10 * 1024 * 1024, partsUploaded: 1, lagBytes: 2 * 10 * 1024 * 1024 })
    expect(mine.items[0].idleSeconds).toBeGreaterThanOrEqual(0)
    expect((await h.get("/streams/live-1", "bob")).status).toBe(404)
    expect((await h.get("/streams?owner=alice", "bob")).status).toBe(403)
    expect(ids(await json(await h.get("/streams", "root", ["admin"]))).sort()).toEqual(["live-1", "live-2"])
  })
})

describe("paging, filters and ETags", () => {
  it("pages newest first with a stable cursor and a Link header; bad parameters are JSON errors", async () => {
    const seen: Array<string> = []
    let path = "/videos?owner=carol&limit=3"
    for (let page = 0; page < 5 && path; page++) {
      const res = await h.get(path, "alice")
      const body = await json(res)
      seen.push(...ids(body))
      expect(body.items.length).toBeLessThanOrEqual(3)
      if (body.next === null) {
        expect(res.headers.get("Link")).toBeNull()
        path = ""
      } else {
        expect(res.headers.get("Link")).toMatch(/rel="next"/)
        path = `/videos?owner=carol&limit=3&cursor=${encodeURIComponent(body.next)}`
      }
    }
    expect(seen).toEqual(["c-7", "c-6", "c-5", "c-4", "c-3", "c-2", "c-1"])
    const badCursor = await h.get("/videos?cursor=!!!", "alice")
    expect(badCursor.status).toBe(400)
    expect((await json(badCursor)).error.code).toBe("INVALID_ARGUMENT")
    for (const bad of ["/videos?limit=0", "/videos?limit=x", "/videos?status=weird", "/rooms?status=x", "/me/uploads?minPosition=-1"]) {
      const res = await h.get(bad, "alice")
      expect(res.status, bad).toBe(422)
      expect((await json(res)).error.code).toBe("VALIDATION_FAILED")
    }
  })

  it("If-None-Match with the ETag answers 304 until the document changes", async () => {
    await h.createUpload("erin", "e-1", 300)
    const first = await h.get("/uploads/e-1", "erin")
    const etag = first.headers.get("ETag")!
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(first.headers.get("Keyframe-Position")).toMatch(/^\d+$/)
    const again = await h.get("/uploads/e-1", "erin", undefined, { "If-None-Match": etag })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe("")
    expect(again.headers.get("ETag")).toBe(etag)
    await h.appendBytes("erin", "e-1", 0, 100)
    const changed = await h.get("/uploads/e-1", "erin", undefined, { "If-None-Match": etag })
    expect(changed.status).toBe(200)
    expect(changed.headers.get("ETag")).not.toBe(etag)
    expect((await json(changed)).offset).toBe(100)
    const list = await h.get("/me/uploads", "erin")
    expect((await h.get("/me/uploads", "erin", undefined, { "If-None-Match": `W/${list.headers.get("ETag")}` })).status).toBe(304)
  })
})

describe("read-your-writes", () => {
  it("a list read with the command's position waits for it; one far ahead is 503 READ_MODEL_BEHIND with Retry-After", async () => {
    commitDelay.millis = 300 // every read model commit now takes 300 ms: the models lag behind the writes
    try {
      const position = await h.createUpload("frank", "f-1", 100)
      const stale = await json(await h.get("/me/uploads", "frank"))
      expect(stale.items).toEqual([]) // not folded in yet, and nothing asked to wait
      const started = Date.now()
      const fresh = await h.get("/me/uploads", "frank", undefined, { "Keyframe-Min-Position": String(position) })
      expect(fresh.status).toBe(200)
      expect(ids(await json(fresh))).toEqual(["f-1"])
      expect(Number(fresh.headers.get("Keyframe-Position"))).toBeGreaterThanOrEqual(position)
      expect(Date.now() - started).toBeGreaterThan(50)
      // single-document reads are as fresh as the aggregate's stream by themselves
      const more = await h.appendBytes("frank", "f-1", 0, 40)
      expect((await json(await h.get("/uploads/f-1", "frank"))).offset).toBe(40)
      expect(more).toBeGreaterThan(position)
      const ahead = await h.get(`/videos?minPosition=${more + 1_000_000}`, "frank")
      expect(ahead.status).toBe(503)
      expect(ahead.headers.get("Retry-After")).toBe("1")
      expect((await json(ahead)).error.code).toBe("READ_MODEL_BEHIND")
      const badHeader = await h.get("/videos", "frank", undefined, { "Keyframe-Min-Position": "soon" })
      expect(badHeader.status).toBe(422)
    } finally {
      commitDelay.millis = 0
    }
  }, 30_000)
})

describe("Server-Sent Events", () => {
  it("an upload's feed: snapshot, progress and state as they happen, resume with Last-Event-ID, end, then 204", async () => {
    await h.createUpload("gail", "g-1", 1000)
    const headers = { Authorization: `Bearer ${await token("gail")}` }
    const feed = await connectSse(`${h.origin}/uploads/g-1/events`, headers)
    expect(feed.status).toBe(200)
    const snapshot = await feed.next()
    expect(snapshot).toMatchObject({ event: "snapshot", data: { upload: { id: "g-1", status: "created", offset: 0 } } })
    await h.appendBytes("gail", "g-1", 0, 400)
    const p = (await feed.until((e) => e.id !== undefined)).at(-1)!
    // the first bytes change the status (created → receiving): a "state" message
    expect(p).toMatchObject({ event: "state", data: { type: "BytesReceived", upload: { offset: 400, status: "receiving" } } })
    expect(Number(p.id)).toBe(p.data.position)
    feed.close()

    // while disconnected: the rest of the bytes and the whole pipeline
    await h.appendBytes("gail", "g-1", 400, 600)
    for (const s of ["chunk", "transcode", "publish"] as const) await h.step("g-1", s, 1000)

    const resumed = await connectSse(`${h.origin}/uploads/g-1/events`, { ...headers, "Last-Event-ID": p.id! })
    const rest = await resumed.until((e) => e.event === "end")
    const stored = rest.filter((e) => e.id !== undefined)
    expect(stored[0]).toMatchObject({ event: "progress", data: { type: "BytesReceived", upload: { offset: 1000 } } })
    expect(stored.every((e) => Number(e.id) > Number(p.id))).toBe(true)
    expect(stored.map((e) => e.data.type)).toEqual(expect.arrayContaining(["UploadReceived", "StepClaimed", "ChunkUploaded", "MilestoneReached", "StepCompleted", "UploadReady"]))
    expect(stored.filter((e) => e.event === "state").map((e) => e.data.upload.status)).toEqual(["received", "processing", "ready"])
    expect(rest.at(-1)).toMatchObject({ event: "end", data: { status: "ready" } })
    expect(await resumed.next()).toBeUndefined() // closed after the end
    const after = await fetch(`${h.origin}/uploads/g-1/events`, { headers: { ...headers, "Last-Event-ID": stored.at(-1)!.id! } })
    expect(after.status).toBe(204)
  }, 30_000)

  it("a live feed carries the workers' processing percentages for its upload only (no id: they are not stored)", async () => {
    await h.createUpload("pia", "p-1", 100)
    const feed = await connectSse(`${h.origin}/uploads/p-1/events`, { Authorization: `Bearer ${await token("pia")}` })
    expect((await feed.next())!.event).toBe("snapshot")
    const publish = (uploadId: string, percent: number) =>
      h.send(ProcessingProgress.use((p) => p.publish({ uploadId, step: "transcode", attempt: 1, percent, done: percent / 10, at: 0 })))
    // the live part subscribes just after the snapshot: publish until the feed has it
    let got: Array<{ event: string; id: string | undefined; data: any }> = []
    for (let percent = 1; got.length === 0 && percent <= 50; percent++) {
      await publish("someone-else", 99)
      await publish("p-1", percent)
      got = await feed.until((e) => e.event === "processing", 200).catch(() => [])
    }
    const processing = got.at(-1)!
    expect(processing).toMatchObject({ event: "processing", data: { uploadId: "p-1", step: "transcode" } })
    expect(processing.id).toBeUndefined()
    feed.close()
  }, 30_000)

  it("a video's feed with ?token= (EventSource sends no headers): 404 for others until ready, then snapshot and end", async () => {
    await h.createUpload("hana", "h-1", 200)
    const other = await fetch(`${h.origin}/videos/h-1/events?token=${await token("ivan")}`)
    expect(other.status).toBe(404)
    const feed = await connectSse(`${h.origin}/videos/h-1/events?token=${await token("hana")}`, {})
    expect(await feed.next()).toMatchObject({ event: "snapshot", data: { video: { id: "h-1", status: "uploading" }, upload: { status: "created" } } })
    await h.appendBytes("hana", "h-1", 0, 200)
    const received = await feed.until((e) => e.event === "state")
    expect(received.at(-1)!.data).toMatchObject({ video: { status: "processing" }, upload: { status: "received", offset: 200 } })
    for (const s of ["chunk", "transcode", "publish"] as const) await h.step("h-1", s, 200)
    const rest = await feed.until((e) => e.event === "end")
    expect(rest.filter((e) => e.event === "state").at(-1)!.data.video).toMatchObject({ status: "ready", masterPlaylistUrl: "/media/h-1/master.m3u8" })
    feed.close()
    // ready but private until its owner says otherwise (DEFAULT_VISIBILITY): still 404 for others
    expect((await fetch(`${h.origin}/videos/h-1/events?token=${await token("ivan")}`)).status).toBe(404)
    // no catalog worker runs here: the owner's PATCH creates the Video from the ready upload first
    expect((await h.request("PATCH", "/videos/h-1", "hana", undefined, { visibility: "public" })).status).toBe(200)
    const viewer = await connectSse(`${h.origin}/videos/h-1/events?token=${await token("ivan")}`, {})
    expect(viewer.status).toBe(200)
    expect((await viewer.next())!.event).toBe("snapshot")
    expect((await viewer.next())!.event).toBe("end")
    const bad = await fetch(`${h.origin}/videos/h-1/events?token=${await token("ivan")}&lastEventId=abc`)
    expect(bad.status).toBe(422)
  }, 30_000)
})

describe("operations and documentation", () => {
  it("/readyz lists every projection; /metrics has their lag; the OpenAPI document has every read-side route", async () => {
    const ready = await json(await fetch(`${h.origin}/readyz`))
    expect(ready.checks.projections.ok).toBe(true)
    expect(ready.checks.projections.projections.map((p: any) => p.projection)).toEqual(["videos", "uploads", "quotas", "rooms", "streams", "engagement", "storage"])
    expect(ready.checks.projections.projections[0]).toMatchObject({ state: "serving", caughtUp: true, positionsBehind: 0 })
    const metrics = await (await fetch(`${h.origin}/metrics`)).text()
    expect(metrics).toMatch(/keyframe_projection_lag_positions\{projection="videos"\} 0/)
    expect(metrics).toMatch(/keyframe_projection_checkpoint\{projection="uploads"\} [1-9]/)
    const doc = await json(await fetch(`${h.origin}/openapi.json`))
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      "/videos", "/videos/{id}", "/videos/{id}/events", "/me/uploads", "/uploads/{id}", "/uploads/{id}/events", "/me/quota",
      "/rooms", "/rooms/{id}", "/streams", "/streams/{id}", "/audit/streams/{stream}", "/audit/aggregates/{type}/{id}",
      "/audit/verify", "/audit/verify/{stream}", "/audit/export", "/admin/projections", "/admin/projections/{name}/rebuild",
      "/videos/{id}/comments", "/videos/{id}/engagement", "/me/feed", "/me/storage", "/storage/stats"
    ]))
    expect(doc.paths["/videos"].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(["limit", "cursor", "owner", "status", "Keyframe-Min-Position"]))
  })

  it("answers are instances of the response schemas they document, which describe the read models' JSON documents", async () => {
    const doc = await json(await fetch(`${h.origin}/openapi.json`))
    const schemas = doc.components.schemas
    for (const [path, name] of [["/rooms/{id}", "Room"], ["/streams/{id}", "LiveStream"], ["/uploads/{id}", "Upload"], ["/videos/{id}", "VideoDetail"]] as const) {
      expect(doc.paths[path].get.responses["200"].content["application/json"].schema, path).toEqual({ $ref: `#/components/schemas/${name}` })
    }
    // JSON numbers (a document holds no Infinity or NaN), with the read models' own descriptions; the domain's enums
    expect(schemas.Room.properties.capacity).toEqual({ type: "number", description: "most members at once, host included; -1 = unlimited" })
    expect(schemas.Upload.properties.size).toEqual({ type: "number", description: "the declared size (tus Upload-Length)" })
    expect(schemas.Upload.properties.stepsDone.items).toEqual({ type: "string", enum: ["chunk", "transcode", "publish"] })
    expect(schemas.LiveStream.properties.lagBytes.description).toMatch(/not yet stored in a part/)
    expect(schemas.Video.properties.sizeBytes.type).toBe("number")
    const strict = { onExcessProperty: "error" } as const
    const served: Array<[string, Schema.ConstraintDecoder<unknown>, string, Array<string>?]> = [
      ["/rooms/room-1", RoomView, "dave"],
      ["/rooms/room-2", RoomView, "dave"],
      ["/streams/live-1", StreamView, "alice"],
      ["/uploads/a-ready-1", UploadView, "alice"],
      ["/uploads/a-proc", UploadView, "alice"],
      ["/uploads/b-failed", UploadView, "bob"],
      ["/videos/a-ready-1", VideoDetailView, "bob"],
      ["/videos/b-failed", VideoDetailView, "root", ["admin"]]
    ]
    for (const [path, schema, user, roles] of served) {
      const body = await json(await h.get(path, user, roles))
      expect(Schema.decodeUnknownSync(schema, strict)(body), path).toEqual(body)
    }
  })

  it("admins start a rebuild (202), follow it to done, and the read model still answers the same", async () => {
    expect((await fetch(`${h.origin}/admin/projections/videos/rebuild`, { method: "POST", headers: { Authorization: `Bearer ${await token("alice")}` } })).status).toBe(403)
    const admin = { Authorization: `Bearer ${await token("root", ["admin"])}` }
    expect((await fetch(`${h.origin}/admin/projections/nope/rebuild`, { method: "POST", headers: admin })).status).toBe(404)
    const before = ids(await json(await h.get("/videos?limit=100", "bob")))
    const started = await fetch(`${h.origin}/admin/projections/videos/rebuild`, { method: "POST", headers: admin })
    expect(started.status).toBe(202)
    let status: any
    for (let i = 0; i < 200; i++) {
      status = (await json(await fetch(`${h.origin}/admin/projections`, { headers: admin }))).projections.find((p: any) => p.projection === "videos")
      if (status.rebuild?.state === "done") break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(status.rebuild).toMatchObject({ state: "done", fraction: 1 })
    expect(status.active.generation).toBe(1)
    expect(ids(await json(await h.get("/videos?limit=100", "bob")))).toEqual(before)
  })
})
