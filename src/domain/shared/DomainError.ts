/** What every domain rejection looks like, and the rejections all aggregates share. */
import { Schema } from "effect"

/** A rejection a client can act on: a stable `_tag`, an UPPER_SNAKE `code`, a readable `message`. */
export interface DomainError {
  readonly _tag: string
  readonly code: string
  readonly message: string
}

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/

export const isDomainError = (u: unknown): u is DomainError =>
  typeof u === "object" && u !== null &&
  typeof (u as DomainError)._tag === "string" &&
  typeof (u as DomainError).code === "string" && CODE.test((u as DomainError).code) &&
  typeof (u as DomainError).message === "string" && (u as DomainError).message.length > 0

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  action: Schema.String,
  allowed: Schema.String
}) {
  readonly code = "FORBIDDEN" as const
  override get message(): string {
    return `Only ${this.allowed} may ${this.action}.`
  }
}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  category: Schema.String,
  id: Schema.String
}) {
  readonly code = "NOT_FOUND" as const
  override get message(): string {
    return `There is no ${this.category} "${this.id}".`
  }
}

export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", {
  category: Schema.String,
  id: Schema.String
}) {
  readonly code = "ALREADY_EXISTS" as const
  override get message(): string {
    return `The ${this.category} "${this.id}" already exists.`
  }
}

/** A command addressed to another aggregate than the one it was routed to. */
export class WrongAggregate extends Schema.TaggedError<WrongAggregate>()("WrongAggregate", {
  category: Schema.String,
  expectedId: Schema.String,
  commandId: Schema.String
}) {
  readonly code = "AGGREGATE_ID_MISMATCH" as const
  override get message(): string {
    return `This command names ${this.category} "${this.commandId}" but was sent to "${this.expectedId}".`
  }
}

/** A command no branch of the decider knows (only reachable when input skipped validation). */
export class UnknownCommand extends Schema.TaggedError<UnknownCommand>()("UnknownCommand", {
  category: Schema.String,
  command: Schema.String
}) {
  readonly code = "UNKNOWN_COMMAND" as const
  override get message(): string {
    return `The ${this.category} aggregate has no command "${this.command}".`
  }
}

/** The `_tag` of a value that the type system says cannot exist, for exhaustive switches. */
export const tagOf = (impossible: never): string => String((impossible as { readonly _tag?: unknown })?._tag)

export class NotOwner extends Schema.TaggedError<NotOwner>()("NotOwner", {
  category: Schema.String,
  id: Schema.String,
  action: Schema.String
}) {
  readonly code = "NOT_OWNER" as const
  override get message(): string {
    return `Only the owner of ${this.category} "${this.id}" may ${this.action}.`
  }
}
