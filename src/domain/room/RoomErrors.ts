/** Why the room aggregate rejects a command. */
import { Schema } from "effect"
import { formatInstant } from "../shared/FormatInstant.ts"
import type { AlreadyExists, Forbidden, NotFound, UnknownCommand, WrongAggregate } from "../shared/DomainError.ts"

export class RoomFull extends Schema.TaggedError<RoomFull>()("RoomFull", { capacity: Schema.Number }) {
  readonly code = "ROOM_FULL" as const
  override get message(): string {
    return `The room is full (${this.capacity} participants).`
  }
}

export class NotAMember extends Schema.TaggedError<NotAMember>()("NotAMember", { userId: Schema.String }) {
  readonly code = "NOT_A_MEMBER" as const
  override get message(): string {
    return `${this.userId} is not a member of this room; join it first.`
  }
}

export class NotHost extends Schema.TaggedError<NotHost>()("NotHost", { action: Schema.String, allowed: Schema.String }) {
  readonly code = "NOT_HOST" as const
  override get message(): string {
    return `Only ${this.allowed} may ${this.action}.`
  }
}

export class ClosedRoom extends Schema.TaggedError<ClosedRoom>()("ClosedRoom", { roomId: Schema.String }) {
  readonly code = "ROOM_CLOSED" as const
  override get message(): string {
    return `Room "${this.roomId}" is closed.`
  }
}

export class ChatTextInvalid extends Schema.TaggedError<ChatTextInvalid>()("ChatTextInvalid", { reason: Schema.String }) {
  readonly code = "CHAT_TEXT_INVALID" as const
  override get message(): string {
    return `Chat message rejected: ${this.reason}.`
  }
}

export class RoomActive extends Schema.TaggedError<RoomActive>()("RoomActive", { closesAt: Schema.Number }) {
  readonly code = "ROOM_ACTIVE" as const
  override get message(): string {
    return `The room had activity recently; without more it may be closed at ${formatInstant(this.closesAt)}.`
  }
}

export class GraceNotElapsed extends Schema.TaggedError<GraceNotElapsed>()("GraceNotElapsed", {
  userId: Schema.String,
  leavesAt: Schema.Number
}) {
  readonly code = "GRACE_NOT_ELAPSED" as const
  override get message(): string {
    return `${this.userId} may still reconnect; mark them left at ${formatInstant(this.leavesAt)} or later.`
  }
}

export type RoomError =
  | RoomFull
  | NotAMember
  | NotHost
  | ClosedRoom
  | ChatTextInvalid
  | RoomActive
  | GraceNotElapsed
  | Forbidden
  | NotFound
  | AlreadyExists
  | WrongAggregate
  | UnknownCommand
