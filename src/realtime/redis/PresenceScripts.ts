/**
 * The Lua scripts of the Redis presence. Per room a hash `<node>/<userId>` → entry and a sorted set of
 * the nodes with entries there, scored by when their entries expire (Redis TIME, so node clocks do not
 * matter); a node that stops refreshing has its entries dropped by the next read. Each script is one
 * atomic step, so a change notification is only published after the write it announces.
 */

/** KEYS: hash, nodes. ARGV: node, ttlMs, channel, message ("" = none), then userId, entry pairs. Returns the entries written. */
export const PUT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local node, ttl = ARGV[1], tonumber(ARGV[2])
local prefix = node .. '/'
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, #prefix) == prefix then redis.call('HDEL', KEYS[1], f) end
end
local n = 0
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[1], prefix .. ARGV[i], ARGV[i + 1])
  n = n + 1
end
if n > 0 then
  redis.call('ZADD', KEYS[2], now + ttl, node)
  for _, k in ipairs(KEYS) do
    if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
  end
else
  redis.call('ZREM', KEYS[2], node)
end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return n
`

/**
 * KEYS: hash, nodes. ARGV: channel, message announcing a prune. Drops the entries of nodes past their
 * expiry, then returns { live field/entry pairs, user ids whose expired entries were dropped }.
 */
export const READ = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local live = {}
for _, n in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do live[n] = true end
local all = redis.call('HGETALL', KEYS[1])
local out, gone = {}, {}
for i = 1, #all, 2 do
  local f = all[i]
  local node = string.match(f, '^([^/]*)/') or ''
  if live[node] then
    table.insert(out, f)
    table.insert(out, all[i + 1])
  else
    redis.call('HDEL', KEYS[1], f)
    table.insert(gone, string.sub(f, #node + 2))
  end
end
if #gone > 0 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return { out, gone }
`
