/** What every aggregate is: a pure decider plus how its events are named in the store (DESIGN.md §1). */
import type { Result, Schema } from "effect"

/** Who is acting (the principal, not an actor of the ActorSystem): from the bearer token, or the system itself (workers, janitors). */
export interface Principal {
  readonly userId: string
  readonly roles: ReadonlyArray<"user" | "sponsor" | "admin" | "auditor" | "system">
}

/** Everything impure a decision needs, passed in: the clock reading, the actor, the settings. */
export interface DecideContext<Settings> {
  /** Milliseconds since the epoch, read once by the caller. */
  readonly now: number
  readonly actor: Principal
  readonly settings: Settings
}

/** A pure decider. `decide` never throws: a rejection is a `Result` failure with a typed domain error. */
export interface Decider<State, Command, Event, DomainError, Settings> {
  readonly initialState: State
  decide(command: Command, state: State, context: DecideContext<Settings>): Result.Result<ReadonlyArray<Event>, DomainError>
  evolve(state: State, event: Event): State
}

/** An event as it goes to and comes from the store. */
export interface EncodedEvent {
  readonly type: string
  readonly data: unknown
  readonly schemaVersion: number
}

/** Turns domain events into stored ones and back; `decode` upcasts older schema versions. */
export interface EventCodec<Event> {
  encode(event: Event): EncodedEvent
  decode(stored: EncodedEvent): Result.Result<Event, Schema.SchemaError>
}

/** An aggregate as the actor runtime sees it: stream category, decider, codecs. */
export interface Aggregate<State, Command, Event, DomainError, Settings> {
  /** Stream category: events live in `<category>-<id>`. */
  readonly category: string
  readonly decider: Decider<State, Command, Event, DomainError, Settings>
  readonly events: EventCodec<Event>
  /** Validates commands arriving from outside (HTTP, WebSocket). */
  readonly commandSchema: Schema.Codec<Command, unknown>
}
