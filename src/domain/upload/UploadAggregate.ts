/** The upload aggregate as the actor runtime uses it: stream category `upload`. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { UploadCommand } from "./UploadCommands.ts"
import { UploadDecider } from "./UploadDecider.ts"
import type { UploadError } from "./UploadErrors.ts"
import { UploadEvent, UploadEventVersions } from "./UploadEvents.ts"
import type { UploadState } from "./UploadState.ts"

export const UploadEventCodec = makeEventCodec(UploadEvent, UploadEventVersions)

export const UploadAggregate: Aggregate<UploadState, UploadCommand, UploadEvent, UploadError, DomainSettings> = {
  category: "upload",
  decider: UploadDecider,
  events: UploadEventCodec,
  commandSchema: UploadCommand
}
