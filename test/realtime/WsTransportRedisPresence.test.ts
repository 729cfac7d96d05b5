/**
 * The room protocol suite over `ws` with presence in Redis (REDIS_URL): the shared adapter behaves as the memory
 * one for one node. Its presence tests only: the transport's own run in WsTransport.test.ts.
 */
import { afterAll, describe, it } from "vitest"
import { testRedis } from "../support/redis.ts"
import { roomProtocolSuite } from "./RoomProtocolSuite.ts"

const redis = await testRedis("rooms-redis-presence")

if (redis === undefined) {
  describe("rooms over ws with Redis presence", () => {
    it.skip("skipped: no Redis could be reached or started", () => {})
  })
} else {
  afterAll(redis.cleanup)
  roomProtocolSuite("rooms over ws (Node 24) with Redis presence", [process.execPath, "src/runtime/node.ts"], "ws 8", {
    env: { REDIS_URL: redis.url, READ_STORE_KEY_PREFIX: redis.keyPrefix },
    presenceOnly: true
  })
}
