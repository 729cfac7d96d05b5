/** The video aggregate as the actor runtime uses it: stream category `video`. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { VideoCommand } from "./VideoCommands.ts"
import { VideoDecider } from "./VideoDecider.ts"
import type { VideoError } from "./VideoErrors.ts"
import { VideoEvent } from "./VideoEvents.ts"
import type { VideoState } from "./VideoState.ts"

export const VideoEventCodec = makeEventCodec(VideoEvent)

export const VideoAggregate: Aggregate<VideoState, VideoCommand, VideoEvent, VideoError, DomainSettings> = {
  category: "video",
  decider: VideoDecider,
  events: VideoEventCodec,
  commandSchema: VideoCommand
}
