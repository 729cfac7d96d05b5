/**
 * The Upload page through a real browser against a real `npm start`: a clip picked with the file picker
 * goes up over tus with its progress to 100 % and becomes "ready" in My videos without a reload; a
 * dropped file uploads too; pause, resume, a reload in the middle (the unfinished upload is listed and
 * picking the same file resumes the same upload) and cancel (the server terminates it) on a larger file
 * sent through a throttled network (Chromium's own emulation, the page unchanged); a quota refusal shows
 * the server's words.
 */
import { randomBytes } from "node:crypto"
import { readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type TestVideos, testVideos } from "../support/videos.ts"
import { skipConsolePages, launchBrowser, screenshot, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"

const MiB = 1024 * 1024
const BIG_SIZE = 12 * MiB

/** Chromium's network emulation: uploads at `bytesPerSecond` (-1 = unthrottled). */
const throttle = async (context: BrowserContext, page: Page, bytesPerSecond: number) => {
  const cdp = await context.newCDPSession(page)
  await cdp.send("Network.enable")
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond })
  return cdp
}

/** The upload URLs tus-js-client stored for resuming (its localStorage entries). */
const storedUploadUrls = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith("tus::")).map((k) => (JSON.parse(localStorage.getItem(k)!) as { uploadUrl: string }).uploadUrl)
  )

describe.skipIf(skipConsolePages("UploadPage"))("upload page", () => {
  let server: ConsoleServer
  let browser: Browser
  let videos: TestVideos
  let big: string
  beforeAll(async () => {
    big = join(tmpdir(), `kf-console-big-${process.pid}.mp4`)
    ;[server, browser, videos] = await Promise.all([startConsoleServer(), launchBrowser(), testVideos(), writeFile(big, randomBytes(BIG_SIZE))])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await rm(big, { force: true })
  })

  /** The server's offset of an upload (tus HEAD), or its status when it has none. */
  const serverOffset = async (sub: string, url: string) => {
    const response = await fetch(url, { method: "HEAD", headers: { Authorization: `Bearer ${await server.token(sub)}`, "Tus-Resumable": "1.0.0" } })
    return response.ok ? Number(response.headers.get("Upload-Offset")) : -response.status
  }

  it("uploads a picked clip to 100 % and shows it ready in My videos without a reload; a dropped file uploads too", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "uma")
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click()
    await page.getByRole("heading", { name: "Upload", level: 1 }).waitFor()
    await expect.poll(() => page.locator("#quota-text").textContent()).toContain("0 B of 4.0 GiB used")
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true))

    await page.getByLabel("or choose files").setInputFiles(videos.short)
    const bar = page.getByRole("progressbar", { name: "short.mp4" })
    await expect.poll(() => bar.getAttribute("value"), { timeout: 30_000 }).toBe("100")
    const open = page.getByRole("link", { name: "Open short.mp4" })
    await open.waitFor()
    const id = (await open.getAttribute("href"))!.split("/").pop()!
    const size = (await readFile(videos.short)).length
    const upload = await server.api<{ offset: number; size: number; ownerId: string }>("GET", `/uploads/${id}`, { sub: "uma" })
    expect(upload).toMatchObject({ offset: size, size, ownerId: "uma" })
    expect(await page.getByText(/100 % · .* of .*/).count()).toBe(1)
    // the quota was read again: the finished upload counts
    await expect.poll(() => page.locator("#quota-text").textContent(), { timeout: 10_000 }).not.toContain("0 B of")

    // a file dropped on the drop zone
    const tiny = (await readFile(videos.tiny)).toString("base64")
    const transfer = await page.evaluateHandle((b64) => {
      const dt = new DataTransfer()
      dt.items.add(new File([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))], "dropped.mp4", { type: "video/mp4" }))
      return dt
    }, tiny)
    await page.getByRole("region", { name: "Drop zone" }).dispatchEvent("drop", { dataTransfer: transfer })
    await page.getByRole("link", { name: "Open dropped.mp4" }).waitFor({ timeout: 30_000 })
    await screenshot(page, "upload-done")

    // My videos, reached through the page's link: the clip's card goes live to ready
    await page.getByRole("link", { name: "See it in My videos" }).first().click()
    const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "short" }) })
    await card.waitFor()
    await screenshot(page, "library-processing")
    await card.locator(".badge.ready").waitFor({ timeout: 90_000 })
    expect(await card.getByRole("link", { name: "short" }).getAttribute("href")).toBe(`#/videos/${id}`)
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true)
    expect((await server.api<{ status: string }>("GET", `/videos/${id}`, { sub: "uma" })).status).toBe("ready")
    expect(errors).toEqual([])
    await context.close()
  }, 150_000)

  it("pauses and resumes an upload, resumes it after a reload from the same file, and cancels one on the server", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "pia")
    await page.goto(`${server.url}/#/upload`)
    const cdp = await throttle(context, page, 1.5 * MiB)
    await page.getByLabel("or choose files").setInputFiles(big)
    const bar = page.getByRole("progressbar", { name: "kf-console-big" })
    await expect.poll(async () => Number(await bar.getAttribute("value")), { timeout: 20_000 }).toBeGreaterThanOrEqual(10)
    await expect.poll(() => page.locator(".upload-details").textContent()).toMatch(/\/s · \d+:\d\d left/)
    const [url] = await storedUploadUrls(page)
    expect(url).toMatch(/\/files\/[0-9a-f-]{36}$/)

    await page.getByRole("button", { name: "Pause kf-console-big" }).click()
    await page.getByRole("status").filter({ hasText: "Paused" }).waitFor()
    // the server keeps what arrived and gets nothing more while paused
    let paused = -1
    await expect.poll(async () => {
      const now = await serverOffset("pia", url!)
      const same = now === paused
      paused = now
      return same
    }, { interval: 700, timeout: 10_000 }).toBe(true)
    expect(paused).toBeGreaterThan(0)
    expect(paused).toBeLessThan(BIG_SIZE)
    await page.waitForTimeout(1_000)
    expect(await serverOffset("pia", url!)).toBe(paused)

    await page.getByRole("button", { name: "Resume kf-console-big" }).click()
    await expect.poll(() => serverOffset("pia", url!), { timeout: 20_000 }).toBeGreaterThan(paused)

    // a reload in the middle: the page lists the unfinished upload; the same file resumes it
    await page.reload()
    await page.getByRole("heading", { name: "Unfinished uploads" }).waitFor()
    const before = await serverOffset("pia", url!)
    const listed = page.getByRole("listitem").filter({ hasText: "kf-console-big" })
    expect(await listed.textContent()).toMatch(/MiB of 12\.0 MiB \(\d+ %\)/)
    await screenshot(page, "upload-unfinished")
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    await page.getByLabel("or choose files").setInputFiles(big)
    const open = page.getByRole("link", { name: "Open kf-console-big" })
    await open.waitFor({ timeout: 30_000 })
    expect((await open.getAttribute("href"))!.split("/").pop()).toBe(url!.split("/").pop())
    const resumedAt = Number(/resumed at (\d+) %/.exec((await page.getByText(/resumed at \d+ %/).textContent())!)![1])
    expect(resumedAt).toBeGreaterThanOrEqual(Math.floor((before / BIG_SIZE) * 100))
    expect(resumedAt).toBeGreaterThan(0)
    expect(await page.getByRole("heading", { name: "Unfinished uploads" }).count()).toBe(0)
    expect(await storedUploadUrls(page)).toEqual([]) // forgotten once finished

    // cancel: the transfer stops and the server terminates the upload
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1.5 * MiB })
    await page.getByLabel("or choose files").setInputFiles(big)
    await expect.poll(async () => (await storedUploadUrls(page)).length, { timeout: 20_000 }).toBe(1)
    const [cancelled] = await storedUploadUrls(page)
    await expect.poll(() => serverOffset("pia", cancelled!), { timeout: 20_000 }).toBeGreaterThan(0)
    await page.getByRole("button", { name: "Cancel kf-console-big" }).click()
    await page.getByRole("status").filter({ hasText: "Cancelled" }).waitFor()
    await expect.poll(() => serverOffset("pia", cancelled!), { timeout: 10_000 }).toBeLessThan(0) // 404 / 410
    const doc = await server.api<{ status: string }>("GET", `/uploads/${cancelled!.split("/").pop()}`, { sub: "pia" })
    expect(doc.status).toBe("cancelled")
    expect(await page.getByRole("alert").count()).toBe(0)
    await expect.poll(() => storedUploadUrls(page), { timeout: 5_000 }).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)

  it("shows the server's words when the quota refuses an upload (desktop and phone width)", async () => {
    await server.api("PUT", "/admin/users/bob/quota-limit", { sub: "root", roles: ["admin"], body: { limitBytes: 1000, reason: "console test" } })
    for (const [name, viewport] of [["upload-refused", { width: 1280, height: 900 }], ["upload-refused-phone", { width: 390, height: 844 }]] as const) {
      const { page, context } = await signedInPage(browser, server, "bob", ["user"], viewport)
      await page.goto(`${server.url}/#/upload`)
      await expect.poll(() => page.locator("#quota-text").textContent()).toContain("0 B of 1000 B used")
      await page.getByLabel("or choose files").setInputFiles(videos.short)
      const alert = page.getByRole("alert")
      await alert.waitFor({ timeout: 20_000 })
      const text = (await alert.textContent())!
      expect(text).toContain("QUOTA_EXCEEDED")
      expect(text).toMatch(/quota/i)
      expect(await page.getByRole("button", { name: "Retry short.mp4" }).count()).toBe(0) // a refusal is not retried
      // no horizontal scrolling at a phone's width
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
      await screenshot(page, name)
      await context.close()
    }
  }, 60_000)
})
