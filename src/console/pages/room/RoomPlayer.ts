/**
 * The room's video (hls.js on a signed playback URL) kept in step with the room by the PlaybackClient:
 * a loop every 100 ms applies the room's state as it stands at the server's now (so a playback event
 * takes effect at its `effectiveAt`), seeks while paused or waiting, plays while playing and about once
 * a second applies the client's drift correction (a playback rate for a second, or a seek). It sends
 * `ready` once it can play at a wait's position, and `buffering` / `ready` from the element's events.
 * Whoever may drive playback gets play, pause and seek controls that send `playback` commands; the
 * video element itself never acts on its own (no native controls), so everyone follows the room.
 */
import Hls from "hls.js"
import { html } from "htm/preact"
import { useEffect, useRef, useState } from "preact/hooks"
import { get } from "../../api.ts"
import { describeError, formatDuration } from "../../ui.ts"
import type { RoomConnection } from "./RoomConnection.ts"

const LOOP_MS = 100
const CORRECT_EVERY_MS = 1000

const STATUS_WORDS: Readonly<Record<string, string>> = {
  idle: "Not started",
  waiting: "Waiting for everyone to be ready…",
  paused: "Paused",
  playing: "Playing"
}

export const RoomPlayer = ({ conn, videoId, canControl }: { conn: RoomConnection; videoId: string; canControl: boolean }) => {
  const videoRef = useRef<HTMLVideoElement>(null)
  const [error, setError] = useState<unknown>()
  const [blocked, setBlocked] = useState(false)
  const [muted, setMuted] = useState(false)
  const [, setTick] = useState(0)
  const [seekDraft, setSeekDraft] = useState<number | undefined>()

  // the media: a signed URL, through hls.js (or the browser's own HLS)
  useEffect(() => {
    const video = videoRef.current!
    let hls: Hls | undefined
    let cancelled = false
    get<{ url: string }>(`/videos/${encodeURIComponent(videoId)}/playback`).then(
      ({ url }) => {
        if (cancelled) return
        if (Hls.isSupported()) {
          hls = new Hls({ maxBufferLength: 30 })
          hls.on(Hls.Events.ERROR, (_event, data) => {
            if (data.fatal) setError(new Error(`The video cannot be played: ${data.details}${data.response?.code ? ` (HTTP ${data.response.code})` : ""}`))
          })
          hls.loadSource(url)
          hls.attachMedia(video)
        } else if (video.canPlayType("application/vnd.apple.mpegurl") !== "") {
          video.src = url
        } else {
          setError(new Error("This browser cannot play HLS video."))
        }
      },
      (e: unknown) => !cancelled && setError(e)
    )
    return () => {
      cancelled = true
      hls?.destroy()
    }
  }, [videoId])

  // the sync loop
  useEffect(() => {
    const video = videoRef.current!
    let reportedWait: string | undefined
    let welcomes = conn.welcomes
    let lastCorrection = 0
    let rateUntil = 0
    let buffering = false
    /** Readiness told on this connection (presence starts at "unknown" on each). */
    let announced = false
    let ticks = 0
    const loop = () => {
      if (++ticks % 3 === 0) setTick((t) => t + 1)
      if (video.readyState < 1 || conn.state().status === "closed" && conn.state().room === undefined) return
      // a new connection starts "unknown" in presence: answer an open wait again
      if (conn.welcomes !== welcomes) {
        welcomes = conn.welcomes
        reportedWait = undefined
        announced = false
      }
      const pc = conn.playback
      const state = pc.state()
      const durationMs = Number.isFinite(video.duration) ? video.duration * 1000 : Number.POSITIVE_INFINITY
      const expected = Math.min(pc.expectedPositionMs(), Math.max(0, durationMs - 50))
      const actual = video.currentTime * 1000
      const now = performance.now()
      const seekTo = (ms: number) => {
        if (!video.seeking) video.currentTime = ms / 1000
      }
      if (state.status !== "playing") {
        if (!video.paused) video.pause()
        if (video.playbackRate !== 1) video.playbackRate = 1
        if (Math.abs(expected - actual) > 60) seekTo(expected)
        const there = !video.seeking && video.readyState >= 3 && Math.abs(expected - actual) <= 250
        if (state.status === "waiting") {
          const key = `${state.waitingSince}/${state.positionMs}`
          if (reportedWait !== key && there) {
            reportedWait = key
            announced = true
            conn.report("ready", actual)
          }
        } else if (!announced && there && conn.state().status === "open") {
          announced = true
          conn.report("ready", actual)
        }
        return
      }
      if (expected >= durationMs - 60) {
        // the room's clock is past the end: stay on the last frame
        if (!video.paused) video.pause()
        return
      }
      if (video.paused) {
        if (Math.abs(expected - actual) > 60) seekTo(expected)
        video.play().then(() => setBlocked(false), (e: unknown) => (e as Error).name === "NotAllowedError" && setBlocked(true))
        return
      }
      if (!announced && !buffering && video.readyState >= 3 && conn.state().status === "open") {
        announced = true
        conn.report("ready", actual)
      }
      if (rateUntil !== 0 && now >= rateUntil) {
        video.playbackRate = 1
        rateUntil = 0
      }
      if (now - lastCorrection >= CORRECT_EVERY_MS && !video.seeking && !buffering) {
        lastCorrection = now
        const correction = pc.correction(actual)
        if (correction.kind === "rate") {
          video.playbackRate = correction.rate
          rateUntil = now + correction.forMs
        } else if (correction.kind === "seek") {
          seekTo(correction.positionMs)
        }
      }
    }
    const timer = setInterval(loop, LOOP_MS)
    const onWaiting = () => {
      if (conn.playback.state().status !== "playing" || buffering) return
      buffering = true
      conn.report("buffering", video.currentTime * 1000)
    }
    const onPlaying = () => {
      if (!buffering) return
      buffering = false
      conn.report("ready", video.currentTime * 1000)
    }
    video.addEventListener("waiting", onWaiting)
    video.addEventListener("playing", onPlaying)
    video.addEventListener("canplay", onPlaying)
    return () => {
      clearInterval(timer)
      video.removeEventListener("waiting", onWaiting)
      video.removeEventListener("playing", onPlaying)
      video.removeEventListener("canplay", onPlaying)
    }
  }, [conn])

  const video = videoRef.current
  const state = conn.playback.state()
  const durationMs = video !== null && Number.isFinite(video.duration) ? video.duration * 1000 : 0
  const positionMs = Math.min(conn.playback.expectedPositionMs(), durationMs || Number.POSITIVE_INFINITY)
  const atEnd = durationMs > 0 && positionMs >= durationMs - 100
  const command = (action: "play" | "pause" | "seek", ms: number) => {
    if (!conn.playbackCommand(action, ms)) setError(new Error("Not connected to the room: try again once it reconnects."))
    else setError(undefined)
  }
  const toggle = () => (state.playing ? command("pause", positionMs) : command("play", atEnd ? 0 : positionMs))
  const seekBy = (deltaMs: number) => command("seek", Math.max(0, Math.min(durationMs || Number.POSITIVE_INFINITY, positionMs + deltaMs)))
  const shown = seekDraft ?? positionMs

  return html`
    <section class="card room-player" aria-labelledby="player-title">
      <h2 id="player-title" class="visually-hidden">Video</h2>
      <video ref=${videoRef} playsinline muted=${muted} aria-label="The room's video" aria-describedby="player-status"></video>
      <p id="player-status" class="row room-player-status" aria-live="polite">
        <span class=${`badge ${state.status === "playing" ? "ready" : state.status === "waiting" ? "processing" : ""}`}>${STATUS_WORDS[state.status]}</span>
        <span>${formatDuration(shown / 1000)} / ${durationMs > 0 ? formatDuration(durationMs / 1000) : "–:––"}</span>
        ${canControl ? null : html`<span class="hint">The host controls playback; your video follows the room.</span>`}
      </p>
      ${blocked ? html`<p class="warn">Your browser blocked playback. <button type="button" onClick=${() => videoRef.current?.play().then(() => setBlocked(false), () => undefined)}>Start playback</button></p>` : null}
      <div class="row room-controls">
        ${canControl
          ? html`
            <button type="button" onClick=${toggle}>${state.playing ? "Pause" : "Play"}</button>
            <button type="button" class="secondary" onClick=${() => seekBy(-10_000)} aria-label="Back 10 seconds">−10 s</button>
            <button type="button" class="secondary" onClick=${() => seekBy(10_000)} aria-label="Forward 10 seconds">+10 s</button>
            <label class="room-seek">
              <span class="visually-hidden">Position (seconds)</span>
              <input type="range" min="0" max=${Math.max(1, Math.floor(durationMs / 1000))} step="1" value=${Math.floor(shown / 1000)}
                onInput=${(e: Event) => setSeekDraft(Number((e.target as HTMLInputElement).value) * 1000)}
                onChange=${(e: Event) => (setSeekDraft(undefined), command("seek", Number((e.target as HTMLInputElement).value) * 1000))} />
            </label>`
          : null}
        <button type="button" class="secondary" aria-pressed=${muted} onClick=${() => setMuted(!muted)}>${muted ? "Unmute" : "Mute"}</button>
      </div>
      ${error === undefined ? null : html`<p class="error" role="alert">${describeError(error)}</p>`}
    </section>
  `
}
