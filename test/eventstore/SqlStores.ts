/** Helpers for the SQL adapter tests: open real stores (PGlite, PostgreSQL in a fresh schema) and run effects. */
import { Effect, type Layer, ManagedRuntime } from "effect"
import { PgliteEventStore } from "../../src/eventstore/embedded/PgliteEventStore.ts"
import { EventStore, type EventStoreShape } from "../../src/eventstore/EventStore.ts"
import type { NewEvent, RecordedEvent } from "../../src/eventstore/EventStoreTypes.ts"
import { PostgresEventStore, type PostgresEventStoreOptions } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { makeChainVerifier } from "../../src/eventstore/HashChain.ts"
import { freshPostgresSchema } from "../support/postgres.ts"

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** The typed failure of an effect that must fail (rejects when it succeeds or dies). */
export const failureOf = <A, E>(effect: Effect.Effect<A, E>): Promise<E> => Effect.runPromise(Effect.flip(effect))

/**
 * What is wrong with a subscription's delivery compared with what was committed (both in
 * any order; `committed` is the truth, e.g. a final readAll): duplicates, positions not
 * strictly increasing, events never delivered. Empty when delivery was exact.
 */
export const deliveryProblems = (
  delivered: ReadonlyArray<RecordedEvent>,
  committed: ReadonlyArray<RecordedEvent>
): Array<string> => {
  const problems: Array<string> = []
  const seen = new Set<string>()
  delivered.forEach((e, i) => {
    if (seen.has(e.id)) problems.push(`duplicate ${e.id} at position ${e.position}`)
    seen.add(e.id)
    const previous = delivered[i - 1]
    if (previous !== undefined && e.position <= previous.position) {
      problems.push(`position ${e.position} delivered after ${previous.position}`)
    }
  })
  for (const e of committed) if (!seen.has(e.id)) problems.push(`missing position ${e.position} (${e.stream}@${e.revision})`)
  return problems
}

export interface OpenStore {
  readonly store: EventStoreShape
  readonly close: () => Promise<void>
}

export const openStore = async (layer: Layer.Layer<EventStore, unknown>): Promise<OpenStore> => {
  const runtime = ManagedRuntime.make(layer)
  const store = await runtime.runPromise(EventStore.useSync((s) => s))
  return { store, close: () => runtime.dispose() }
}

/** A PostgreSQL schema of its own for one suite; open as many stores on it as you like ("processes"). */
export const postgresSuite = async () => {
  const pg = await freshPostgresSchema()
  const opened: Array<OpenStore> = []
  return {
    url: pg.url,
    schema: pg.schema,
    open: async (options: Partial<PostgresEventStoreOptions> = {}) => {
      const s = await openStore(PostgresEventStore.layer({ url: pg.url, schema: pg.schema, poolSize: 3, ...options }))
      opened.push(s)
      return s
    },
    close: async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()))
      await pg.drop()
    }
  }
}

export const openPglite = (dataDir?: string) => openStore(PgliteEventStore.layer({ dataDir }))

let counter = 0
/** A stream name unique to this process and call. */
export const uniqueStream = (category = "test") => `${category}-${process.pid}x${Date.now().toString(36)}x${++counter}`

export const events = (type: string, n: number, from = 0): Array<NewEvent> =>
  Array.from({ length: n }, (_, i) => ({ type, data: { n: from + i } }))

/** Checks the hash chain of everything given, in position order; returns the verifier's report. */
export const verifyChains = (all: ReadonlyArray<RecordedEvent>) =>
  run(Effect.gen(function*() {
    const verifier = makeChainVerifier()
    for (const e of [...all].sort((a, b) => a.position - b.position)) yield* verifier.check(e)
    return verifier.report()
  }))
