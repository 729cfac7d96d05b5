/** Request and response schemas of the room commands over HTTP (validation and /openapi.json both use them). */
import { Schema } from "effect"
import { RoomTitle } from "../../domain/room/RoomCommands.ts"
import { EntityId, UserId } from "../../domain/shared/Primitives.ts"

export const RoomParams = Schema.Struct({ id: EntityId })

export const RoomMemberParams = Schema.Struct({ id: EntityId, userId: UserId })

export const OpenRoomBody = Schema.Struct({
  title: Schema.optional(RoomTitle),
  videoId: Schema.optional(EntityId.annotate({ description: "the video the room watches" })),
  tier: Schema.optional(Schema.Literals(["standard", "sponsor"])).annotate({
    description: "sponsor: SPONSOR_MAX_PARTICIPANTS (tokens with the sponsor or admin role only); default standard: DEFAULT_MAX_PARTICIPANTS"
  })
}).annotate({ identifier: "OpenRoomBody" })

export const RoomOpenedResult = Schema.Struct({
  id: Schema.String,
  hostId: Schema.String,
  tier: Schema.Literals(["standard", "sponsor"]),
  capacity: Schema.Int.annotate({ description: "most members at once, host included; -1 = unlimited" }),
  websocketPath: Schema.String.annotate({ description: "path of the room's WebSocket on WS_PORT" }),
  revision: Schema.Int,
  position: Schema.Int.annotate({ description: "global position: pass it to a query to read your write" })
}).annotate({ identifier: "RoomOpenedResult" })

export const RoomCommandResult = Schema.Struct({
  id: Schema.String,
  changed: Schema.Boolean.annotate({ description: "false when the room already was so" }),
  revision: Schema.Int,
  position: Schema.Int.annotate({ description: "global position: pass it to a query to read your write" })
}).annotate({ identifier: "RoomCommandResult" })

export const PlaybackControlBody = Schema.Struct({
  allowed: Schema.Boolean.annotate({ description: "true: the member may play, pause and seek for the room" })
}).annotate({ identifier: "PlaybackControlBody" })

export const HostBody = Schema.Struct({
  userId: UserId.annotate({ description: "a present member who becomes the host" })
}).annotate({ identifier: "HostBody" })
