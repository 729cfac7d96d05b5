/**
 * The room protocol (DESIGN.md §7): JSON text frames, as Effect Schemas. The same schemas decode what
 * clients send, type what the server sends, and make the JSON Schema served at GET /rooms/protocol.json.
 */
import { Result, Schema } from "effect"
import { PlaybackAction } from "../domain/room/RoomCommands.ts"
import { NonNegativeInt } from "../domain/shared/Primitives.ts"

/** A client's message id: echoed in the ack or error, and (chat) part of the message's id, so a resend is applied once. */
export const ClientMessageId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9._:@-]{1,40}$/)).annotate({
  description: "1–40 of A-Z a-z 0-9 . _ : @ -; unique per client (a resent chat with the same id is posted once)"
})

const withId = <T extends string>(type: T) => ({ type: Schema.Literal(type), id: ClientMessageId })

export const JoinMessage = Schema.Struct(withId("join")).annotate({ identifier: "JoinMessage", description: "become a member (ROOM_FULL: stay, read-only)" })
export const LeaveMessage = Schema.Struct(withId("leave")).annotate({ identifier: "LeaveMessage" })
export const ChatMessage = Schema.Struct({ ...withId("chat"), text: Schema.String.check(Schema.isMaxLength(100_000)) })
  .annotate({ identifier: "ChatMessage", description: "trimmed text of 1–2,000 characters" })
export const PlaybackMessage = Schema.Struct({ ...withId("playback"), action: PlaybackAction, positionMs: NonNegativeInt })
  .annotate({ identifier: "PlaybackMessage", description: "the host, or a member the host allowed" })
/** Ephemeral: never stored; shown to the room in presence, and ends a playback wait once every connected user is ready. */
export const ReadyMessage = Schema.Struct({ ...withId("ready"), positionMs: Schema.optional(NonNegativeInt) }).annotate({ identifier: "ReadyMessage" })
export const BufferingMessage = Schema.Struct({ ...withId("buffering"), positionMs: Schema.optional(NonNegativeInt) })
  .annotate({ identifier: "BufferingMessage" })
export const PingMessage = Schema.Struct({
  ...withId("ping"),
  clientTime: Schema.optional(Schema.Finite),
  rttMs: Schema.optional(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 60_000 })).annotate({
    description: "the client's round trip, ms (the lowest-delay of its last 8 ping/pong samples): sets how far ahead playback commands take effect"
  }))
}).annotate({ identifier: "PingMessage", description: "answered with pong carrying the server time; never stored" })

export const ClientMessage = Schema.Union([JoinMessage, LeaveMessage, ChatMessage, PlaybackMessage, ReadyMessage, BufferingMessage, PingMessage])
  .annotate({ identifier: "ClientMessage" })
export type ClientMessage = typeof ClientMessage.Type

export const RoomSnapshot = Schema.Struct({
  id: Schema.String,
  status: Schema.Literals(["open", "closed"]),
  hostId: Schema.String,
  title: Schema.NullOr(Schema.String),
  videoId: Schema.NullOr(Schema.String),
  sponsored: Schema.Boolean,
  capacity: Schema.Int.annotate({ description: "-1 = unlimited" }),
  members: Schema.Array(Schema.Struct({ userId: Schema.String, joinedAt: Schema.Finite })),
  controllers: Schema.Array(Schema.String),
  playback: Schema.Struct({
    status: Schema.Literals(["idle", "waiting", "paused", "playing"]),
    playing: Schema.Boolean.annotate({ description: "meant to play: playing, or waiting to start once members are ready" }),
    positionMs: Schema.Finite,
    updatedAt: Schema.Finite.annotate({ description: "server time the position refers to; while playing it advances 1:1 from it" }),
    waitingSince: Schema.NullOr(Schema.Finite)
  }),
  lastActivityAt: Schema.Finite
}).annotate({ identifier: "RoomSnapshot" })
export type RoomSnapshot = typeof RoomSnapshot.Type

export const WelcomeFrame = Schema.Struct({
  type: Schema.Literal("welcome"),
  room: RoomSnapshot,
  revision: Schema.Int.annotate({ description: "the room's revision the snapshot is at; events follow from revision + 1" }),
  serverTime: Schema.Finite,
  userId: Schema.String,
  resumed: Schema.Literals(["fresh", "replay", "snapshot"]).annotate({
    description: "fresh: no since; replay: the events after since follow; snapshot: the gap was over ROOM_REPLAY_MAX_EVENTS, so this snapshot replaces them"
  })
}).annotate({ identifier: "WelcomeFrame" })

export const EventFrame = Schema.Struct({
  type: Schema.Literal("event"),
  revision: Schema.Int,
  position: Schema.Int,
  event: Schema.String.annotate({ description: "the Room event type, e.g. ChatPosted" }),
  data: Schema.Unknown,
  serverTime: Schema.Finite.annotate({ description: "the event's `at`: when the server decided it" })
}).annotate({ identifier: "EventFrame" })

export const AckFrame = Schema.Struct({ type: Schema.Literal("ack"), id: Schema.String, revision: Schema.Int })
  .annotate({ identifier: "AckFrame", description: "the command was applied (or changed nothing); revision is the room's after it" })

export const ErrorFrame = Schema.Struct({
  type: Schema.Literal("error"),
  id: Schema.optional(Schema.String),
  code: Schema.String,
  message: Schema.String,
  recoverable: Schema.Boolean.annotate({ description: "true: the connection stays usable" })
}).annotate({ identifier: "ErrorFrame" })

export const PresenceFrame = Schema.Struct({
  type: Schema.Literal("presence"),
  connected: Schema.Array(Schema.Struct({
    userId: Schema.String,
    connections: Schema.Int,
    state: Schema.Literals(["ready", "buffering", "unknown"])
  }))
}).annotate({ identifier: "PresenceFrame", description: "who is connected now (ephemeral; members are in welcome and events)" })

export const PongFrame = Schema.Struct({
  type: Schema.Literal("pong"),
  id: Schema.String,
  clientTime: Schema.optional(Schema.Finite),
  serverTime: Schema.Finite
}).annotate({ identifier: "PongFrame" })

export const ServerFrame = Schema.Union([WelcomeFrame, EventFrame, AckFrame, ErrorFrame, PresenceFrame, PongFrame]).annotate({ identifier: "ServerFrame" })
export type ServerFrame = typeof ServerFrame.Type

const decodeClient = Schema.decodeUnknownResult(Schema.fromJsonString(ClientMessage))

/** What a text frame says: a message, or an error frame to answer (recoverable: garbage never closes the socket by itself). */
export const decodeClientFrame = (text: string): ClientMessage | Extract<ServerFrame, { type: "error" }> => {
  const result = decodeClient(text)
  if (Result.isSuccess(result)) return result.success
  let id: string | undefined
  try {
    const raw = JSON.parse(text) as unknown
    if (typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string") {
      id = ((raw as { id: string }).id).slice(0, 40)
    }
  } catch {
    return { type: "error", code: "INVALID_JSON", message: "the frame is not JSON", recoverable: true }
  }
  return { type: "error", ...(id === undefined ? {} : { id }), code: "INVALID_MESSAGE", message: result.failure.message.slice(0, 500), recoverable: true }
}

/** The protocol as one JSON Schema document: what clients send and what the server sends. */
export const roomProtocolJsonSchema = () => {
  const client = Schema.toJsonSchemaDocument(ClientMessage)
  const server = Schema.toJsonSchemaDocument(ServerFrame)
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Keyframe room protocol (ws://host:WS_PORT/rooms/:id, JSON text frames)",
    type: "object",
    properties: { client: client.schema, server: server.schema },
    $defs: { ...client.definitions, ...server.definitions }
  }
}
