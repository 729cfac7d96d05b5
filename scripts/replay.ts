/**
 * The auditor's command line (issue 6): replay history into a fresh read store and diff it
 * against the live read models, verify hash chains, export events, rebuild a read model.
 *
 *   npm run replay -- diff [--projection videos]... [--category upload] [--json]
 *   npm run replay -- verify [--stream upload-abc]
 *   npm run replay -- export [--from 1] [--category upload] [--types A,B] [--out events.ndjson]
 *   npm run replay -- rebuild <projection> --url http://localhost:8080 --token <admin jwt>
 *
 * The stores come from the usual settings: EVENTSTORE_URL (unset = the embedded store under
 * DATA_DIR; stop the server first, PGlite is one process at a time), REDIS_URL and
 * READ_STORE_KEY_PREFIX for the live read models. `--schema` picks the PostgreSQL schema
 * (default keyframe), `--key-prefix` overrides READ_STORE_KEY_PREFIX.
 *
 * `diff`: each live read model (its active slot in Redis) is compared, document by document and
 * index by index, with a replay of the history up to the live checkpoint into a fresh memory
 * store. Without REDIS_URL there is no live read model outside the server's memory: the runner's
 * batched build (a catch-up subscription into a memory store) is compared with the replay instead.
 * Exit status: 0 = equal / chains intact, 1 = differences / a broken link, 2 = usage or store error.
 */
import { createWriteStream } from "node:fs"
import { parseArgs } from "node:util"
import { ConfigProvider, Effect, Layer, Option, Stream } from "effect"
import { allProjections, projectionNamed, projectionsOfCategory } from "../projections/index.ts"
import type { AnyProjection } from "../projections/Projection.ts"
import { replayProjection } from "../projections/ProjectionReplay.ts"
import { type DiffReport, diffReadModels, dumpSlot } from "../projections/ReadModelDiff.ts"
import { startSlotRunner } from "../projections/SlotRunner.ts"
import { loadConfig } from "../src/config.ts"
import { EventStore } from "../src/eventstore/EventStore.ts"
import { verifyStore, verifyStream } from "../src/http/audit/ChainAudit.ts"
import { ndjsonExport } from "../src/http/audit/NdjsonExport.ts"
import { makeMemoryReadStore } from "../src/readstore/memory/MemoryReadStore.ts"
import { ReadStore } from "../src/readstore/ReadStore.ts"
import type { Slot } from "../src/readstore/ReadStoreTypes.ts"
import { eventStoreLayer } from "../src/runtime/EventStoreLayer.ts"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    projection: { type: "string", multiple: true },
    category: { type: "string" },
    stream: { type: "string" },
    from: { type: "string" },
    types: { type: "string" },
    out: { type: "string" },
    url: { type: "string" },
    token: { type: "string" },
    schema: { type: "string" },
    "key-prefix": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" }
  }
})

const usage = () => {
  console.error("usage: replay.ts diff|verify|export|rebuild [options]  (see the header of scripts/replay.ts)")
  process.exit(2)
}
const command = positionals[0]
if (values.help || command === undefined) usage()

const fail = (message: string): never => {
  console.error(`replay: ${message}`)
  process.exit(2)
}

const config = await Effect.runPromise(loadConfig(ConfigProvider.fromEnv())).catch((e) => fail(String(e.message ?? e)))

const eventStore = (): Layer.Layer<EventStore, unknown> => {
  if (config.eventStore.kind === "postgres" && values.schema !== undefined) {
    const url = config.eventStore.url
    return Layer.unwrap(Effect.promise(() => import("../src/eventstore/postgres/PostgresEventStore.ts")).pipe(
      Effect.map((m) => m.PostgresEventStore.layer({ url, schema: values.schema }))
    ))
  }
  return eventStoreLayer(config.eventStore)
}

const liveReadStore = (): Layer.Layer<ReadStore> | undefined => {
  const url = config.readStore.redisUrl
  if (url === undefined) return undefined
  const keyPrefix = values["key-prefix"] ?? config.readStore.keyPrefix
  return Layer.unwrap(Effect.promise(() => import("../src/readstore/redis/RedisReadStore.ts")).pipe(
    Effect.map((m) => m.RedisReadStore.layerFromUrl({ url, keyPrefix }))
  ))
}

const selected = (): ReadonlyArray<AnyProjection> => {
  if (values.projection !== undefined) {
    return values.projection.map((name) => projectionNamed(name) ?? fail(`no projection "${name}" (known: ${allProjections.map((p) => p.name).join(", ")})`))
  }
  if (values.category !== undefined) {
    const found = projectionsOfCategory(values.category)
    return found.length > 0 ? found : fail(`no projection reads the category "${values.category}"`)
  }
  return allProjections
}

const summary = (r: DiffReport) =>
  r.models.map((m) =>
    `  ${r.projection}/${m.model}: live ${m.live}, replay ${m.replay}` +
    (m.skipped > 0 ? `, ${m.skipped} changed meanwhile (skipped)` : "") +
    (m.onlyLive.length ? `, only live: ${m.onlyLive.join(" ")}` : "") +
    (m.onlyReplay.length ? `, only replay: ${m.onlyReplay.join(" ")}` : "") +
    (m.different.length ? `, different: ${m.different.map((d) => d.id).join(" ")}` : "") +
    (m.indexMismatches.length ? `, index mismatches: ${m.indexMismatches.map((i) => `${i.index}/${i.value}`).join(" ")}` : "")
  ).join("\n")

/** One projection: the live slot (or a runner-built one) against a fresh replay up to the same position. */
const diffOne = (projection: AnyProjection, live: Option.Option<ReadStore["Service"]>) =>
  Effect.gen(function*() {
    const fresh = makeMemoryReadStore()
    const freshSlot: Slot = { projection: projection.name, version: projection.version, generation: 0 }
    if (Option.isSome(live)) {
      const store = live.value
      const slot = Option.getOrUndefined(yield* store.active(projection.name))
      if (slot === undefined) return { projection: projection.name, equal: false, models: [], note: "no live read model (never started against this Redis)" }
      if (slot.version !== projection.version) {
        return { projection: projection.name, equal: false, models: [], note: `live version ${slot.version}, this code has ${projection.version}` }
      }
      for (let attempt = 1; ; attempt++) {
        const checkpoint = Option.getOrElse(yield* store.checkpoint(slot), () => 0)
        yield* replayProjection(projection, fresh, freshSlot, { upTo: checkpoint })
        const docs = yield* dumpSlot(store, projection, slot)
        const moved = Option.getOrElse(yield* store.checkpoint(slot), () => 0) !== checkpoint
        if (!moved || attempt >= 3) {
          const report = yield* diffReadModels(projection, { store, slot, docs }, yield* dumpSlot(fresh, projection, freshSlot), {
            checkIndexes: true,
            ...(moved ? { ignoreChangedAfter: checkpoint } : {})
          })
          return { ...report, checkpoint, live: `redis ${JSON.stringify(slot)}` }
        }
        yield* fresh.drop(freshSlot)
      }
    }
    // No live store outside the server: the runner's path (subscription, batches, cache) against the plain replay.
    const built = makeMemoryReadStore()
    const upTo = yield* (yield* EventStore).headPosition
    yield* Effect.scoped(Effect.gen(function*() {
      const runner = yield* startSlotRunner(projection, freshSlot, { batchSize: 500 }).pipe(Effect.provideService(ReadStore, built))
      yield* runner.waitFor(upTo, "10 minutes")
      yield* runner.stop
    }))
    yield* replayProjection(projection, fresh, freshSlot, { upTo })
    const report = yield* diffReadModels(projection, { store: built, slot: freshSlot, docs: yield* dumpSlot(built, projection, freshSlot) }, yield* dumpSlot(fresh, projection, freshSlot), {
      checkIndexes: true,
      ignoreChangedAfter: upTo
    })
    return { ...report, checkpoint: upTo, live: "none (no REDIS_URL): the runner's batched build was compared" }
  })

const diff = Effect.gen(function*() {
  const liveLayer = liveReadStore()
  const run = Effect.gen(function*() {
    const live = yield* Effect.serviceOption(ReadStore)
    const reports = []
    for (const projection of selected()) reports.push(yield* diffOne(projection, live))
    return reports
  })
  const reports = yield* (liveLayer ? Effect.provide(run, liveLayer) : run)
  const equal = reports.every((r) => r.equal)
  if (values.json) console.log(JSON.stringify({ equal, reports }))
  else {
    for (const r of reports) {
      console.log(`${r.equal ? "EQUAL    " : "DIFFERENT"} ${r.projection} (up to position ${"checkpoint" in r ? r.checkpoint : "?"}; live: ${"live" in r ? r.live : "?"})${"note" in r ? ` ${r.note}` : ""}`)
      if ("models" in r && r.models.length > 0) console.log(summary(r as DiffReport))
    }
  }
  return equal ? 0 : 1
})

const verify = Effect.gen(function*() {
  const report = values.stream !== undefined ? yield* verifyStream(values.stream) : yield* verifyStore
  console.log(JSON.stringify(report))
  return report.ok ? 0 : 1
})

const exportEvents = Effect.gen(function*() {
  const from = Number(values.from ?? 1)
  if (!Number.isSafeInteger(from) || from < 0) return fail("--from: expected a position")
  const filter = values.category !== undefined || values.types !== undefined
    ? { ...(values.category ? { streamPrefixes: [`${values.category}-`] } : {}), ...(values.types ? { eventTypes: values.types.split(",") } : {}) }
    : undefined
  const out = values.out !== undefined ? createWriteStream(values.out) : process.stdout
  let lines = 0
  yield* ndjsonExport({ from: Math.max(1, from), filter }).pipe(
    Stream.runForEach((chunk) =>
      Effect.promise(() =>
        new Promise<void>((resolve, reject) => {
          lines += chunk.split("\n").length - 1
          out.write(chunk, (e) => (e ? reject(e) : resolve()))
        })
      ))
  )
  if (values.out !== undefined) {
    yield* Effect.promise(() => new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve)))
    console.error(`exported ${lines} events to ${values.out}`)
  }
  return 0
})

/** Through a running server's admin endpoint: its runner builds beside the live version and swaps. */
const rebuild = async (): Promise<number> => {
  const name = positionals[1] ?? fail("rebuild: which projection?")
  const url = values.url ?? `http://localhost:${config.server.port}`
  if (values.token === undefined) fail("rebuild: --token <admin jwt> is required")
  const headers = { Authorization: `Bearer ${values.token}` }
  const started = await fetch(`${url}/admin/projections/${name}/rebuild`, { method: "POST", headers })
  if (started.status !== 202) {
    console.error(`rebuild refused: ${started.status} ${await started.text()}`)
    return 1
  }
  for (;;) {
    await new Promise((r) => setTimeout(r, 500))
    const res = await fetch(`${url}/admin/projections`, { headers })
    const body = (await res.json()) as { projections: Array<{ projection: string; rebuild?: { state: string; fraction: number; eventsApplied: number; error?: string } }> }
    const p = body.projections.find((x) => x.projection === name)?.rebuild
    if (p === undefined) continue
    console.error(`${name}: ${p.state} ${(p.fraction * 100).toFixed(1)}% (${p.eventsApplied} events)`)
    if (p.state === "done") return 0
    if (p.state === "failed") {
      console.error(`rebuild failed: ${p.error ?? "unknown"}`)
      return 1
    }
  }
}

const withStore = <A>(program: Effect.Effect<A, unknown, EventStore>) =>
  Effect.runPromise(Effect.provide(program, eventStore()) as Effect.Effect<A, unknown>)

let code: number
try {
  switch (command) {
    case "diff":
      code = await withStore(diff)
      break
    case "verify":
      code = await withStore(verify)
      break
    case "export":
      code = await withStore(exportEvents)
      break
    case "rebuild":
      code = await rebuild()
      break
    default:
      usage()
      code = 2
  }
} catch (e) {
  console.error(`replay ${command}: ${e instanceof Error ? e.message : String(e)}`)
  code = 2
}
if (values.out === undefined && command === "export") await new Promise<void>((r) => process.stdout.write("", () => r()))
process.exit(code)
