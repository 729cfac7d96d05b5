/** The tus endpoint on the production adapters: PostgreSQL event store and an S3 server (s3rver). */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PostgresEventStore } from "../../../src/eventstore/postgres/PostgresEventStore.ts"
import { S3ObjectStore } from "../../../src/objectstore/s3/S3ObjectStore.ts"
import { freshPostgresSchema, type FreshPostgresSchema } from "../../support/postgres.ts"
import { type S3TestServer, startS3 } from "../../support/s3.ts"
import { createRaw, headRaw, idOf, MiB, patchRaw, randomBytes, sha256, stagedBytes, startTusServer, token, tusUpload, type TusServer } from "./TusServer.ts"

let pg: FreshPostgresSchema
let s3: S3TestServer
let server: TusServer

beforeAll(async () => {
  pg = await freshPostgresSchema("kf_tus")
  s3 = await startS3("keyframe-tus")
  server = await startTusServer({
    eventStore: PostgresEventStore.layer({ url: pg.url, schema: pg.schema }),
    objectStore: S3ObjectStore.layer(s3.options)
  })
})

afterAll(async () => {
  await server?.stop()
  await s3?.stop()
  await pg?.drop()
})

describe("tus on PostgreSQL + S3", () => {
  it("tus-js-client uploads 12 MiB in 5 MiB chunks; the staged objects on S3 are the file", async () => {
    const data = randomBytes(12 * MiB)
    const url = await tusUpload(data, {
      endpoint: server.endpoint,
      chunkSize: 5 * MiB,
      metadata: { filename: "clip.mkv", filetype: "video/x-matroska" },
      headers: { Authorization: `Bearer ${await token("sara")}` }
    })
    const staged = await stagedBytes(server, idOf(url))
    expect(staged.keys).toHaveLength(3)
    expect(staged.sha256).toBe(sha256(data))
    const view = await fetch(`${server.origin}/uploads/${idOf(url)}`, { headers: { Authorization: `Bearer ${await token("sara")}` } })
    expect(await view.json()).toMatchObject({ status: "received", offset: data.length })
  })

  it("a stale offset is 409 and a cancelled upload's objects are deleted from the bucket", async () => {
    const url = await createRaw(server, "tom", 1000)
    expect((await patchRaw(url, "tom", 0, new Uint8Array(400))).status).toBe(204)
    expect((await patchRaw(url, "tom", 0, new Uint8Array(400))).status).toBe(409)
    expect((await stagedBytes(server, idOf(url))).keys).toHaveLength(1)
    const del = await fetch(url, { method: "DELETE", headers: { "Tus-Resumable": "1.0.0", Authorization: `Bearer ${await token("tom")}` } })
    expect(del.status).toBe(204)
    expect((await stagedBytes(server, idOf(url))).keys).toEqual([])
    expect((await headRaw(url, "tom")).status).toBe(410)
  })
})
