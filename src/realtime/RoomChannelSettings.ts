/** The channel's settings from the configuration (ROOM_* in src/config.ts). */
import type { KeyframeSettings } from "../config.ts"
import type { RoomChannelSettings } from "./RoomSession.ts"

export const roomChannelSettings = (config: KeyframeSettings): RoomChannelSettings => ({
  replayMaxEvents: config.realtime.replayMaxEvents,
  maxFrameBytes: config.realtime.maxFrameBytes,
  messagesPerSecond: config.realtime.messagesPerSecond,
  maxBackpressureBytes: config.realtime.maxBackpressureBytes,
  memberGraceSeconds: config.realtime.memberGraceSeconds,
  readyTimeoutMs: config.realtime.readyTimeoutMs
})
