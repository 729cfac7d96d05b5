/**
 * The playback signing keys from the config: PLAYBACK_SIGNING_KEYS (validated by config.ts), else one
 * key generated into DATA_DIR/playback-signing-key (0600, fsynced, like the development JWT secret),
 * so signed URLs survive a restart. Several API nodes must share PLAYBACK_SIGNING_KEYS.
 */
import { Effect, Layer, Redacted } from "effect"
import type { KeyframeSettings } from "../config.ts"
import { Playback } from "../videos/Playback.ts"
import { parseSigningKeys, type SigningKeys, signingKeys } from "../videos/PlaybackTokens.ts"
import { loadOrCreateDevSecret } from "./DevJwtSecret.ts"

export const PLAYBACK_KEY_FILE = "playback-signing-key"

export const playbackKeys = (config: KeyframeSettings) =>
  Effect.gen(function*() {
    const configured = config.playback.signingKeys
    if (configured !== undefined) {
      const keys = parseSigningKeys(Redacted.value(configured))
      // config.ts already refused a malformed value at start-up
      if (typeof keys === "string") return yield* Effect.die(new Error(`PLAYBACK_SIGNING_KEYS: ${keys}`))
      return signingKeys(keys)
    }
    const dev = yield* loadOrCreateDevSecret(config.server.dataDir, PLAYBACK_KEY_FILE, "PLAYBACK_SIGNING_KEYS")
    return signingKeys([{ kid: "local", secret: new TextEncoder().encode(dev.secret) }]) satisfies SigningKeys
  })

/** The Playback service with the configured TTL and keys (needs the read side). */
export const playbackLayer = (config: KeyframeSettings) =>
  Layer.unwrap(Effect.map(playbackKeys(config), (keys) => Playback.layer({ ttlSeconds: config.playback.tokenTtlSeconds, keys })))
