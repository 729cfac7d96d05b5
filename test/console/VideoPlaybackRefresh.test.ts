/**
 * The player's refresh of its signed playback URL, on a server whose URLs live 3 s
 * (PLAYBACK_TOKEN_TTL_SECONDS): left open past the first URL's end, the page has fetched a new one
 * without reloading the source, plays on with it (no playlist or segment refused), and reports
 * its view with the newest session (an expired one would be refused).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser } from "playwright-core"
import { testVideos } from "../support/videos.ts"
import { skipConsolePages, launchBrowser, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"
import { type SeededVideo, seedVideo } from "./support/SeedVideo.ts"

describe.skipIf(skipConsolePages("VideoPlaybackRefresh"))("video player: playback URL refresh", () => {
  let server: ConsoleServer
  let browser: Browser
  let video: SeededVideo
  beforeAll(async () => {
    const [s, b, clips] = await Promise.all([startConsoleServer({ env: { PLAYBACK_TOKEN_TTL_SECONDS: "3" } }), launchBrowser(), testVideos()])
    server = s
    browser = b
    video = await seedVideo(server, "olive", clips.short, { publish: true })
  }, 150_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("fetches a fresh URL before the old one expires and keeps playing with it", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "olive")
    const mints: Array<string> = []
    const refused: Array<string> = []
    page.on("response", async (r) => {
      const path = new URL(r.url()).pathname
      if (path === `/videos/${video.id}/playback` && r.ok()) mints.push(((await r.json()) as { url: string }).url)
      if (path.startsWith("/play/") && !r.ok()) refused.push(`${r.status()} ${path}`)
    })
    await page.goto(`${server.url}/#/videos/${video.id}`)
    const player = page.getByLabel(`Video: ${video.title}`)
    await player.waitFor()
    const source = await page.waitForFunction(() => document.querySelector("video")?.src || undefined).then((h) => h.jsonValue())
    // past the first URL's life (3 s): refreshed at 80 % of it, twice by now
    await page.waitForTimeout(5_000)
    expect(mints.length).toBeGreaterThanOrEqual(2)
    expect(new Set(mints).size).toBe(mints.length)
    await player.evaluate((v: HTMLVideoElement) => v.play())
    await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0.5, undefined, { timeout: 20_000 })
    // the same source all along (hls.js's MediaSource): the refresh did not reload the player
    expect(await player.evaluate((v: HTMLVideoElement) => v.src)).toBe(source)
    await page.getByText("1 view", { exact: true }).waitFor({ timeout: 15_000 })
    expect(refused).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)
})
