/** Commands the workers send as the system, with a deterministic command id and retries over passing infrastructure trouble. */
import { Effect, Schedule } from "effect"
import { ActorSystem, type ActorSystemShape } from "../actors/ActorSystem.ts"
import type { Actor, Aggregate } from "../domain/shared/Decider.ts"

export const SYSTEM_ACTOR: Actor = { userId: "system", roles: ["system"] }

/** Failures of the runtime or the store, not of the command: worth sending the same command again. */
const TRANSIENT = new Set(["ActorBusy", "ConcurrencyConflict", "EventStoreUnavailable"])

export const isTransient = (e: unknown): boolean =>
  typeof e === "object" && e !== null && "_tag" in e && TRANSIENT.has(String(e._tag))

/**
 * Sends `command` to the aggregate `id` as the system. The command id makes a repeat (a retry here, a
 * replayed subscription, another worker reacting to the same event) answer with the first result.
 */
export const sendAsSystem = <State, Command, Event, DomainError, Settings>(
  aggregate: Aggregate<State, Command, Event, DomainError, Settings>,
  id: string,
  command: Command,
  commandId: string
) => ActorSystem.use((actors) => sendWith(actors)(aggregate, id, command, commandId))

/** `sendAsSystem` on a given actor system (for effects that must not require the service). */
export const sendWith = (actors: ActorSystemShape) =>
<State, Command, Event, DomainError, Settings>(
  aggregate: Aggregate<State, Command, Event, DomainError, Settings>,
  id: string,
  command: Command,
  commandId: string
) =>
  actors.send(aggregate, id, { command, actor: SYSTEM_ACTOR, commandId }).pipe(
    Effect.retry({ while: isTransient, schedule: Schedule.exponential("200 millis"), times: 6 })
  )

/** FNV-1a, hex: a short stable tag for long ids inside command ids. */
export const shortHash = (text: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, "0")
}
