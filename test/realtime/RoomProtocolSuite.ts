/**
 * The black-box room protocol suite: a server process started by `command`, talked to by URL with
 * real WebSocket clients. Each transport's test file runs it (ws under Node 24, uWS under Node 20, Deno),
 * with the upload feed suite (UploadFeedSuite.ts) on the same server.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RoomServer, startRoomServer, tokenFor } from "./RoomServerProcess.ts"
import { PlaybackClient } from "../../src/realtime/client/PlaybackClient.ts"
import { connect, type Frame, refusal, type TestClient } from "./RoomTestClient.ts"
import { streamFeedSuite } from "./StreamFeedSuite.ts"
import { uploadFeedSuite } from "./UploadFeedSuite.ts"

const SETTINGS = {
  DEFAULT_MAX_PARTICIPANTS: "3",
  ROOM_REPLAY_MAX_EVENTS: "20",
  ROOM_MAX_FRAME_BYTES: "4096",
  // high enough for the replay test's 25 quick chats on one connection, low enough to flood
  ROOM_MESSAGES_PER_SECOND: "50",
  ROOM_MEMBER_GRACE_SECONDS: "1",
  ROOM_READY_TIMEOUT_MS: "2000",
  // small enough for the slow-consumer test to fill quickly, large enough for a client that reads
  ROOM_MAX_BACKPRESSURE_BYTES: "262144",
  // the upload feed suite's cap test: SSE and WebSocket feeds count together
  FEED_MAX_PER_USER: "2"
}

export interface SuiteOptions {
  /** Runs of a failing test (vitest `retry`); vitest reports each retry. */
  readonly retry?: number
  /**
   * Close codes a flooding client may see. Deno's server aborts the TCP connection when a frame
   * arrives after its close frame, so a client still sending sees 1006 there (checked with a bare
   * Deno.serve: 30 frames then close(1008) → 1008; one more frame → 1006), and the reset drops the
   * frames still in flight to the client.
   */
  readonly floodCloseCodes?: ReadonlyArray<number>
  /** Close codes the slow consumer finds once it reads again (the server's 1013, unless the transport cut the connection). */
  readonly slowCloseCodes?: ReadonlyArray<number>
  /** More settings for the server (e.g. REDIS_URL for the shared presence). */
  readonly env?: Record<string, string>
  /**
   * Only the tests where presence takes part (joins, readiness, waits, grace periods, restarts): another
   * presence adapter over the same transport need not repeat the transport's own tests (upgrade refusals,
   * garbage and floods, the slow consumer, the upload and stream feeds).
   */
  readonly presenceOnly?: boolean
}

/** `transport`: what the start-up log must name as the live transport. */
export const roomProtocolSuite = (name: string, command: ReadonlyArray<string>, transport: string, options: SuiteOptions = {}) =>
  describe(name, { retry: options.retry ?? 0 }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), "keyframe-rooms-"))
    const transportTest = (name: string, fn: () => Promise<void>, timeout?: number) => (options.presenceOnly === true ? undefined : it(name, fn, timeout))
    let server: RoomServer
    const start = async () => (server = await startRoomServer(command, { DATA_DIR: dataDir, ...SETTINGS, ...options.env }))
    beforeAll(async () => {
      await start()
      expect(server.output()).toMatch(new RegExp(`rooms WebSocket listening on port \\d+ \\(${transport.replace(".", "\\.")}`))
    }, 90_000)
    afterAll(async () => {
      await server?.stop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    const openRoom = async (host = "alice") => {
      const res = await fetch(`${server.http}/rooms`, {
        method: "POST",
        headers: { "content-type": "application/json", Authorization: `Bearer ${await tokenFor(host)}` },
        body: JSON.stringify({ title: "suite" })
      })
      expect(res.status).toBe(201)
      return (await res.json() as { id: string }).id
    }
    const url = async (roomId: string, user: string, query = "") => `${server.ws}/rooms/${roomId}?access_token=${await tokenFor(user)}${query}`
    const member = async (roomId: string, user: string, query = ""): Promise<TestClient> => {
      const c = await connect(await url(roomId, user, query))
      await c.next((f) => f.type === "welcome")
      return c
    }
    const joined = async (roomId: string, user: string) => {
      const c = await member(roomId, user)
      c.send({ type: "join", id: "j1" })
      await c.next((f) => f.type === "ack" && f.id === "j1")
      return c
    }
    const eventOf = (c: TestClient, type: string, match: (f: Frame) => boolean = () => true, ms?: number) =>
      c.next((f) => f.type === "event" && f.event === type && match(f), ms)

    if (options.presenceOnly !== true) uploadFeedSuite(() => server)

    transportTest("refuses the upgrade with status and reason: no token, bad token, unknown room, closed room, wrong path", async () => {
      const id = await openRoom()
      expect(await refusal(`${server.ws}/rooms/${id}`)).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } })
      const forged = await tokenFor("alice", ["user"], "another-secret-of-sufficient-length-000000")
      expect((await refusal(`${server.ws}/rooms/${id}?access_token=${forged}`)).status).toBe(401)
      expect(await refusal(await url("no-such-room", "alice"))).toMatchObject({ status: 404, body: { error: { code: "ROOM_NOT_FOUND" } } })
      expect((await refusal(`${server.ws}/elsewhere?access_token=x`)).status).toBe(404)
      expect((await refusal(await url(id, "alice", "&since=abc"))).status).toBe(400)
      const closed = await openRoom()
      await fetch(`${server.http}/rooms/${closed}/close`, { method: "POST", headers: { Authorization: `Bearer ${await tokenFor("alice")}` } })
      expect(await refusal(await url(closed, "alice"))).toMatchObject({ status: 410, body: { error: { code: "ROOM_CLOSED" } } })
    })

    transportTest("takes the token from the Authorization header, a bearer.<jwt> subprotocol, or access_token; never echoes it", async () => {
      const id = await openRoom()
      const token = await tokenFor("bob")
      const byHeader = await connect(`${server.ws}/rooms/${id}`, { headers: { Authorization: `Bearer ${token}` } })
      expect((await byHeader.next((f) => f.type === "welcome")).userId).toBe("bob")
      byHeader.close()
      // the runtime's own WebSocket client (browsers cannot set headers)
      const native = new WebSocket(`${server.ws}/rooms/${id}`, ["keyframe.rooms", `bearer.${token}`])
      const welcome = await new Promise<any>((ok, fail) => {
        native.onmessage = (m) => ok(JSON.parse(String(m.data)))
        native.onerror = () => fail(new Error("native client failed"))
      })
      expect(native.protocol).toBe("keyframe.rooms")
      expect(welcome).toMatchObject({ type: "welcome", userId: "bob", resumed: "fresh" })
      native.close()
    })

    it("welcomes with the room's state and revision, then join, chat and playback round trip with acks and events to everyone", async () => {
      const id = await openRoom()
      const alice = await connect(await url(id, "alice"))
      const welcome = await alice.next((f) => f.type === "welcome")
      expect(welcome).toMatchObject({ revision: 0, resumed: "fresh", room: { id, hostId: "alice", capacity: 3, status: "open" } })
      expect(welcome.serverTime).toBeTypeOf("number")
      const bob = await joined(id, "bob")
      expect(bob.frames.find((f) => f.type === "ack")).toEqual({ type: "ack", id: "j1", revision: 1 })
      await eventOf(alice, "MemberJoined", (f) => f.revision === 1 && f.data.userId === "bob")

      bob.send({ type: "chat", id: "c1", text: "  hello  " })
      expect(await bob.next((f) => f.type === "ack" && f.id === "c1")).toMatchObject({ revision: 2 })
      for (const c of [alice, bob]) expect(await eventOf(c, "ChatPosted")).toMatchObject({ revision: 2, data: { userId: "bob", text: "hello" } })
      // a resent chat (same client id) is posted once
      bob.send({ type: "chat", id: "c1", text: "hello" })
      expect(await bob.next((f) => f.type === "ack" && f.id === "c1" && bob.frames.filter((g) => g.id === "c1").length === 2)).toMatchObject({ revision: 2 })

      bob.send({ type: "playback", id: "p1", action: "play", positionMs: 0 })
      expect(await bob.next((f) => f.type === "error" && f.id === "p1")).toMatchObject({ code: "NOT_HOST", recoverable: true })
      alice.send({ type: "join", id: "j0" })
      alice.send({ type: "playback", id: "p2", action: "seek", positionMs: 42_000 })
      await alice.next((f) => f.type === "ack" && f.id === "p2")
      const moved = await eventOf(bob, "PlaybackChanged")
      expect(moved).toMatchObject({ revision: 3, data: { action: "seek", positionMs: 42_000, by: "alice" } })
      expect(moved.serverTime).toBe(moved.data.at)

      bob.send({ type: "chat", id: "c2", text: "   " })
      expect(await bob.next((f) => f.type === "error" && f.id === "c2")).toMatchObject({ code: "CHAT_TEXT_INVALID", recoverable: true })
      expect(bob.events().map((e) => e.revision)).toEqual([1, 2, 3])
      alice.close()
      bob.close()
    })

    it("refuses a join over capacity with ROOM_FULL (recoverable): the socket stays, read-only", async () => {
      const id = await openRoom()
      const b = await joined(id, "bob")
      const c = await joined(id, "carol")
      const dave = await member(id, "dave")
      dave.send({ type: "join", id: "j1" })
      expect(await dave.next((f) => f.type === "error" && f.id === "j1")).toMatchObject({ code: "ROOM_FULL", recoverable: true })
      dave.send({ type: "chat", id: "c1", text: "let me in" })
      expect(await dave.next((f) => f.type === "error" && f.id === "c1")).toMatchObject({ code: "NOT_A_MEMBER" })
      c.send({ type: "chat", id: "c1", text: "still here" })
      await eventOf(dave, "ChatPosted", (f) => f.data.userId === "carol")
      for (const x of [b, c, dave]) x.close()
    })

    it("replays exactly the missed events after ?since=, and a fresh snapshot past ROOM_REPLAY_MAX_EVENTS", async () => {
      const id = await openRoom()
      const alice = await joined(id, "alice")
      const bob = await joined(id, "bob")
      const seen = (await eventOf(bob, "MemberJoined", (f) => f.data.userId === "bob")).revision
      bob.close()
      for (let i = 0; i < 3; i++) {
        alice.send({ type: "chat", id: `m${i}`, text: `missed ${i}` })
        await alice.next((f) => f.type === "ack" && f.id === `m${i}`)
      }
      const back = await connect(await url(id, "bob", `&since=${seen}`))
      expect(await back.next((f) => f.type === "welcome")).toMatchObject({ resumed: "replay", revision: seen + 3 })
      await back.next(() => back.events().length === 3)
      alice.send({ type: "chat", id: "live", text: "live" })
      await eventOf(back, "ChatPosted", (f) => f.data.text === "live")
      expect(back.events().map((e) => [e.revision, e.data.text])).toEqual([
        [seen + 1, "missed 0"], [seen + 2, "missed 1"], [seen + 3, "missed 2"], [seen + 4, "live"]
      ])

      for (let i = 0; i < 21; i++) {
        alice.send({ type: "chat", id: `n${i}`, text: `many ${i}` })
        await alice.next((f) => f.type === "ack" && f.id === `n${i}`)
      }
      const far = await connect(await url(id, "bob", `&since=${seen}`))
      const snapshot = await far.next((f) => f.type === "welcome")
      expect(snapshot).toMatchObject({ resumed: "snapshot", revision: seen + 25 })
      alice.send({ type: "ping", id: "sync" })
      await alice.next((f) => f.type === "pong" && f.id === "sync")
      await new Promise((r) => setTimeout(r, 200))
      expect(far.events()).toEqual([])
      for (const x of [alice, back, far]) x.close()
    }, 30_000) // 25 acknowledged appends one after the other: slow under a loaded CI machine

    it("answers pings with the server time and keeps ready/buffering out of the event store (presence only)", async () => {
      const id = await openRoom()
      const alice = await member(id, "alice")
      const before = Date.now()
      alice.send({ type: "ping", id: "t1", clientTime: 123.5 })
      const pong = await alice.next((f) => f.type === "pong")
      expect(pong).toMatchObject({ id: "t1", clientTime: 123.5 })
      expect(pong.serverTime).toBeGreaterThanOrEqual(before - 1000)
      alice.send({ type: "buffering", id: "b1", positionMs: 10 })
      await alice.next((f) => f.type === "presence" && f.connected.some((p: any) => p.userId === "alice" && p.state === "buffering"))
      alice.send({ type: "ready", id: "r1" })
      await alice.next((f) => f.type === "presence" && f.connected.some((p: any) => p.userId === "alice" && p.state === "ready"))
      const again = await connect(await url(id, "alice"))
      expect(await again.next((f) => f.type === "welcome")).toMatchObject({ revision: 0 })
      for (const x of [alice, again]) x.close()
    })

    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    const stateOf = (c: TestClient, userId: string, state: string) =>
      c.next((f) => f.type === "presence" && f.connected.some((p: any) => p.userId === userId && p.state === state))
    /** A PlaybackClient fed every frame `c` got so far, its clock synced with a few pings. */
    const follow = async (c: TestClient) => {
      const client = new PlaybackClient(Date.now)
      for (let i = 0; i < 3; i++) {
        c.send(client.ping(`sync${i}`))
        client.receive(await c.next((f) => f.type === "pong" && f.id === `sync${i}`) as any)
      }
      return { client, catchUp: () => c.frames.filter((f) => f.type !== "pong").forEach((f) => client.receive(f as any)) }
    }

    it("waits after a play until every connected member is ready, then plays from now + lead; the client module follows it", async () => {
      const id = await openRoom()
      const alice = await joined(id, "alice")
      const bob = await joined(id, "bob")
      const view = await follow(bob)
      // a 400 ms round trip: commands take effect 2 × 400 ms ahead instead of the 300 ms floor
      alice.send({ type: "ping", id: "rtt", clientTime: Date.now(), rttMs: 400 })
      await alice.next((f) => f.type === "pong" && f.id === "rtt")
      alice.send({ type: "playback", id: "p1", action: "play", positionMs: 5_000 })
      const changed = await eventOf(bob, "PlaybackChanged")
      await eventOf(alice, "PlaybackChanged")
      expect(changed.data).toMatchObject({ action: "play", positionMs: 5_000, by: "alice" })
      expect(changed.data.effectiveAt - changed.data.at).toBeGreaterThanOrEqual(800)

      alice.send({ type: "ready", id: "r1" })
      bob.send({ type: "buffering", id: "b1" })
      await stateOf(alice, "bob", "buffering")
      // before effectiveAt the room is still idle; from it, waiting on bob
      view.catchUp()
      expect(view.client.state().status).toBe("idle")
      await sleep(Math.max(500, changed.data.effectiveAt - view.client.serverNow() + 200))
      expect(alice.events().some((e) => e.event === "PlaybackReady")).toBe(false)
      view.catchUp()
      expect(view.client.state().status).toBe("waiting")
      expect(view.client.expectedPositionMs()).toBe(5_000)

      bob.send({ type: "ready", id: "r2" })
      const started = await eventOf(alice, "PlaybackReady", () => true, 1_500)
      expect(started.data).toMatchObject({ reason: "ready", playing: true, positionMs: 5_000 })
      expect(started.data.startsAt - started.data.at).toBeGreaterThanOrEqual(800)
      await eventOf(bob, "PlaybackReady")
      view.catchUp()
      await sleep(Math.max(0, started.data.startsAt - view.client.serverNow()) + 300)
      expect(view.client.state().status).toBe("playing")
      const expected = view.client.expectedPositionMs()
      expect(expected).toBeGreaterThanOrEqual(5_250)
      expect(expected).toBeLessThan(5_000 + 1_500)
      expect(view.client.correction(expected)).toEqual({ kind: "none" })
      expect(view.client.correction(expected - 1_000)).toMatchObject({ kind: "rate" })
      expect(view.client.correction(expected - 10_000)).toMatchObject({ kind: "seek" })
      for (const x of [alice, bob]) x.close()
    })

    it("starts anyway after ROOM_READY_TIMEOUT_MS when a member stays buffering, and a late joiner's welcome shows it playing", async () => {
      const id = await openRoom()
      const alice = await joined(id, "alice")
      const carol = await joined(id, "carol")
      alice.send({ type: "playback", id: "p1", action: "play", positionMs: 0 })
      const changed = await eventOf(alice, "PlaybackChanged")
      await eventOf(carol, "PlaybackChanged")
      alice.send({ type: "ready", id: "r1" })
      carol.send({ type: "buffering", id: "b1" })
      const started = await eventOf(alice, "PlaybackReady", () => true, 6_000)
      expect(started.data).toMatchObject({ reason: "timeout", playing: true, positionMs: 0 })
      // the timeout counts from when the play takes effect
      expect(started.data.at - changed.data.effectiveAt).toBeGreaterThanOrEqual(1_900)
      // nothing about readiness reached the store: the events are the play and the end of the wait
      expect(alice.events().filter((e) => e.revision > changed.revision).map((e) => e.event)).toEqual(["PlaybackReady"])
      const late = await connect(await url(id, "dave"))
      const welcome = await late.next((f) => f.type === "welcome")
      expect(welcome.room.playback).toMatchObject({ status: "playing", playing: true, positionMs: 0, updatedAt: started.data.startsAt })
      const view = new PlaybackClient(Date.now)
      view.receive(welcome as any)
      await sleep(Math.max(0, started.data.startsAt - Date.now()) + 200)
      expect(view.expectedPositionMs()).toBeGreaterThan(0)
      for (const x of [alice, carol, late]) x.close()
    })

    transportTest("answers garbage with error frames, closes 1009 on an oversized frame and 1008 on a flood, and keeps serving", async () => {
      const id = await openRoom()
      const c = await member(id, "bob")
      c.sendRaw("not json")
      expect(await c.next((f) => f.type === "error" && f.code === "INVALID_JSON")).toMatchObject({ recoverable: true })
      c.send({ type: "chat", id: "x1" })
      expect(await c.next((f) => f.type === "error" && f.id === "x1")).toMatchObject({ code: "INVALID_MESSAGE" })
      c.send({ type: "dance", id: "x2" })
      await c.next((f) => f.type === "error" && f.id === "x2")
      c.send([1, 2, 3])
      c.sendRaw(Buffer.from([1, 2, 3]), true)
      await c.next((f) => f.type === "error" && f.code === "BINARY_NOT_SUPPORTED")
      c.sendRaw(JSON.stringify({ type: "chat", id: "big", text: "x".repeat(1024 * 1024) }))
      expect((await c.closed).code).toBe(1009)

      const flood = await member(id, "bob")
      for (let i = 0; i < 400; i++) flood.send({ type: "ping", id: `f${i}` })
      const { code } = await flood.closed
      expect(options.floodCloseCodes ?? [1008]).toContain(code)
      // a cut connection (1006) loses what was still in flight; a clean close delivered the error first
      if (code === 1008) expect(flood.frames.some((f) => f.type === "error" && f.code === "RATE_LIMITED")).toBe(true)

      const fine = await member(id, "bob")
      fine.send({ type: "ping", id: "ok" })
      await fine.next((f) => f.type === "pong")
      fine.close()
    })

    transportTest("closes a client that stops reading with 1013 once ROOM_MAX_BACKPRESSURE_BYTES is queued; the others get every event", async () => {
      const id = await openRoom()
      // chat from several sockets (the rate limit is per connection), each event ~2 KB
      // (loopback's kernel buffers take ~4 MB before the server's queue grows)
      const chatters = [await joined(id, "alice")]
      for (let i = 0; i < 7; i++) chatters.push(await member(id, "alice"))
      const watcher = await member(id, "carol")
      const slow = await member(id, "dave")
      // the client stops reading: the kernel's buffers fill, then the server's queue for it
      const tcp = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket
      tcp.pause()
      const text = "x".repeat(1_900)
      const dropped = () => /closed a slow consumer \(dave, \d+ bytes queued\) with 1013/.test(server.output())
      let sent = 0
      for (let round = 0; round < 60 && !dropped(); round++) {
        // bursts a reading client keeps up with even on a loaded machine (the cap is per socket: a reader
        // that falls ROOM_MAX_BACKPRESSURE_BYTES behind is closed too); the one that never reads still fills up
        for (const c of chatters) for (let i = 0; i < 20; i++) c.send({ type: "chat", id: `s${sent++}`, text })
        await sleep(1_000)
      }
      expect(dropped()).toBe(true)
      // every chat that was posted (acked) reached the reading client, in order, and it is still open;
      // polled, not checked per frame: thousands of frames make a per-frame scan quadratic and starve the reader
      const missing = () => {
        const seen = new Set(watcher.events().filter((e) => e.event === "ChatPosted").map((e) => e.data.messageId))
        const acked = chatters.flatMap((c) => c.frames.filter((f) => f.type === "ack" && f.id.startsWith("s")).map((f) => `alice.${f.id}`))
        return acked.length === 0 ? ["(nothing acked)"] : acked.filter((m) => !seen.has(m))
      }
      for (const deadline = Date.now() + 40_000; missing().length > 0 && Date.now() < deadline;) await sleep(200)
      expect(missing()).toEqual([])
      expect(server.output()).not.toMatch(/closed a slow consumer \(carol/)
      const revisions = watcher.events().map((e) => e.revision)
      expect(revisions).toEqual([...revisions].sort((x, y) => x - y))
      expect(new Set(revisions).size).toBe(revisions.length)
      watcher.send({ type: "ping", id: "still" })
      // behind everything the flood queued for it: generous on a loaded machine
      await watcher.next((f) => f.type === "pong" && f.id === "still", 30_000)
      // reading again, the slow client finds the close after what had been queued (1006 if the server cut it)
      tcp.resume()
      expect(options.slowCloseCodes ?? [1013]).toContain((await slow.closed).code)
      for (const c of [...chatters, watcher]) c.close()
    }, 180_000)

    it("marks a member left (MemberLeft, disconnected) when their last connection has been gone for the grace period", async () => {
      const id = await openRoom()
      const alice = await member(id, "alice")
      const bob = await joined(id, "bob")
      const second = await member(id, "bob")
      bob.close()
      await new Promise((r) => setTimeout(r, 1_500))
      expect(alice.events().some((e) => e.event === "MemberLeft")).toBe(false) // bob still has a connection
      second.close()
      const left = await eventOf(alice, "MemberLeft", () => true, 6_000)
      expect(left.data).toMatchObject({ userId: "bob", reason: "disconnected" })
      alice.close()
    })

    it("closes members' sockets when the room closes, and drains with 1012 on shutdown; after a restart since= still replays", async () => {
      const id = await openRoom()
      const bob = await joined(id, "bob")
      const seen = bob.frames.find((f) => f.type === "ack")!.revision as number
      const code = bob.closed
      const stopped = server.stop()
      expect((await code).code).toBe(1012)
      expect(await stopped).toBe(0)
      await start()
      const alice = await joined(id, "alice") // the host: already a member, the join changes nothing
      alice.send({ type: "chat", id: "after", text: "after the restart" })
      await alice.next((f) => f.type === "ack" && f.id === "after")
      const back = await connect(await url(id, "bob", `&since=${seen}`))
      await back.next((f) => f.type === "event" && f.event === "ChatPosted")
      expect(back.events().map((e) => [e.revision, e.event])).toEqual([[seen + 1, "ChatPosted"]])

      await fetch(`${server.http}/rooms/${id}/close`, { method: "POST", headers: { Authorization: `Bearer ${await tokenFor("alice")}` } })
      await eventOf(back, "RoomClosed")
      expect((await back.closed).code).toBe(1000)
      alice.close()
    }, 90_000)

    it("ends a wait left open by a restart: the next connection resumes it and the timeout still applies", async () => {
      const id = await openRoom()
      const alice = await joined(id, "alice")
      alice.send({ type: "playback", id: "p1", action: "seek", positionMs: 7_000 })
      const changed = await eventOf(alice, "PlaybackChanged")
      const stopped = server.stop()
      await alice.closed
      expect(await stopped).toBe(0)
      await start()
      // since = the current revision: nothing to replay (the connection stays open)
      const back = await connect(await url(id, "alice", `&since=${changed.revision}`))
      expect((await back.next((f) => f.type === "welcome")).room.playback).toMatchObject({ status: "waiting", positionMs: 7_000 })
      const ended = await eventOf(back, "PlaybackReady", () => true, 8_000)
      expect(ended.data).toMatchObject({ reason: "timeout", playing: false, positionMs: 7_000 })
      expect(ended.data.at - changed.data.effectiveAt).toBeGreaterThanOrEqual(1_900)
      back.close()
    }, 90_000)
    // Last: on uWebSockets.js a room welcome that follows this test on the same server was missing now and
    // then (about one run in three; never on ws or Deno, never with the test left out). Not understood yet:
    // see the closing note of 2026-12-04. Run last, it cannot hide a room test's failure behind it.
    if (options.presenceOnly !== true) streamFeedSuite(() => server)
  })
