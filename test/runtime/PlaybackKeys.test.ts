/** The playback signing keys from the config: PLAYBACK_SIGNING_KEYS (newest first signs), else one key generated once under DATA_DIR (0600) and reused. */
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config.ts"
import { PLAYBACK_KEY_FILE, playbackKeys } from "../../src/runtime/PlaybackKeys.ts"
import { signPlaybackToken, verifyPlaybackToken } from "../../src/videos/PlaybackTokens.ts"

const dir = mkdtempSync(join(tmpdir(), "kf-playback-keys-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const keysFor = (env: Record<string, string>) =>
  Effect.runPromise(Effect.flatMap(loadConfig(ConfigProvider.fromUnknown({ DATA_DIR: join(dir, "data"), ...env })), playbackKeys))

const session = { videoId: "v", sessionId: "s", userId: "u", roles: ["user" as const], issuedAt: 0, expiresAt: 4_000_000_000_000, accessEpoch: 0 }

describe("playback signing keys", () => {
  it("without PLAYBACK_SIGNING_KEYS: one generated key in DATA_DIR, owner-only, the same after a restart", async () => {
    const first = await keysFor({})
    const token = signPlaybackToken(first, session)
    expect(statSync(join(dir, "data", PLAYBACK_KEY_FILE)).mode & 0o777).toBe(0o600)
    const second = await keysFor({})
    expect(verifyPlaybackToken(second, token, 1)).toEqual(session)
  })

  it("with PLAYBACK_SIGNING_KEYS: the first key signs, the others verify", async () => {
    const keys = await keysFor({ PLAYBACK_SIGNING_KEYS: `new:${"n".repeat(32)},old:${"o".repeat(32)}` })
    expect(signPlaybackToken(keys, session).startsWith("new.")).toBe(true)
    const oldOnly = await keysFor({ PLAYBACK_SIGNING_KEYS: `old:${"o".repeat(32)}` })
    expect(verifyPlaybackToken(keys, signPlaybackToken(oldOnly, session), 1)).toEqual(session)
  })
})
