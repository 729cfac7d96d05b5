/** The room aggregate as the actor runtime uses it: stream category `room`. */
import type { Aggregate } from "../shared/Decider.ts"
import type { DomainSettings } from "../shared/DomainSettings.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { RoomCommand } from "./RoomCommands.ts"
import { RoomDecider } from "./RoomDecider.ts"
import type { RoomError } from "./RoomErrors.ts"
import { RoomEvent } from "./RoomEvents.ts"
import type { RoomState } from "./RoomState.ts"

export const RoomEventCodec = makeEventCodec(RoomEvent)

export const RoomAggregate: Aggregate<RoomState, RoomCommand, RoomEvent, RoomError, DomainSettings> = {
  category: "room",
  decider: RoomDecider,
  events: RoomEventCodec,
  commandSchema: RoomCommand
}
