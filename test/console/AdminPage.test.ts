/**
 * The Admin page through a real browser against a real `npm start`: a user's weekly limit set on the page is
 * what the user's GET /me/quota says; a category added on the page is listed (and by GET /categories); the
 * runtime settings show the server's validation error in words and save a valid change; the read models
 * show their health and a rebuild starts after a confirmation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser } from "playwright-core"
import { skipConsolePages, launchBrowser, screenshot, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"

const GiB = 1024 ** 3

/** The page's errors but the browser's own log line of a refusal the test asked for. */
const unexpected = (errors: ReadonlyArray<string>, ...statuses: ReadonlyArray<number>) =>
  errors.filter((e) => !statuses.some((s) => e.includes(`status of ${s} `)))

describe.skipIf(skipConsolePages("AdminPage"))("console admin page", () => {
  let server: ConsoleServer
  let browser: Browser
  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startConsoleServer(), launchBrowser()])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("sets a user's weekly limit, grants sponsor, and the user's own quota shows it", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "root", ["admin"])
    await page.goto(`${server.url}/#/admin`)
    const quotas = page.getByRole("region", { name: "Users' quotas" })
    await quotas.getByLabel("User id").fill("carol")
    await quotas.getByRole("button", { name: "Look up" }).click()
    await quotas.getByRole("heading", { name: "Quota of carol" }).waitFor()
    await expect(quotas.getByText("none (the default limit applies)").isVisible()).resolves.toBe(true)

    await quotas.getByRole("radio", { name: "Custom amount" }).check()
    await quotas.getByLabel("Weekly limit", { exact: true }).fill("5")
    await quotas.getByLabel("Unit of weekly limit").selectOption("GiB")
    await quotas.getByLabel(/^Reason/).fill("pilot customer")
    await quotas.getByRole("button", { name: "Set weekly limit" }).click()
    await quotas.getByText("carol's weekly limit is now 5.0 GiB").waitFor()
    const mine = await server.api<{ limitBytes: number; limitOverride: number }>("GET", "/me/quota", { sub: "carol" })
    expect(mine.limitBytes).toBe(5 * GiB)
    expect(mine.limitOverride).toBe(5 * GiB)
    // the page read it back too (the override and the limit in force)
    await expect(quotas.getByText("5.0 GiB (5,368,709,120 bytes)").count()).resolves.toBeGreaterThanOrEqual(2)

    await quotas.getByRole("button", { name: "Grant sponsor" }).click()
    await quotas.getByText("Sponsor quota granted to carol.").waitFor()
    await quotas.getByText("unlimited (sponsor)").waitFor()
    expect((await server.api<{ unlimited: boolean }>("GET", "/me/quota", { sub: "carol" })).unlimited).toBe(true)
    await quotas.getByRole("button", { name: "Withdraw sponsor" }).waitFor()

    // a refusal in the server's words: a user id the API does not take
    await quotas.getByLabel("User id").fill("bad id!")
    await quotas.getByRole("button", { name: "Look up" }).click()
    // the browser's own check (pattern) stops it first, with nothing sent: the lookup stays on carol
    await expect(quotas.getByRole("heading", { name: "Quota of carol" }).isVisible()).resolves.toBe(true)
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it("adds, renames and removes a category", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "root", ["admin"])
    await page.goto(`${server.url}/#/admin?section=categories`)
    const section = page.getByRole("region", { name: "Categories" })
    await section.getByRole("cell", { name: "Gaming", exact: true }).waitFor()
    await section.getByLabel("Name", { exact: true }).fill("Science & Tech")
    await expect(section.getByLabel("Slug").inputValue()).resolves.toBe("science-tech")
    await section.getByRole("button", { name: "Add category" }).click()
    await section.getByText("Added the category Science & Tech (science-tech).").waitFor()
    await section.getByRole("cell", { name: "Science & Tech", exact: true }).waitFor()
    const listed = await server.api<{ items: Array<{ slug: string; name: string }> }>("GET", "/categories")
    expect(listed.items).toContainEqual(expect.objectContaining({ slug: "science-tech", name: "Science & Tech" }))

    // a second one with the same name: the server's 409 in words
    await section.getByLabel("Name", { exact: true }).fill("science & tech")
    await section.getByLabel("Slug").fill("science")
    await section.getByRole("button", { name: "Add category" }).click()
    await expect(section.getByRole("alert").textContent()).resolves.toMatch(/CATEGORY_NAME_TAKEN/)

    await section.getByRole("button", { name: "Rename Science & Tech" }).click()
    await section.getByLabel("New name of Science & Tech").fill("Science")
    await section.getByRole("button", { name: "Save" }).click()
    await section.getByRole("cell", { name: "Science", exact: true }).waitFor()

    await section.getByRole("button", { name: "Remove Science" }).click()
    await section.getByRole("button", { name: "Yes, remove Science" }).click()
    await section.getByRole("cell", { name: "science-tech", exact: true }).waitFor({ state: "detached" })
    const after = await server.api<{ items: Array<{ slug: string }> }>("GET", "/categories")
    expect(after.items.map((c) => c.slug)).not.toContain("science-tech")
    expect(unexpected(errors, 409)).toEqual([])
    await context.close()
  }, 60_000)

  it("shows the runtime settings, words the server's refusal, and saves a change", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "root", ["admin"])
    await page.goto(`${server.url}/#/admin?section=settings`)
    const section = page.getByRole("region", { name: "Runtime settings" })
    await section.getByText("Never changed").waitFor()
    const largest = section.getByRole("group", { name: "Largest upload" })
    await largest.getByRole("checkbox").uncheck()
    await largest.getByLabel("Largest upload", { exact: true }).fill("0")
    await section.getByRole("button", { name: "Save settings" }).click()
    await expect(section.getByRole("alert").textContent()).resolves.toContain("body.maxFileSizeBytes: Expected a value greater than or equal to 1")

    await largest.getByLabel("Largest upload", { exact: true }).fill("512")
    await largest.getByLabel("Unit of largest upload").selectOption("MiB")
    await section.getByRole("button", { name: "Save settings" }).click()
    await section.getByText(/^Saved: largest upload 512 MiB/).waitFor()
    await section.getByText("Last changed by root").waitFor()
    const settings = await server.api<{ effective: { maxFileSizeBytes: number }; overrides: { weeklyUploadLimitBytes: number | null } }>("GET", "/admin/settings", { roles: ["admin"] })
    expect(settings.effective.maxFileSizeBytes).toBe(512 * 1024 ** 2)
    expect(settings.overrides.weeklyUploadLimitBytes).toBe(null)
    await screenshot(page, "admin-settings")
    expect(unexpected(errors, 422)).toEqual([])
    await context.close()
  }, 60_000)

  it("lists the read models with their health and rebuilds one after a confirmation", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "root", ["admin"])
    await page.goto(`${server.url}/#/admin?section=projections`)
    const section = page.getByRole("region", { name: "Read models" })
    const videos = section.getByRole("row", { name: /^videos/ })
    await videos.waitFor()
    await expect(videos.getByText("healthy", { exact: true }).isVisible()).resolves.toBe(true)
    await videos.getByRole("button", { name: "Rebuild videos" }).click()
    await videos.getByRole("button", { name: "Cancel" }).click()
    await videos.getByRole("button", { name: "Rebuild videos" }).click()
    await videos.getByRole("button", { name: "Yes, rebuild videos" }).click()
    await videos.getByText("Rebuild of videos started.").waitFor()
    // the server saw it: its status names the rebuild (running, or already swapped in)
    const status = await server.api<{ projections: Array<{ projection: string; rebuild?: unknown; active?: { generation: number } }> }>("GET", "/admin/projections", { roles: ["admin"] })
    const v = status.projections.find((p) => p.projection === "videos")!
    expect(v.rebuild !== undefined || (v.active?.generation ?? 0) > 0).toBe(true)
    await screenshot(page, "admin")
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it("fits a phone's width", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "root", ["admin"], { width: 390, height: 844 })
    await page.goto(`${server.url}/#/admin`)
    await page.getByRole("region", { name: "Read models" }).getByRole("row", { name: /^videos/ }).waitFor()
    await page.getByRole("region", { name: "Users' quotas" }).getByLabel("User id").fill("carol")
    await page.getByRole("button", { name: "Look up" }).click()
    await page.getByRole("heading", { name: "Quota of carol" }).waitFor()
    // nothing wider than the screen but the tables' own scrolling boxes
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBe(0)
    await screenshot(page, "admin-phone")
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)
})
