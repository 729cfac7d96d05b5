/** The object store contract on the S3 adapter, against s3rver started on a free port; plus an unreachable server. */
import { Effect, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import { ObjectStore } from "../../src/objectstore/ObjectStore.ts"
import { S3ObjectStore } from "../../src/objectstore/s3/S3ObjectStore.ts"
import { startS3, type S3TestServer } from "../support/s3.ts"
import { describeObjectStoreContract } from "./ObjectStoreContract.ts"

let server: S3TestServer | undefined
describeObjectStoreContract("s3 (s3rver)", {
  layer: async () => {
    server = await startS3()
    return S3ObjectStore.layer(server.options)
  },
  listsInKeyOrder: false,
  presigns: true,
  cleanup: async () => server?.stop()
})

describe("object store: s3 unreachable", () => {
  it("fails fast with ObjectStoreUnavailable when the server is down", async () => {
    const stopped = await startS3()
    await stopped.stop()
    const runtime = ManagedRuntime.make(S3ObjectStore.layer(stopped.options))
    try {
      const started = Date.now()
      for (const call of [
        ObjectStore.use((s) => s.head("media/x")),
        ObjectStore.use((s) => s.put("media/x", new Uint8Array(10))),
        ObjectStore.use((s) => s.ping)
      ]) {
        const error = await runtime.runPromise(Effect.flip(call as Effect.Effect<unknown, { readonly _tag: string; readonly message: string }, ObjectStore>))
        expect(error._tag).toBe("ObjectStoreUnavailable")
        expect(error.message).toMatch(/connection refused/)
      }
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      await runtime.dispose()
    }
  })
})
