/** One message of an upload's live feed, whatever carries it: an SSE frame (`id:`, `event:`, `data:`) or a WebSocket text frame. */

export interface FeedMessage {
  /** The event's global position: the resume point (Last-Event-ID, `?since=`); ephemeral messages leave it out so a resume never skips a stored event. */
  readonly id?: string | undefined
  /** snapshot, progress, state, processing or end. */
  readonly event: string
  readonly data: unknown
}
