/** The console through a real browser against a real `npm start`: the page loads, "sign in as" works, roles gate pages. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser } from "playwright-core"
import { chromiumMissing, launchBrowser, screenshot, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"

describe.skipIf(chromiumMissing)("console shell", () => {
  let server: ConsoleServer
  let browser: Browser
  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startConsoleServer(), launchBrowser()])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("signs in as a user through the development form and shows only the user's pages", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "alice")
    const nav = page.getByRole("navigation", { name: "Main" })
    await expect(nav.getByRole("link", { name: "Upload" }).isVisible()).resolves.toBe(true)
    expect(await nav.getByRole("link", { name: "Admin" }).count()).toBe(0)
    await page.goto(`${server.url}/#/admin`)
    await expect(page.getByRole("alert").textContent()).resolves.toContain("needs the admin role")
    await screenshot(page, "shell-user")
    // a reload keeps the session
    await page.reload()
    await page.getByRole("button", { name: "Sign out" }).waitFor()
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.getByRole("heading", { name: "Sign in with a token" }).waitFor()
    await screenshot(page, "sign-in")
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it("signs in with a pasted token and refuses a malformed one in words", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(server.url)
    await page.getByLabel("Bearer token (JWT)").fill("not-a-token")
    await page.getByRole("button", { name: "Sign in", exact: true }).click()
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not a JWT")
    await page.getByLabel("Bearer token (JWT)").fill(await server.token("auditor-1", ["auditor"]))
    await page.getByRole("button", { name: "Sign in", exact: true }).click()
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).waitFor()
    await context.close()
  }, 60_000)
})
