/** Every event from a position on as NDJSON (one RecordedEvent per line), read page by page as the client pulls: constant memory. */
import { Effect, Option, Stream } from "effect"
import { EventStore } from "../../eventstore/EventStore.ts"
import type { EventStoreError } from "../../eventstore/EventStoreError.ts"
import type { EventFilter } from "../../eventstore/EventStoreTypes.ts"

export interface ExportOptions {
  /** First position (inclusive). */
  readonly from: number
  readonly filter?: EventFilter | undefined
  /** Events per read (and per chunk written). */
  readonly pageSize?: number | undefined
}

/** One text chunk per page; the next page is read only when the consumer asks for more. */
export const ndjsonExport = (options: ExportOptions): Stream.Stream<string, EventStoreError, EventStore> => {
  const pageSize = options.pageSize ?? 500
  return Stream.paginate(options.from, (from: number) =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const page = yield* store.readAll({ fromPosition: from, maxCount: pageSize, ...(options.filter ? { filter: options.filter } : {}) })
      const text = page.map((e) => JSON.stringify(e)).join("\n")
      const chunk = page.length === 0 ? [] : [`${text}\n`]
      const next = page.length < pageSize ? Option.none<number>() : Option.some(page[page.length - 1]!.position + 1)
      return [chunk, next] as const
    }))
}
