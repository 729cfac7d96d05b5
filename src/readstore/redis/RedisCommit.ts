/**
 * A commit on Redis: a batch's writes folded, in order, into their final per-key effect (so one
 * command per key and kind suffices), applied by one Lua script.
 */
import type { PreparedWrite } from "../ReadStoreKeys.ts"

export interface Coalesced {
  /** model → id → JSON, or undefined for a delete. */
  readonly docs: Map<string, Map<string, string | undefined>>
  /** [model, index, value] → id → score, or undefined for a removal. */
  readonly indexes: Map<readonly [string, string, string], Map<string, number | undefined>>
}

export const coalesce = (writes: ReadonlyArray<PreparedWrite>): Coalesced => {
  const docs = new Map<string, Map<string, string | undefined>>()
  const indexKeys = new Map<string, readonly [string, string, string]>()
  const indexes = new Map<readonly [string, string, string], Map<string, number | undefined>>()
  for (const w of writes) {
    if (w._tag === "Put" || w._tag === "Delete") {
      let byId = docs.get(w.model)
      if (!byId) docs.set(w.model, (byId = new Map()))
      // The last write to an id wins, as if the writes were applied one by one.
      byId.set(w.id, w._tag === "Put" ? w.json : undefined)
    } else {
      const name = `${w.model}\u0000${w.index}\u0000${w.value}`
      let key = indexKeys.get(name)
      if (!key) indexKeys.set(name, (key = [w.model, w.index, w.value] as const))
      let byId = indexes.get(key)
      if (!byId) indexes.set(key, (byId = new Map()))
      byId.set(w.id, w._tag === "IndexAdd" ? w.score : undefined)
    }
  }
  return { docs, indexes }
}

/**
 * The commit, atomic on the server. KEYS: the slot's checkpoint, the projection's active pointer,
 * then the data keys. ARGV: the fence ("" for none; else the expected checkpoint, "0" for none
 * stored), the new checkpoint ("" for none), the active slot as JSON ("" to leave it), then
 * commands as (key number, HSET|HDEL|ZADD|ZREM, argument count, arguments…). Returns nil when
 * applied, else the checkpoint found. Key types are checked before anything is written, so data
 * that is not ours fails the whole commit (WRONGTYPE) instead of half of it. Arguments go to
 * redis.call in chunks: Lua's unpack has a stack limit (chunks stay even, for HSET/ZADD pairs).
 */
export const COMMIT_SCRIPT = `
local found = redis.call('GET', KEYS[1]) or '0'
if ARGV[1] ~= '' and found ~= ARGV[1] then return found end
local types = { HSET = 'hash', HDEL = 'hash', ZADD = 'zset', ZREM = 'zset' }
local i = 4
while i <= #ARGV do
  local key = KEYS[tonumber(ARGV[i])]
  local t = redis.call('TYPE', key).ok
  if t ~= 'none' and t ~= types[ARGV[i + 1]] then
    return redis.error_reply('WRONGTYPE ' .. key .. ' holds a ' .. t)
  end
  i = i + 3 + tonumber(ARGV[i + 2])
end
i = 4
while i <= #ARGV do
  local key, command, last = KEYS[tonumber(ARGV[i])], ARGV[i + 1], i + 2 + tonumber(ARGV[i + 2])
  local from = i + 3
  while from <= last do
    local to = math.min(from + 5999, last)
    redis.call(command, key, unpack(ARGV, from, to))
    from = to + 1
  end
  i = last + 1
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2]) end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
return false
`
