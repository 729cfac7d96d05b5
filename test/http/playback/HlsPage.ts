/**
 * Test support: a real player. A page served from its own origin (node:http) loads hls.js's dist file,
 * and headless Chromium (Debian's, driven by playwright-core) plays a URL in it, reporting `playing` with
 * the current time, or hls.js's fatal error with the HTTP status it got.
 */
import { existsSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { createRequire } from "node:module"
import { type Browser, chromium } from "playwright-core"

export const CHROMIUM = "/usr/bin/chromium"
export const chromiumMissing = !existsSync(CHROMIUM)

export type PlayOutcome =
  | { readonly outcome: "playing"; readonly currentTime: number }
  | { readonly outcome: "fatal"; readonly type: string; readonly details: string; readonly code: number | undefined }
  | { readonly outcome: "timeout" }

const PAGE = `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="/hls.js"></script>
<script>
window.play = (url, timeoutMs) => new Promise((resolve) => {
  const video = document.getElementById("v")
  const hls = new Hls({ manifestLoadingMaxRetry: 0, levelLoadingMaxRetry: 0, fragLoadingMaxRetry: 0 })
  const done = (r) => { hls.destroy(); resolve(r) }
  const timer = setTimeout(() => done({ outcome: "timeout" }), timeoutMs)
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) { clearTimeout(timer); done({ outcome: "fatal", type: data.type, details: data.details, code: data.response ? data.response.code : undefined }) }
  })
  video.addEventListener("timeupdate", () => {
    if (video.currentTime > 0.2) { clearTimeout(timer); done({ outcome: "playing", currentTime: video.currentTime }) }
  })
  hls.loadSource(url)
  hls.attachMedia(video)
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch(() => {}) })
})
</script></body></html>`

export interface HlsPlayer {
  /** Plays `url` in a fresh page (no cache shared with earlier plays). */
  play(url: string, timeoutMs?: number): Promise<PlayOutcome>
  stop(): Promise<void>
}

export const startHlsPlayer = async (): Promise<HlsPlayer> => {
  const hlsJs = readFileSync(createRequire(import.meta.url).resolve("hls.js/dist/hls.js"))
  const server: Server = createServer((req, res) => {
    if (req.url === "/hls.js") res.writeHead(200, { "content-type": "text/javascript" }).end(hlsJs)
    else res.writeHead(200, { "content-type": "text/html" }).end(PAGE)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const page = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"
    ]
  })
  return {
    play: async (url, timeoutMs = 30_000) => {
      const context = await browser.newContext()
      try {
        const tab = await context.newPage()
        await tab.goto(page)
        return await tab.evaluate(([u, t]) => (window as unknown as { play: (u: string, t: number) => Promise<PlayOutcome> }).play(u, t), [url, timeoutMs] as const)
      } finally {
        await context.close()
      }
    },
    stop: async () => {
      await browser.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
