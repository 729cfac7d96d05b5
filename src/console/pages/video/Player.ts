/**
 * The player of the video page: a signed playback URL (`GET /videos/:id/playback`) played with hls.js
 * (or the browser's own HLS where hls.js cannot run, i.e. Safari on iOS), the URL refreshed before it
 * expires, and a view reported (`POST /videos/:id/views`) once enough was watched in a playback session.
 *
 * How the refresh keeps playback going. The token is in the URL's path (`/play/<token>/master.m3u8`,
 * src/http/playback/PlaybackRoutes.ts) and every relative URI of the playlists inherits it, so a new
 * token would normally mean a new source (a reload: a stall, a seek, a lost buffer). Instead, with
 * hls.js every request goes through `xhrSetup`, which opens the request at the same path under the
 * newest token: the playlists hls.js already holds, the buffer and the position stay as they are, and
 * the next segment is simply fetched with the fresh token. With native HLS (no request hook) the only
 * way is a new `src`: it is swapped in and the position (and playing state) restored.
 * A playlist or segment refused with 403 (the token expired while the tab slept, or access changed)
 * gets one refresh and a restart of loading before the error is shown.
 */
import Hls from "hls.js"
import { html } from "htm/preact"
import { useEffect, useRef, useState } from "preact/hooks"
import { ApiError, get, post } from "../../api.ts"
import { describeError } from "../../ui.ts"

interface PlaybackUrl {
  readonly url: string
  readonly expiresAt: string
}

const TOKEN_IN_PATH = /\/play\/([^/]+)\//

export const tokenOf = (url: string): string | undefined => TOKEN_IN_PATH.exec(new URL(url, location.href).pathname)?.[1]

/** Watch time a view needs: 10 s, or more than half of a video shorter than 20 s (Engagement's rule). */
export const viewThreshold = (durationSeconds: number | null) =>
  durationSeconds !== null && durationSeconds < 20 ? durationSeconds / 2 + 0.05 : 10

export interface PlayerProps {
  readonly videoId: string
  readonly title: string
  readonly durationSeconds: number | null
  /** A view of this page's was counted: the page shows the new count. */
  readonly onViewCounted?: () => void
}

export const Player = ({ videoId, title, durationSeconds, onViewCounted }: PlayerProps) => {
  const videoRef = useRef<HTMLVideoElement>(null)
  const [error, setError] = useState<unknown>()
  const [status, setStatus] = useState("Loading the player…")
  const [poster, setPoster] = useState<string | undefined>()
  const counted = useRef(onViewCounted)
  counted.current = onViewCounted

  useEffect(() => {
    const video = videoRef.current!
    let stopped = false
    let hls: Hls | undefined
    let refreshTimer: ReturnType<typeof setTimeout> | undefined
    // the playback session now in use (its token and when it began), the watch time on this page, and
    // whether this page's view was reported (one per visit; the server counts one per session and viewer-hour)
    let token = ""
    let sessionStarted = 0
    let watched = 0
    let reported = false
    let lastTime = 0
    let retryTimer: ReturnType<typeof setTimeout> | undefined

    const fetchPlayback = () => get<PlaybackUrl>(`/videos/${encodeURIComponent(videoId)}/playback`)

    const adopt = (playback: PlaybackUrl) => {
      token = tokenOf(playback.url) ?? ""
      sessionStarted = Date.now()
      // refresh when 80 % of the URL's life has passed (at least 1 s from now)
      const life = Date.parse(playback.expiresAt) - Date.now()
      clearTimeout(refreshTimer)
      refreshTimer = setTimeout(refresh, Math.max(1000, life * 0.8))
    }

    const refresh = async (): Promise<boolean> => {
      try {
        const playback = await fetchPlayback()
        if (stopped) return false
        adopt(playback)
        if (hls === undefined) {
          // native HLS: the URIs come from the master URL the element loaded, so swap the source and keep the place
          const at = video.currentTime
          const playing = !video.paused
          video.src = playback.url
          video.addEventListener("loadedmetadata", () => {
            video.currentTime = at
            if (playing) void video.play().catch(() => undefined)
          }, { once: true })
        }
        return true
      } catch (e) {
        if (!stopped) setError(e)
        return false
      }
    }

    const report = async () => {
      if (reported || token === "") return
      const threshold = viewThreshold(durationSeconds)
      if (watched < threshold) return
      // reported with the newest session, never more than its age (the server refuses that as implausible):
      // right after a refresh, the report waits until the new session is old enough
      const seconds = Math.min(watched, (Date.now() - sessionStarted) / 1000)
      if (seconds < threshold) {
        clearTimeout(retryTimer)
        retryTimer = setTimeout(() => void report(), (threshold - seconds) * 1000 + 100)
        return
      }
      reported = true
      try {
        const result = await post<{ counted: boolean }>(`/videos/${encodeURIComponent(videoId)}/views`, { session: token, watchedSeconds: Math.floor(seconds * 100) / 100 })
        if (!stopped && result.counted) counted.current?.()
      } catch (e) {
        // a view that cannot be counted does not stop playback: say so quietly
        if (!stopped) setStatus(`This view was not counted: ${describeError(e)}`)
      }
    }

    // watch time: the position advancing in small steps while playing (a seek is not watching)
    const onTime = () => {
      const step = video.currentTime - lastTime
      lastTime = video.currentTime
      if (!video.paused && step > 0 && step < 1.5) watched += step
      void report()
    }
    const onSeeked = () => (lastTime = video.currentTime)
    const onEnded = () => void report()
    video.addEventListener("timeupdate", onTime)
    video.addEventListener("seeked", onSeeked)
    video.addEventListener("ended", onEnded)

    void fetchPlayback().then(
      (playback) => {
        if (stopped) return
        adopt(playback)
        setPoster(new URL("thumbnail.jpg", playback.url).href)
        if (Hls.isSupported()) {
          let retried = false
          hls = new Hls({
            // nothing but the master playlist is fetched until the viewer presses play (preload="metadata")
            autoStartLoad: false,
            // same-origin requests: the token is in the path; the bearer token is not needed (nor sent)
            xhrSetup: (xhr: XMLHttpRequest, url: string) => {
              xhr.open("GET", url.replace(TOKEN_IN_PATH, `/play/${token}/`), true)
            }
          })
          hls.on(Hls.Events.MANIFEST_PARSED, () => setStatus(""))
          hls.on(Hls.Events.FRAG_LOADED, () => (retried = false))
          hls.on(Hls.Events.ERROR, (_event, data) => {
            if (!data.fatal) return
            const code = (data.response as { code?: number } | undefined)?.code
            if (data.type === Hls.ErrorTypes.NETWORK_ERROR && (code === 403 || code === 410) && !retried) {
              retried = true
              void refresh().then((ok) => ok && hls?.startLoad(video.currentTime))
            } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
              hls?.recoverMediaError()
            } else {
              setError(new Error(`The video cannot be played: ${data.details}${code === undefined ? "" : ` (HTTP ${code})`}`))
            }
          })
          video.addEventListener("play", () => hls?.startLoad(video.currentTime > 0 ? video.currentTime : -1), { once: true })
          hls.loadSource(playback.url)
          hls.attachMedia(video)
        } else if (video.canPlayType("application/vnd.apple.mpegurl") !== "") {
          video.src = playback.url
          video.addEventListener("loadedmetadata", () => setStatus(""), { once: true })
        } else {
          setError(new Error("This browser cannot play HLS video (no Media Source Extensions, no native HLS)."))
        }
      },
      (e: unknown) => !stopped && setError(e)
    )
    return () => {
      stopped = true
      clearTimeout(refreshTimer)
      clearTimeout(retryTimer)
      video.removeEventListener("timeupdate", onTime)
      video.removeEventListener("seeked", onSeeked)
      video.removeEventListener("ended", onEnded)
      hls?.destroy()
      video.removeAttribute("src")
      video.load()
    }
  }, [videoId])

  const message = error === undefined
    ? status
    : error instanceof ApiError && error.status === 409
    ? `This video cannot be played yet: ${describeError(error)}`
    : describeError(error)
  return html`
    <div class="player">
      <video ref=${videoRef} controls playsinline preload="metadata" poster=${poster} aria-label=${`Video: ${title}`}></video>
      ${message === "" ? null : html`<p class=${error === undefined ? "hint" : "error"} role=${error === undefined ? "status" : "alert"}>${message}</p>`}
    </div>
  `
}
