/**
 * Follows one video's live feed (`GET /videos/:id/events`, Server-Sent Events; src/http/sse/SseRoutes.ts).
 * EventSource cannot send the bearer token, so each connection gets a ticket first (`POST /feeds/tickets`,
 * 60 s, reusable for EventSource's own reconnects); when the feed is refused later (the ticket expired),
 * a new ticket is minted. Messages: `snapshot` first, `state` / `progress` per stored event (the video
 * document and its upload's progress), `processing` (transcode percentages), `end` (then nothing more).
 */
import { post } from "../../api.ts"

/** What the video feed carries about the upload behind the video (UploadFeed.ts progressOf). */
export interface FeedUpload {
  readonly status: string
  readonly offset: number
  readonly declaredSize: number
  readonly progress: number
  readonly step: string | null
  readonly stepState: "waiting" | "running" | "retrying" | null
  readonly attempts: number
  readonly lastError: { readonly step: string; readonly attempt: number; readonly reason: string } | null
}

export interface FeedProcessing {
  readonly step: string
  readonly attempt: number
  readonly percent?: number | undefined
}

export interface FeedHandlers<Video> {
  readonly onVideo: (video: Video | null, upload: FeedUpload | null) => void
  readonly onProcessing: (update: FeedProcessing) => void
  /** The upload reached a terminal state: the feed is closed. */
  readonly onEnd: () => void
  /** The feed cannot be opened (the server's words); it is not retried. */
  readonly onError: (error: unknown) => void
}

const RETRY_MS = 2_000
const MAX_REOPENS = 5

/** Opens the feed of video `id`; returns the function that closes it. */
export const followVideo = <Video>(id: string, handlers: FeedHandlers<Video>): (() => void) => {
  let closed = false
  let source: EventSource | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let reopens = 0
  const path = `/videos/${encodeURIComponent(id)}/events`

  const onDocument = (e: Event) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as { video?: Video | null; upload?: FeedUpload | null }
    reopens = 0
    handlers.onVideo(data.video ?? null, data.upload ?? null)
  }

  const open = async () => {
    let url: string
    try {
      url = (await post<{ url: string }>("/feeds/tickets", { path })).url
    } catch (e) {
      if (!closed) handlers.onError(e)
      return
    }
    if (closed) return
    const es = new EventSource(url)
    source = es
    es.addEventListener("snapshot", onDocument)
    es.addEventListener("state", onDocument)
    es.addEventListener("progress", onDocument)
    es.addEventListener("processing", (e) => handlers.onProcessing(JSON.parse((e as MessageEvent<string>).data) as FeedProcessing))
    es.addEventListener("end", (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as { reconnect?: boolean }
      if (data.reconnect === false) {
        close()
        handlers.onEnd()
      }
      // reconnect: true (the feed's lifetime, the token): EventSource reconnects by itself
    })
    es.addEventListener("error", (e) => {
      // a message named "error" from the server (FEED_FAILED) carries data; the connection's own error does not
      if ((e as MessageEvent).data !== undefined) return
      if (es.readyState !== EventSource.CLOSED || closed) return
      // refused (an expired ticket, a restart): a new ticket, a few times
      if (reopens++ >= MAX_REOPENS) {
        handlers.onError(new Error("The live status feed keeps failing; reload the page to try again."))
        return
      }
      timer = setTimeout(() => void open(), RETRY_MS)
    })
  }

  const close = () => {
    closed = true
    if (timer !== undefined) clearTimeout(timer)
    source?.close()
  }
  void open()
  return close
}
