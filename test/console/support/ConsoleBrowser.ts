/**
 * Debian's chromium through playwright-core (no browser download; dependency notes), for the console's
 * tests: contexts signed in through the console's own "sign in as" form, and screenshots kept as
 * test artifacts under test-artifacts/console/ (git-ignored; look at them).
 */
import { existsSync, mkdirSync } from "node:fs"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import type { ConsoleServer } from "./ConsoleServer.ts"

export const CHROMIUM = "/usr/bin/chromium"
export const chromiumMissing = !existsSync(CHROMIUM)
if (chromiumMissing) console.warn(`console browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)

/**
 * The page-by-page browser suites (upload, library, video, rooms, admin, audit) and the demo each start their
 * own `npm start` and transcode their own clips (~4 minutes of the suite's time on this 2-core machine).
 * They always run, CI included; CONSOLE_E2E=0 turns them off for a quick local run, and says so.
 */
export const consolePagesOff = process.env.CONSOLE_E2E === "0"
const consolePagesReason = "console page suites and the demo test skipped: CONSOLE_E2E=0"
export const skipConsolePages = (suite: string): boolean => {
  if (consolePagesOff) console.warn(`${suite}: ${consolePagesReason}`)
  return consolePagesOff || chromiumMissing
}

const ARTIFACTS = new URL("../../../test-artifacts/console/", import.meta.url).pathname

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
  })

export interface SignedInPage {
  readonly context: BrowserContext
  readonly page: Page
  /** Errors the page threw or logged (a test can assert there were none). */
  readonly errors: Array<string>
}

/** A new context (its own storage) on the console, signed in as `sub` with `roles` through the "sign in as" form. */
export const signedInPage = async (
  browser: Browser,
  server: ConsoleServer,
  sub: string,
  roles: ReadonlyArray<"user" | "sponsor" | "admin" | "auditor"> = ["user"],
  viewport = { width: 1280, height: 900 }
): Promise<SignedInPage> => {
  const context = await browser.newContext({ viewport })
  const page = await context.newPage()
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`))
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`))
  await page.goto(server.url)
  await page.getByLabel("User id").fill(sub)
  for (const role of ["user", "sponsor", "admin", "auditor"] as const) {
    await page.getByRole("checkbox", { name: role, exact: true }).setChecked(roles.includes(role))
  }
  await page.getByRole("button", { name: `Sign in as ${sub}` }).click()
  await page.getByRole("button", { name: "Sign out" }).waitFor()
  return { context, page, errors }
}

/** Saves a full-page screenshot as test-artifacts/console/<name>.png. */
export const screenshot = async (page: Page, name: string) => {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })
}
