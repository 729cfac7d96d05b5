/**
 * The one way engagement checks a playback session: the token the player got from `GET
 * /videos/:id/playback`, verified into the session it names, or a typed refusal. Main.ts wires
 * `fromVerify(Playback.verifySession)` (the signing keys of src/videos/PlaybackTokens.ts); a process
 * without playback gets `unconfigured`.
 */
import { Context, Effect, Layer, Schema } from "effect"

/** What a verified token says; times are epoch milliseconds. */
export interface PlaybackSession {
  readonly videoId: string
  readonly sessionId: string
  readonly userId: string
  readonly issuedAt: number
  readonly expiresAt: number
}

/** Forged, altered, expired, or for another video or user. The reason is for the log and the client alike (it names no secret). */
export class PlaybackSessionInvalid extends Schema.TaggedError<PlaybackSessionInvalid>()("PlaybackSessionInvalid", { reason: Schema.String }) {
  readonly code = "PLAYBACK_SESSION_INVALID" as const
  override get message(): string {
    return `The playback session is not valid: ${this.reason}.`
  }
}

/** This process cannot verify playback sessions (no signing key configured). */
export class PlaybackSessionsUnavailable extends Schema.TaggedError<PlaybackSessionsUnavailable>()("PlaybackSessionsUnavailable", {}) {
  override get message(): string {
    return "playback sessions cannot be verified on this server"
  }
}

export interface PlaybackSessionVerifierShape {
  verify(token: string): Effect.Effect<PlaybackSession, PlaybackSessionInvalid | PlaybackSessionsUnavailable>
}

export class PlaybackSessionVerifier extends Context.Service<PlaybackSessionVerifier, PlaybackSessionVerifierShape>()("keyframe/PlaybackSessionVerifier") {
  /** Adapts a verify function that answers the session or a reason it is refused. */
  static fromVerify(
    verify: (token: string) => Effect.Effect<PlaybackSession, { readonly message: string }> | PlaybackSession | string
  ): Layer.Layer<PlaybackSessionVerifier> {
    return Layer.succeed(
      PlaybackSessionVerifier,
      PlaybackSessionVerifier.of({
        verify: (token) => {
          const out = verify(token)
          if (typeof out === "string") return Effect.fail(new PlaybackSessionInvalid({ reason: out }))
          if (Effect.isEffect(out)) return Effect.mapError(out, (e) => new PlaybackSessionInvalid({ reason: e.message }))
          return Effect.succeed(out)
        }
      })
    )
  }

  /** Every session refused with 503: views cannot be counted until a verifier is wired. */
  static readonly unconfigured: Layer.Layer<PlaybackSessionVerifier> = Layer.succeed(
    PlaybackSessionVerifier,
    PlaybackSessionVerifier.of({ verify: () => Effect.fail(new PlaybackSessionsUnavailable({})) })
  )
}
