/**
 * Leases on Redis: a string key holding the holder id, expiring by PX on the server's clock.
 * Each operation is one Lua script, so "check the holder, then act" cannot interleave with another.
 */

/** Takes a lease (ARGV: holder, ttl ms) that is free, expired or the holder's own (then extended): 1, else 0. */
export const ACQUIRE_LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`

/** Extends a lease (ARGV: holder, ttl ms) only if the holder still holds it: 1, else 0. */
export const RENEW_LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`

/** Deletes a lease (ARGV: holder) only if that holder holds it: 1, else 0. */
export const RELEASE_LEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`
