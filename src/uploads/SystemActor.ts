/** Who acts for the steps nobody asked for (releases, expiry, processing), and how its commands are sent. */
import { Effect, Schedule } from "effect"
import type { ActorSystemShape } from "../actors/ActorSystem.ts"
import type { Principal, Aggregate } from "../domain/shared/Decider.ts"

export const SYSTEM_ACTOR: Principal = { userId: "system", roles: ["system"] }

/** Failures of the runtime or the store, not of the command: worth sending the same command again. */
const TRANSIENT = new Set(["ActorBusy", "ConcurrencyConflict", "EventStoreUnavailable"])

export const isTransient = (e: unknown): boolean =>
  typeof e === "object" && e !== null && "_tag" in e && TRANSIENT.has(String(e._tag))

/**
 * Sends `command` to the aggregate `id` as the system, retrying over passing infrastructure trouble. The
 * command id makes a repeat (a retry here, a replayed subscription, another worker reacting to the same
 * event) answer with the first result.
 */
export const systemSender = (actors: ActorSystemShape) =>
<State, Command, Event, DomainError, Settings>(
  aggregate: Aggregate<State, Command, Event, DomainError, Settings>,
  id: string,
  command: Command,
  commandId: string
) =>
  actors.send(aggregate, id, { command, actor: SYSTEM_ACTOR, commandId }).pipe(
    Effect.retry({ while: isTransient, schedule: Schedule.exponential("200 millis"), times: 6 })
  )
