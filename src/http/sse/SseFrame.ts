/** Server-Sent Events framing (WHATWG HTML §9.2): `id`, `event`, `data` lines, a blank line ends a message. */

import type { FeedMessage } from "../../feeds/FeedMessage.ts"

/** A feed message as SSE carries it: `id` becomes the client's Last-Event-ID. */
export type SseMessage = FeedMessage

/** One message; the JSON of `data` never contains a raw newline, so it is one `data:` line. */
export const sseFrame = (m: SseMessage): string =>
  `${m.id === undefined ? "" : `id: ${m.id}\n`}event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`

/** A comment line: keeps proxies from closing an idle connection. */
export const sseComment = (text: string): string => `: ${text}\n\n`

/** Tells the client how long to wait before reconnecting, ms. */
export const sseRetry = (millis: number): string => `retry: ${millis}\n\n`

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  // nginx and similar proxies buffer responses unless told not to
  "X-Accel-Buffering": "no"
} as const
