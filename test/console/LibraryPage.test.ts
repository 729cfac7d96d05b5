/**
 * My videos through a real browser against a real `npm start`: an empty library says how to upload; a
 * ready video's card has its thumbnail (loaded below a signed playback URL: the video is private), its
 * title linking to the video, status, duration and visibility; a file that is not a video follows its
 * live feed to "failed" with the server's reason, while the page stays open.
 */
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type TestVideos, testVideos } from "../support/videos.ts"
import { skipConsolePages, launchBrowser, screenshot, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"
import { seedVideo, uploadFile } from "./support/SeedVideo.ts"

describe.skipIf(skipConsolePages("LibraryPage"))("my videos", () => {
  let server: ConsoleServer
  let browser: Browser
  let videos: TestVideos
  beforeAll(async () => {
    ;[server, browser, videos] = await Promise.all([startConsoleServer(), launchBrowser(), testVideos()])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("says how to upload when the library is empty", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "newcomer", ["user"], { width: 390, height: 844 })
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My videos" }).click()
    await page.getByText("You have no videos yet.").waitFor()
    await page.getByRole("main").getByRole("link", { name: "Upload", exact: true }).click()
    await page.getByRole("heading", { name: "Upload", level: 1 }).waitFor()
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it("shows a ready video as a card, and a refused file live until it fails with the reason", async () => {
    const seeded = await seedVideo(server, "lena", videos.short)
    const { page, context, errors } = await signedInPage(browser, server, "lena")
    await page.goto(`${server.url}/#/library`)
    const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: seeded.title }) })
    await card.waitFor()
    expect(await card.getByRole("link", { name: seeded.title }).getAttribute("href")).toBe(`#/videos/${seeded.id}`)
    expect(await card.locator(".badge.ready").textContent()).toBe("ready")
    expect(await card.textContent()).toContain("private")
    expect(await card.textContent()).toMatch(/0:0[12] · 640×360/)
    const thumb = card.locator("img.thumb")
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0)
    expect(await thumb.getAttribute("src")).toMatch(/\/play\/[^/]+\/thumbnail\.jpg$/)

    // random bytes named .mp4: accepted by tus, refused by processing; the open page follows it to "failed"
    const garbage = await uploadFile(server, "lena", videos.garbage)
    await page.reload() // the list is read once: the new upload shows after a reload; its status then comes live
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true))
    const failedCard = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "garbage" }) })
    await failedCard.waitFor()
    await failedCard.locator(".badge.failed").waitFor({ timeout: 60_000 })
    const doc = await server.api<{ status: string; failureReason: string }>("GET", `/videos/${garbage}`, { sub: "lena" })
    expect(doc.status).toBe("failed")
    expect(await failedCard.locator("p.error").textContent()).toBe(`Failed: ${doc.failureReason}`)
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true)
    await screenshot(page, "library")
    expect(errors).toEqual([])
    await context.close()

    const phone = await signedInPage(browser, server, "lena", ["user"], { width: 390, height: 844 })
    await phone.page.goto(`${server.url}/#/library`)
    await phone.page.locator(".badge.failed").waitFor()
    await expect.poll(() => phone.page.locator("img.thumb").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0)
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await screenshot(phone.page, "library-phone")
    await phone.context.close()
  }, 120_000)
})
