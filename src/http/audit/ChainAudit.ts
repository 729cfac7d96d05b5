/** Hash-chain verification of one stream or the whole store, paging through the event store (memory: one hash per stream). */
import { Effect } from "effect"
import { EventStore } from "../../eventstore/EventStore.ts"
import { type BrokenLink, makeChainVerifier } from "../../eventstore/HashChain.ts"

const PAGE = 1000

export interface ChainAuditReport {
  readonly ok: boolean
  readonly scope: string
  /** Events whose link was checked and held. */
  readonly checked: number
  readonly streams: number
  /** The first broken link, in position order (whole store) or revision order (one stream). */
  readonly broken?: BrokenLink | undefined
  readonly seconds: number
}

/** Verifies every event from the start of the store in position order; stops at the first broken link. */
export const verifyStore = Effect.gen(function*() {
  const store = yield* EventStore
  const verifier = makeChainVerifier()
  const streams = new Set<string>()
  const started = performance.now()
  let from = 1
  outer: for (;;) {
    const page = yield* store.readAll({ fromPosition: from, maxCount: PAGE })
    for (const event of page) {
      streams.add(event.stream)
      if (!(yield* verifier.check(event))) break outer
    }
    if (page.length < PAGE) break
    from = page[page.length - 1]!.position + 1
  }
  return report(verifier.report(), "all", streams.size, started)
})

/** Verifies one stream from its first event. */
export const verifyStream = (stream: string) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const verifier = makeChainVerifier()
    const started = performance.now()
    let from = 0
    let seen = false
    outer: for (;;) {
      const page = yield* store.readStream(stream, { fromRevision: from, maxCount: PAGE })
      for (const event of page) {
        seen = true
        if (!(yield* verifier.check(event))) break outer
      }
      if (page.length < PAGE) break
      from = page[page.length - 1]!.revision + 1
    }
    return { ...report(verifier.report(), stream, seen ? 1 : 0, started), exists: seen }
  })

const report = (r: ReturnType<ReturnType<typeof makeChainVerifier>["report"]>, scope: string, streams: number, started: number): ChainAuditReport => ({
  ok: r.ok,
  scope,
  checked: r.checked,
  streams,
  ...(r.ok ? {} : { broken: r.broken }),
  seconds: Math.round(performance.now() - started) / 1000
})
