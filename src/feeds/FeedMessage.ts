/** One message of a live feed (an upload's, a video's, a live stream's), whatever carries it: an SSE frame (`id:`, `event:`, `data:`) or a WebSocket text frame. */

export interface FeedMessage {
  /** The event's global position: the resume point (Last-Event-ID, `?since=`); ephemeral messages leave it out so a resume never skips a stored event. */
  readonly id?: string | undefined
  /** snapshot, progress, state, processing (uploads) or end. */
  readonly event: string
  readonly data: unknown
}
