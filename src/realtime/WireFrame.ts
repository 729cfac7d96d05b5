/**
 * A server frame serialized once for every socket it goes to: the JSON text, and its UTF-8 bytes made
 * on first use (a room event reaches every member's socket as the same bytes: no stringify or encode per socket).
 */
import type { RecordedEvent } from "../eventstore/EventStoreTypes.ts"
import type { ServerFrame } from "./RoomProtocol.ts"

const encoder = new TextEncoder()

export class WireFrame {
  readonly text: string
  private encoded: Uint8Array | undefined

  constructor(text: string) {
    this.text = text
  }

  static of(frame: ServerFrame): WireFrame {
    return new WireFrame(JSON.stringify(frame))
  }

  /** The UTF-8 bytes; shared by every socket, never to be written to. */
  get bytes(): Uint8Array {
    return (this.encoded ??= encoder.encode(this.text))
  }

  /** Its length on the wire (for backpressure counts). */
  get byteLength(): number {
    return this.bytes.byteLength
  }
}

// the hub hands the same RecordedEvent to every session of the room: one frame per event
const eventFrames = new WeakMap<RecordedEvent, WireFrame>()

/** The `event` frame of a room event, made once per event. */
export const eventFrame = (event: RecordedEvent): WireFrame => {
  let frame = eventFrames.get(event)
  if (frame === undefined) {
    const data = event.data as { at?: unknown }
    frame = WireFrame.of({
      type: "event",
      revision: event.revision,
      position: event.position,
      event: event.type,
      data: event.data,
      serverTime: typeof data?.at === "number" ? data.at : Date.parse(event.recordedAt)
    })
    eventFrames.set(event, frame)
  }
  return frame
}
