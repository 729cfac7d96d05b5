/**
 * Rooms through a real browser against a real `npm start`: a host opens a room on the Rooms page with
 * a video, a guest opens the share link; they see each other and each other's chat; the host's play,
 * pause and seek reach the guest's video (measured against the room's effective time); a guest whose
 * socket is cut while the host chats shows every message once after it reconnects, and a message it
 * wrote meanwhile is posted once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser, Page } from "playwright-core"
import { testVideos } from "../support/videos.ts"
import { skipConsolePages, launchBrowser, screenshot, type SignedInPage, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"
import { type SeededVideo, seedVideo } from "./support/SeedVideo.ts"

interface RoomDoc {
  readonly members: ReadonlyArray<{ userId: string }>
  readonly chatMessages: number
  readonly playback: { status: string; playing: boolean; positionMs: number; updatedAt: number }
}

const videoState = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector("video")!
    return { paused: v.paused, ms: v.currentTime * 1000, serverNow: window.keyframeRoom!.playback.serverNow() }
  })

/** Polls `page` until its video matches (every 25 ms, up to `ms`); the state it matched, or the last one with an error. */
const waitForVideo = async (page: Page, ok: (s: Awaited<ReturnType<typeof videoState>>) => boolean, ms = 5000) => {
  const deadline = Date.now() + ms
  for (;;) {
    const s = await videoState(page)
    if (ok(s)) return s
    if (Date.now() > deadline) throw new Error(`the video did not get there: ${JSON.stringify(s)}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.skipIf(skipConsolePages("RoomPage"))("room page", () => {
  let server: ConsoleServer
  let browser: Browser
  let video: SeededVideo
  let host: SignedInPage
  let guest: SignedInPage
  let roomId: string
  const room = () => server.api<RoomDoc>("GET", `/rooms/${roomId}`)
  /** The room's playback once it is `status` (read model, polled). */
  const settled = async (status: string, since = 0) => {
    for (let i = 0; i < 200; i++) {
      const doc = await room()
      if (doc.playback.status === status && doc.playback.updatedAt >= since) return doc.playback
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error("the room's playback did not settle")
  }

  beforeAll(async () => {
    const videos = await testVideos()
    ;[server, browser] = await Promise.all([startConsoleServer({ env: { DEFAULT_MAX_PARTICIPANTS: "2", ROOM_REPLAY_MAX_EVENTS: "20" } }), launchBrowser()])
    video = await seedVideo(server, "hana", videos.landscape720, { publish: true })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("opens a room with a video and shares it; host and guest see each other and each other's chat", async () => {
    host = await signedInPage(browser, server, "hana")
    const { page } = host
    await page.goto(`${server.url}/#/rooms`)
    await page.getByLabel("Title").fill("Movie night")
    await page.getByLabel("Video").selectOption({ label: video.title })
    await page.getByRole("button", { name: "Open the room" }).click()
    await page.getByRole("heading", { name: "Your room is open" }).waitFor()
    const link = await page.getByRole("status").getByLabel("Share link").inputValue()
    expect(link).toMatch(new RegExp(`^${server.url}/#/rooms/[A-Za-z0-9_.:@-]+$`))
    roomId = decodeURIComponent(link.slice(link.lastIndexOf("/") + 1))
    await page.getByRole("list").getByRole("link", { name: "Movie night" }).waitFor()
    await screenshot(page, "rooms")
    await page.setViewportSize({ width: 390, height: 844 })
    await screenshot(page, "rooms-phone")
    await page.setViewportSize({ width: 1280, height: 900 })

    await page.getByRole("link", { name: "Go to the room" }).click()
    await page.getByRole("heading", { name: "Movie night" }).waitFor()
    guest = await signedInPage(browser, server, "gus")
    await guest.page.goto(link)
    await guest.page.getByRole("heading", { name: "Movie night" }).waitFor()

    // each sees the other as a member, connected
    const members = (p: Page) => p.getByRole("region", { name: /Members/ })
    await members(host.page).getByText("gus", { exact: true }).waitFor()
    await members(guest.page).getByText("hana", { exact: true }).waitFor()
    await expect.poll(async () => (await room()).members.map((m) => m.userId).sort()).toEqual(["gus", "hana"])

    await host.page.getByLabel("Message", { exact: true }).fill("hello from the host")
    await host.page.getByRole("button", { name: "Send" }).click()
    await guest.page.getByRole("log").getByText("hello from the host").waitFor()
    await guest.page.getByLabel("Message", { exact: true }).fill("hi, guest here")
    await guest.page.keyboard.press("Enter")
    await host.page.getByRole("log").getByText("hi, guest here").waitFor()
    // acked: no message is left pending
    await expect.poll(() => guest.page.getByRole("log").getByText("sending…").count()).toBe(0)
    expect((await room()).chatMessages).toBe(2)
    // only the host has the playback controls
    await host.page.getByRole("button", { name: "Play", exact: true }).waitFor()
    expect(await guest.page.getByRole("button", { name: "Play", exact: true }).count()).toBe(0)
    expect([...host.errors, ...guest.errors]).toEqual([])
  }, 60_000)

  it("the host plays, pauses and seeks, and the guest's video follows within 500 ms", async () => {
    await host.page.getByRole("button", { name: "Play", exact: true }).click()
    await settled("playing")
    // both play, in step
    await waitForVideo(guest.page, (s) => !s.paused && s.ms > 300, 10_000)
    await new Promise((r) => setTimeout(r, 1200))
    const [h, g] = [await videoState(host.page), await videoState(guest.page)]
    expect(h.paused || g.paused).toBe(false)
    expect(Math.abs((h.ms - h.serverNow) - (g.ms - g.serverNow))).toBeLessThan(500)

    // pause: the guest stops where the room froze, within 500 ms of when it took effect
    await host.page.getByRole("button", { name: "Pause", exact: true }).click()
    const paused = await settled("paused")
    const atPause = await waitForVideo(guest.page, (s) => s.paused && Math.abs(s.ms - paused.positionMs) < 500)
    expect(atPause.serverNow - paused.updatedAt).toBeLessThan(500)

    // seek while paused (the position slider): the guest's video goes there and stays paused
    await host.page.getByRole("slider", { name: "Position (seconds)" }).fill("3")
    const sought = await settled("paused", paused.updatedAt + 1)
    expect(sought).toMatchObject({ status: "paused", positionMs: 3000 })
    const atSeek = await waitForVideo(guest.page, (s) => s.paused && Math.abs(s.ms - 3000) < 500)
    expect(atSeek.serverNow - sought.updatedAt).toBeLessThan(500)
    await screenshot(guest.page, "room-guest")
    await screenshot(host.page, "room")
    expect([...host.errors, ...guest.errors]).toEqual([])
  }, 60_000)

  it("a guest cut off while the host chats shows every message once after reconnecting", async () => {
    // offline emulation leaves a WebSocket open but silent (checked: no close, no frames): the page's
    // watchdog (no pong for 7 s) has to notice, and the reconnect waits for the network
    await guest.context.setOffline(true)
    for (const text of ["missed one", "missed two", "missed three"]) {
      await host.page.getByLabel("Message", { exact: true }).fill(text)
      await host.page.getByRole("button", { name: "Send" }).click()
    }
    await expect.poll(() => host.page.getByRole("log").getByText("sending…").count()).toBe(0)
    // the guest writes while cut off: pending (its frame is lost), then resent and posted once
    await guest.page.getByLabel("Message", { exact: true }).fill("written offline")
    await guest.page.getByRole("button", { name: "Send" }).click()
    await guest.page.getByRole("log").getByText("sending…").waitFor()
    await guest.page.getByRole("status").getByText("Reconnecting…").waitFor({ timeout: 15_000 })
    expect(await guest.page.getByRole("log").getByText("missed one").count()).toBe(0)

    await guest.context.setOffline(false)
    await guest.page.getByRole("status").getByText("Connected", { exact: true }).waitFor()
    await host.page.getByRole("log").getByText("written offline").waitFor()
    await expect.poll(() => guest.page.getByRole("log").getByText("sending…").count()).toBe(0)
    const log = guest.page.getByRole("log")
    for (const text of ["hello from the host", "hi, guest here", "missed one", "missed two", "missed three", "written offline"]) {
      expect(await log.getByText(text, { exact: true }).count(), text).toBe(1)
    }
    expect(await log.getByRole("listitem").count()).toBe(6)
    expect((await room()).chatMessages).toBe(6)
    // the order is the room's
    const texts = await log.locator(".chat-text").allTextContents()
    expect(texts.slice(2, 5)).toEqual(["missed one", "missed two", "missed three"])

    await guest.page.setViewportSize({ width: 390, height: 844 })
    await screenshot(guest.page, "room-phone")
    await guest.page.setViewportSize({ width: 1280, height: 900 })
    // the browser logs the requests that failed while offline; nothing else
    expect([...host.errors, ...guest.errors].filter((e) => !/ERR_INTERNET_DISCONNECTED|WebSocket connection to/.test(e))).toEqual([])
    guest.errors.length = 0
  }, 60_000)

  it("a full room is read-only, a long absence gets a snapshot, and closing the room is said in words", async () => {
    // capacity 2 (DEFAULT_MAX_PARTICIPANTS): a third user watches and reads, but cannot post
    const third = await signedInPage(browser, server, "zoe")
    await third.page.goto(`${server.url}/#/rooms/${encodeURIComponent(roomId)}`)
    await expect.poll(async () => (await third.page.getByRole("alert").allTextContents()).join(" | ")).toMatch(/full.*ROOM_FULL.*watch and read the chat/)
    expect(await third.page.getByLabel("Message", { exact: true }).isDisabled()).toBe(true)
    // the whole history was replayed to it (a fresh page connects with since=-1)
    await expect.poll(() => third.page.getByRole("log").getByRole("listitem").count()).toBe(6)
    await screenshot(third.page, "room-full")
    expect(await third.page.getByRole("button", { name: "Leave the room" }).count()).toBe(0)
    await third.page.getByRole("button", { name: "Try to join again" }).click()
    await expect.poll(async () => (await third.page.getByRole("alert").allTextContents()).join(" | ")).toContain("ROOM_FULL")
    expect((await room()).members.map((m) => m.userId).sort()).toEqual(["gus", "hana"])

    // more chat while the guest is away than the server replays (ROOM_REPLAY_MAX_EVENTS 20)
    await guest.page.evaluate(() => window.keyframeRoom!.suspend())
    await host.page.evaluate(() => {
      for (let i = 1; i <= 25; i++) window.keyframeRoom!.chat(`burst ${i}`)
    })
    await expect.poll(() => host.page.getByRole("log").getByText("sending…").count(), { timeout: 10_000 }).toBe(0)
    await guest.page.evaluate(() => window.keyframeRoom!.resume())
    await expect.poll(async () => (await guest.page.getByRole("alert").allTextContents()).join(" | ")).toContain("some chat messages from that time are not shown")
    await host.page.getByLabel("Message", { exact: true }).fill("after the gap")
    await host.page.getByRole("button", { name: "Send" }).click()
    await guest.page.getByRole("log").getByText("after the gap").waitFor()
    expect(await guest.page.getByRole("log").getByText("after the gap").count()).toBe(1)

    // the host closes the room: everyone is told, and nobody can post
    host.page.once("dialog", (d) => void d.accept())
    await host.page.getByRole("button", { name: "Close the room" }).click()
    for (const p of [guest.page, third.page]) {
      await expect.poll(async () => (await p.getByRole("alert").allTextContents()).join(" | ")).toContain("The room was closed by hana (host)")
      expect(await p.getByLabel("Message", { exact: true }).isDisabled()).toBe(true)
    }
    await expect.poll(async () => (await server.api<{ status: string }>("GET", `/rooms/${roomId}`)).status).toBe("closed")
    await screenshot(guest.page, "room-closed")
    expect([...host.errors, ...guest.errors, ...third.errors]).toEqual([])
    await Promise.all([host.context.close(), guest.context.close(), third.context.close()])
  }, 60_000)
})
