/**
 * The room protocol suite against the uWebSockets.js transport. Its only build that loads here is for
 * Node 20 (DESIGN.md §2), and Node 20 cannot strip TypeScript types, so the sources are compiled with
 * tsc (`rewriteRelativeImportExtensions` makes the .ts imports .js) into a temp dir that links this
 * project's node_modules, and `src/runtime/node.js` is started with the machine's /usr/bin/node.
 * Without a Node 20 at /usr/bin/node the suite is skipped, and says so.
 */
import { afterAll, describe, it } from "vitest"
import { buildForNode20, NODE20, node20Version } from "./Node20Build.ts"
import { roomProtocolSuite } from "./RoomProtocolSuite.ts"

const version = node20Version()

if (!version.startsWith("v20.")) {
  console.warn(`UwsTransport: SKIPPED — no Node 20 at ${NODE20} (found ${version || "none"}), the only Node the uWS build loads on here`)
  describe("rooms over uWebSockets.js (Node 20)", () => {
    it.skip(`skipped: no Node 20 at ${NODE20} (found ${version || "none"}), the only Node the uWS build loads on here`, () => {})
  })
} else {
  const build = buildForNode20()
  afterAll(build.remove)
  // uWS ends a closed socket's connection when what it still holds for it does not drain: a client that stopped
  // reading may find 1006 instead of the 1013 close frame (the suite checks the server's 1013 in its log either way)
  // retry 1: now and then (about 1 run in 3 under CI's load) a room socket is cut with 1006 right after it
  // opens, before its welcome, on both ends and with no error (seen on uWS only, not on ws or Deno; not
  // understood yet, an open bug of the rooms issue): a test that lost its socket so runs once more
  roomProtocolSuite(`rooms over uWebSockets.js (${version})`, build.command, "uWebSockets.js", { slowCloseCodes: [1013, 1006], retry: 1 })
}
