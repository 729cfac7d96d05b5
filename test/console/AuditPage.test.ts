/**
 * The Audit page through a real browser against a real `npm start`: an auditor verifies the chain and sees
 * it intact; sees a quota aggregate at an earlier revision (and at an earlier time) differ from now; downloads
 * the NDJSON export with the token. The API offers no way to break the chain (and the store's files must not
 * be touched while the server runs), so the broken-link rendering is checked on the real page with the
 * verification answer replaced in the browser (page.route).
 */
import { readFile } from "node:fs/promises"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Browser, Page } from "playwright-core"
import { skipConsolePages, launchBrowser, screenshot, signedInPage } from "./support/ConsoleBrowser.ts"
import { type ConsoleServer, startConsoleServer } from "./support/ConsoleServer.ts"

const GiB = 1024 ** 3

interface StoredEvent {
  readonly stream: string
  readonly revision: number
  readonly position: number
  readonly type: string
  readonly recordedAt: string
  readonly data: Record<string, unknown>
}

const stateText = (page: Page) => page.getByTestId("aggregate-state").textContent()

describe.skipIf(skipConsolePages("AuditPage"))("console audit page", () => {
  let server: ConsoleServer
  let browser: Browser
  let first: StoredEvent
  let second: StoredEvent
  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startConsoleServer(), launchBrowser()])
    // history: dave's quota limit set twice, more than a second apart (the page picks times to the second)
    await server.api("PUT", "/admin/users/dave/quota-limit", { sub: "root", roles: ["admin"], body: { limitBytes: 1 * GiB } })
    await new Promise((r) => setTimeout(r, 2100))
    await server.api("PUT", "/admin/users/dave/quota-limit", { sub: "root", roles: ["admin"], body: { limitBytes: 2 * GiB } })
    const stream = await server.api<{ events: Array<StoredEvent> }>("GET", "/audit/streams/quota-dave", { roles: ["auditor"] })
    ;[first, second] = stream.events as [StoredEvent, StoredEvent]
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it("verifies the chain and shows it intact, with what was checked", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "eve", ["auditor"])
    await page.goto(`${server.url}/#/audit`)
    const section = page.getByRole("region", { name: "Verify the hash chain" })
    await section.getByRole("button", { name: "Verify chain" }).click()
    const status = section.getByRole("status")
    await status.getByText("Chain intact.").waitFor()
    const report = await server.api<{ checked: number; streams: number }>("GET", "/audit/verify", { roles: ["auditor"] })
    const shown = /Every link of the whole store holds: ([\d,]+) events in ([\d,]+) streams checked/.exec((await status.textContent()) ?? "")
    expect(shown, await status.textContent() ?? "").not.toBeNull()
    const checked = Number(shown![1]!.replace(/,/g, ""))
    expect(checked).toBeGreaterThanOrEqual(second.position - 1) // at least every event up to dave's second limit
    expect(checked).toBeLessThanOrEqual(report.checked)

    // one stream
    await section.getByLabel("Stream (optional)").fill("quota-dave")
    await section.getByRole("button", { name: "Verify chain" }).click()
    await section.getByText("Every link of stream quota-dave holds: 2 events checked").waitFor()
    // an unknown one: the server's 404 in words
    await section.getByLabel("Stream (optional)").fill("quota-nobody")
    await section.getByRole("button", { name: "Verify chain" }).click()
    await expect(section.getByRole("alert").textContent()).resolves.toBe("stream quota-nobody has no events (NOT_FOUND)")
    expect(errors.filter((e) => !e.includes("status of 404 "))).toEqual([])
    await context.close()
  }, 60_000)

  it("shows an aggregate at an earlier revision and time, different from now, with its events", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "eve", ["auditor"])
    await page.goto(`${server.url}/#/audit`)
    const section = page.getByRole("region", { name: "An aggregate at a point in time" })
    await section.getByLabel("Aggregate type").selectOption("quota")
    await section.getByLabel("Aggregate id").fill("dave")
    await section.getByRole("button", { name: "Show state" }).click()
    await section.getByRole("heading", { name: "quota dave now" }).waitFor()
    const now = JSON.parse((await stateText(page))!) as { limitOverride: number }
    expect(now.limitOverride).toBe(2 * GiB)

    await section.getByRole("radio", { name: "At a revision" }).check()
    await section.getByLabel("Revision", { exact: true }).fill("0")
    await section.getByRole("button", { name: "Show state" }).click()
    await section.getByRole("heading", { name: "quota dave at revision 0" }).waitFor()
    const earlier = JSON.parse((await stateText(page))!) as { limitOverride: number }
    expect(earlier.limitOverride).toBe(1 * GiB)
    expect(earlier).not.toEqual(now)
    await section.getByText("revision 0 of 1 (position").waitFor()
    // its events: both, the second one after the point
    const rows = section.getByRole("table", { name: "Events of quota-dave" }).getByRole("row")
    await expect(rows.count()).resolves.toBe(3)
    await expect(rows.nth(1).textContent()).resolves.toContain("QuotaLimitSet")
    await expect(rows.nth(2).textContent()).resolves.toContain("later")
    await expect(rows.nth(1).textContent()).resolves.not.toContain("later")
    await screenshot(page, "audit")

    // at a time between the two events (the input is local time, to the second)
    const between = Math.ceil((Date.parse(first.recordedAt) + 1) / 1000) * 1000
    expect(between).toBeLessThan(Date.parse(second.recordedAt))
    const local = await page.evaluate((ms) => {
      const d = new Date(ms)
      const p = (n: number) => String(n).padStart(2, "0")
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
    }, between)
    await section.getByRole("radio", { name: "At a time" }).check()
    await section.getByLabel("Date and time (your time zone)").fill(local)
    await section.getByRole("button", { name: "Show state" }).click()
    await section.getByText("revision 0 of 1 (position").waitFor()
    expect((JSON.parse((await stateText(page))!) as { limitOverride: number }).limitOverride).toBe(1 * GiB)

    // an aggregate with no history: the server's words
    await section.getByRole("radio", { name: "Now (latest revision)" }).check()
    await section.getByLabel("Aggregate id").fill("nobody")
    await section.getByRole("button", { name: "Show state" }).click()
    await expect(section.getByRole("alert").textContent()).resolves.toBe("stream quota-nobody has no events (NOT_FOUND)")
    expect(errors.filter((e) => !e.includes("status of 404 "))).toEqual([])
    await context.close()
  }, 60_000)

  it("shows the first broken link clearly, and opens its stream at that revision", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "eve", ["auditor"])
    // the API cannot break the chain: the page gets a broken report instead of the server's
    await page.route("**/audit/verify", (route) =>
      route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          ok: false,
          scope: "all",
          checked: 7,
          streams: 2,
          seconds: 0.004,
          broken: { stream: "quota-dave", revision: 1, position: second.position, eventId: "02e4a70b-943b-410d-b3b3-4a04c3b98678", reason: "prev_hash_mismatch", expected: "a".repeat(64), actual: "b".repeat(64) }
        })
      }))
    await page.goto(`${server.url}/#/audit`)
    const section = page.getByRole("region", { name: "Verify the hash chain" })
    await section.getByRole("button", { name: "Verify chain" }).click()
    const alert = section.getByRole("alert")
    await alert.getByText("Chain broken").waitFor()
    const text = (await alert.textContent()) ?? ""
    expect(text).toContain(`the first broken link is at stream quota-dave, revision 1 (position ${second.position})`)
    expect(text).toContain("its prevHash is not the hash of the stream's previous event")
    expect(text).toContain(`Previous event's hash${"a".repeat(64)}`)
    expect(text).toContain(`This event's prevHash${"b".repeat(64)}`)
    expect(text).toContain("7 events in 2 streams before it held")
    await screenshot(page, "audit-broken")
    await alert.getByRole("button", { name: "Inspect quota-dave at revision 1" }).click()
    const aggregate = page.getByRole("region", { name: "An aggregate at a point in time" })
    await aggregate.getByRole("heading", { name: "quota dave at revision 1" }).waitFor()
    expect((JSON.parse((await stateText(page))!) as { limitOverride: number }).limitOverride).toBe(2 * GiB)
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it("downloads the NDJSON export with the token", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "eve", ["auditor"])
    await page.goto(`${server.url}/#/audit`)
    const section = page.getByRole("region", { name: "Export events" })
    await section.getByLabel("Stream category (optional)").fill("quota")
    const [download] = await Promise.all([page.waitForEvent("download"), section.getByRole("button", { name: "Download NDJSON export" }).click()])
    expect(download.suggestedFilename()).toBe("keyframe-events-from-1.ndjson")
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as StoredEvent)
    expect(lines.map((e) => [e.stream, e.type, e.data.limitBytes])).toEqual([["quota-dave", "QuotaLimitSet", 1 * GiB], ["quota-dave", "QuotaLimitSet", 2 * GiB]])
    await section.getByText("Exported 2 events").waitFor()
    await section.getByRole("link", { name: "Save keyframe-events-from-1.ndjson again" }).waitFor()
    // the whole history, from a position on
    await section.getByLabel("Stream category (optional)").fill("")
    await section.getByLabel("From position (optional)").fill(String(first.position))
    const [all] = await Promise.all([page.waitForEvent("download"), section.getByRole("button", { name: "Download NDJSON export" }).click()])
    expect(all.suggestedFilename()).toBe(`keyframe-events-from-${first.position}.ndjson`)
    const positions = (await readFile((await all.path())!, "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as StoredEvent).position)
    expect(positions[0]).toBe(first.position)
    expect(positions).toContain(second.position)
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it("fits a phone's width", async () => {
    const { page, context, errors } = await signedInPage(browser, server, "eve", ["auditor"], { width: 390, height: 844 })
    await page.goto(`${server.url}/#/audit`)
    await page.getByRole("button", { name: "Verify chain" }).click()
    await page.getByText("Chain intact.").waitFor()
    await page.getByLabel("Aggregate id").fill("dave")
    await page.getByRole("radio", { name: "At a revision" }).check()
    await page.getByLabel("Revision", { exact: true }).fill("0")
    await page.getByRole("button", { name: "Show state" }).click()
    await page.getByRole("heading", { name: "quota dave at revision 0" }).waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    expect(overflow).toBe(0)
    await screenshot(page, "audit-phone")
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)
})
