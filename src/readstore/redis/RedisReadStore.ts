/**
 * The production read store on Redis (ioredis). Layout, under an optional key prefix:
 *   kf:<projection>:v<version>[.<generation>]:<model>:docs          hash  id → JSON document
 *   kf:<projection>:v<version>[.<generation>]:<model>:idx:<index>:<value>  zset  id by score
 *   kf:<projection>:v<version>[.<generation>]:checkpoint            string position
 *   kf:<projection>:active                                           string JSON slot
 *   kf-lease:<name>                                                  string holder, expiring (PX)
 * A commit is one Lua script (EVALSHA): it checks the fence and the key types, then applies
 * every write, the checkpoint and the activation, so it applies whole or not at all.
 */
import { Effect, Layer, Option } from "effect"
import { Redis, type RedisShape } from "../../redis/Redis.ts"
import { LruMap } from "../../collections/LruMap.ts"
import { deepFreeze } from "../FrozenDocument.ts"
import { makeReadStore, type RawReadStore, ReadStore, type ReadStoreShape } from "../ReadStore.ts"
import { CheckpointMoved, ReadStoreCorrupted, ReadStoreUnavailable } from "../ReadStoreError.ts"
import { checkSlot, type Cursor, encodeCursor, slotSegment } from "../ReadStoreKeys.ts"
import type { ListItem, Slot } from "../ReadStoreTypes.ts"
import { COMMIT_SCRIPT, coalesce } from "./RedisCommit.ts"
import { ACQUIRE_LEASE_SCRIPT, RELEASE_LEASE_SCRIPT, RENEW_LEASE_SCRIPT } from "./RedisLease.ts"

export interface RedisReadStoreOptions {
  /** Prepended to every key (tests and shared servers), e.g. "test-42:". */
  readonly keyPrefix?: string | undefined
}

/** Parsed documents remembered (by key, with the text they came from); ~1–2 KB each. */
const PARSED_CACHE = 5_000

const toError = (what: string) => (cause: unknown) => {
  const message = cause instanceof Error ? cause.message : String(cause)
  return /WRONGTYPE/.test(message)
    ? new ReadStoreCorrupted({ key: what, reason: message })
    : new ReadStoreUnavailable({ reason: `${what}: ${message}`, cause })
}

const call = <A>(what: string, f: () => Promise<A>) => Effect.tryPromise({ try: f, catch: toError(what) })

/** Redis replies to WITHSCORES either flat ([m, s, m, s]) or as pairs; both become entries. */
const entriesOf = (reply: ReadonlyArray<unknown>): Array<{ id: string; score: number }> => {
  const out: Array<{ id: string; score: number }> = []
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply as ReadonlyArray<[string, string | number]>) out.push({ id: String(pair[0]), score: Number(pair[1]) })
  } else {
    for (let i = 0; i + 1 < reply.length; i += 2) out.push({ id: String(reply[i]), score: Number(reply[i + 1]) })
  }
  return out
}

/** Glob-escapes a literal key part for SCAN MATCH. */
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&")

type IoRedis = RedisShape["client"]

/** The client with this adapter's scripts (ioredis sends EVALSHA, and EVAL once if the server lacks the script). */
interface Scripted {
  kfCommit(numberOfKeys: number, ...keysAndArgs: Array<string>): Promise<string | null>
  kfAcquireLease(key: string, holder: string, ttlMillis: number): Promise<number>
  kfRenewLease(key: string, holder: string, ttlMillis: number): Promise<number>
  kfReleaseLease(key: string, holder: string): Promise<number>
}

export const makeRedisReadStore = (redis: IoRedis, keyPrefix: string): ReadStoreShape => {
  redis.defineCommand("kfCommit", { lua: COMMIT_SCRIPT })
  redis.defineCommand("kfAcquireLease", { numberOfKeys: 1, lua: ACQUIRE_LEASE_SCRIPT })
  redis.defineCommand("kfRenewLease", { numberOfKeys: 1, lua: RENEW_LEASE_SCRIPT })
  redis.defineCommand("kfReleaseLease", { numberOfKeys: 1, lua: RELEASE_LEASE_SCRIPT })
  const client = redis as IoRedis & Scripted
  const base = (slot: Slot) => `${keyPrefix}kf:${slotSegment(slot)}:`
  const docsKey = (slot: Slot, model: string) => `${base(slot)}${model}:docs`
  const indexKey = (slot: Slot, model: string, index: string, value: string) => `${base(slot)}${model}:idx:${index}:${value}`
  const checkpointKey = (slot: Slot) => `${base(slot)}checkpoint`
  const activeKey = (projection: string) => `${keyPrefix}kf:${projection}:active`
  const leaseKey = (name: string) => `${keyPrefix}kf-lease:${name}`

  // The documents read last, parsed and frozen: a read that gets the same text back (the common case:
  // documents change far less often than they are read) reuses the value — no parse, no garbage, and
  // the query layer's JSON of a frozen value is made once (ConditionalJson.ts).
  const recent = new LruMap<string, { readonly json: string; readonly value: unknown }>(PARSED_CACHE)
  const parse = (key: string, json: string | null): unknown | ReadStoreCorrupted => {
    if (json === null) return undefined
    const hit = recent.get(key)
    if (hit !== undefined && hit.json === json) return hit.value
    try {
      const value = deepFreeze(JSON.parse(json))
      recent.set(key, { json, value })
      return value
    } catch (e) {
      return new ReadStoreCorrupted({ key, reason: `not JSON: ${String(e)}` })
    }
  }

  // Inputs arrive checked, documents encoded (makeReadStore).
  const getMany: RawReadStore["getMany"] = Effect.fnUntraced(function*(slot, model, ids) {
    if (ids.length === 0) return []
    const key = docsKey(slot, model)
    const raw = yield* call(`HMGET ${key}`, () => client.hmget(key, ...ids))
    const out: Array<unknown> = new Array(raw.length)
    for (let i = 0; i < raw.length; i++) {
      const value = parse(`${key}#${ids[i]}`, raw[i]!)
      if (value instanceof ReadStoreCorrupted) return yield* value
      out[i] = value
    }
    return out
  })

  /** Entries strictly after the cursor, at most `want`; loops only over ties with the cursor's score. */
  const range = Effect.fnUntraced(function*(key: string, order: "asc" | "desc", want: number, cursor: Cursor | undefined) {
    const out: Array<{ id: string; score: number }> = []
    const from = cursor ? String(cursor.score) : order === "asc" ? "-inf" : "+inf"
    const to = order === "asc" ? "+inf" : "-inf"
    let offset = 0
    for (;;) {
      const count = want - out.length + (cursor ? 16 : 0)
      const reply = yield* call(`ZRANGE ${key}`, () =>
        order === "asc"
          ? client.zrangebyscore(key, from, to, "WITHSCORES", "LIMIT", offset, count)
          : client.zrevrangebyscore(key, from, to, "WITHSCORES", "LIMIT", offset, count))
      const entries = entriesOf(reply as ReadonlyArray<unknown>)
      for (const e of entries) {
        const seen = cursor && e.score === cursor.score && (order === "asc" ? e.id <= cursor.id : e.id >= cursor.id)
        if (!seen && out.length < want) out.push(e)
      }
      if (out.length >= want || entries.length < count) return out
      offset += entries.length
    }
  })

  return makeReadStore({
    kind: "redis",
    getMany,
    list: Effect.fnUntraced(function*(slot, model, index, options) {
      const entries = yield* range(indexKey(slot, model, index, options.value), options.order, options.limit + 1, options.cursor)
      const page = entries.slice(0, options.limit)
      const docs = page.length === 0 ? [] : yield* getMany(slot, model, page.map((e) => e.id))
      const items: Array<ListItem> = []
      page.forEach((e, i) => {
        if (docs[i] !== undefined) items.push({ id: e.id, score: e.score, doc: docs[i] })
      })
      const last = page[page.length - 1]
      return entries.length > options.limit && last ? { items, next: encodeCursor(last) } : { items }
    }),
    checkpoint: Effect.fn("RedisReadStore.checkpoint")(function*(slot) {
      const key = checkpointKey(slot)
      const raw = yield* call(`GET ${key}`, () => client.get(key))
      if (raw === null) return Option.none()
      const n = Number(raw)
      if (!Number.isSafeInteger(n)) return yield* new ReadStoreCorrupted({ key, reason: `not a position: ${raw}` })
      return Option.some(n)
    }),
    active: Effect.fn("RedisReadStore.active")(function*(projection) {
      const key = activeKey(projection)
      const parsed = parse(key, yield* call(`GET ${key}`, () => client.get(key)))
      if (parsed instanceof ReadStoreCorrupted) return yield* parsed
      const slot = parsed as Slot | undefined
      if (slot === undefined) return Option.none()
      if (checkSlot(slot)) return yield* new ReadStoreCorrupted({ key, reason: "not a slot" })
      return Option.some(slot)
    }),
    commit: Effect.fn("RedisReadStore.commit")(function*(batch) {
      const { docs, indexes } = coalesce(batch.writes)
      const keys = [checkpointKey(batch.slot), activeKey(batch.slot.projection)]
      const args = [
        batch.after === undefined ? "" : String(batch.after),
        batch.checkpoint === undefined ? "" : String(batch.checkpoint),
        batch.activate ? JSON.stringify(batch.slot) : ""
      ]
      const command = (key: number, name: string, values: ReadonlyArray<string>) => {
        if (values.length > 0) args.push(String(key), name, String(values.length), ...values)
      }
      for (const [model, byId] of docs) {
        keys.push(docsKey(batch.slot, model))
        const puts: Array<string> = []
        const deletes: Array<string> = []
        for (const [id, json] of byId) json === undefined ? deletes.push(id) : puts.push(id, json)
        command(keys.length, "HSET", puts)
        command(keys.length, "HDEL", deletes)
      }
      for (const [[model, index, value], byId] of indexes) {
        keys.push(indexKey(batch.slot, model, index, value))
        const adds: Array<string> = []
        const removes: Array<string> = []
        for (const [id, score] of byId) score === undefined ? removes.push(id) : adds.push(String(score), id)
        command(keys.length, "ZADD", adds)
        command(keys.length, "ZREM", removes)
      }
      const found = yield* call("commit script", () => client.kfCommit(keys.length, ...keys, ...args))
      if (found !== null) return yield* new CheckpointMoved({ slot: batch.slot, expected: batch.after!, actual: Number(found) })
    }),
    acquireLease: Effect.fn("RedisReadStore.acquireLease")(function*(name, holder, ttlMillis) {
      const key = leaseKey(name)
      return (yield* call(`acquire ${key}`, () => client.kfAcquireLease(key, holder, ttlMillis))) === 1
    }),
    renewLease: Effect.fn("RedisReadStore.renewLease")(function*(name, holder, ttlMillis) {
      const key = leaseKey(name)
      return (yield* call(`renew ${key}`, () => client.kfRenewLease(key, holder, ttlMillis))) === 1
    }),
    releaseLease: Effect.fn("RedisReadStore.releaseLease")(function*(name, holder) {
      const key = leaseKey(name)
      yield* call(`release ${key}`, () => client.kfReleaseLease(key, holder))
    }),
    drop: Effect.fn("RedisReadStore.drop")(function*(slot) {
      const pattern = `${globEscape(base(slot))}*`
      let cursor = "0"
      do {
        const [next, keys] = yield* call(`SCAN ${pattern}`, () => client.scan(cursor, "MATCH", pattern, "COUNT", 1000))
        if (keys.length > 0) yield* call("UNLINK", () => client.unlink(...keys))
        cursor = next
      } while (cursor !== "0")
    }),
    ping: call("PING", () => client.ping()).pipe(
      Effect.timeoutOrElse({ duration: "2 seconds", orElse: () => Effect.fail(new ReadStoreUnavailable({ reason: "PING timed out" })) }),
      Effect.mapError((e) => e._tag === "ReadStoreUnavailable" ? e : new ReadStoreUnavailable({ reason: e.message, cause: e })),
      Effect.asVoid
    )
  })
}

export class RedisReadStore {
  /** On the process's Redis connection (src/redis/Redis.ts); commands fail fast (typed) while Redis is away. */
  static layer(options: RedisReadStoreOptions = {}): Layer.Layer<ReadStore, never, Redis> {
    return Layer.effect(ReadStore, Effect.map(Redis, (redis) => makeRedisReadStore(redis.client, options.keyPrefix ?? "")))
  }

  /** With a connection of its own to `url` (tools, tests). */
  static layerFromUrl(options: RedisReadStoreOptions & { readonly url: string }): Layer.Layer<ReadStore> {
    return RedisReadStore.layer(options).pipe(Layer.provide(Redis.layer({ url: options.url })))
  }
}
