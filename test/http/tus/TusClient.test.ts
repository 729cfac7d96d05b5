/** tus-js-client (the real client) against the app on @hono/node-server, embedded event store + fs object store. */
import { type DetailedError, type PreviousUpload, Upload, type UrlStorage } from "tus-js-client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ActorSystem } from "../../../src/actors/ActorSystem.ts"
import { QuotaAggregate } from "../../../src/domain/quota/QuotaAggregate.ts"
import {
  headRaw,
  idOf,
  MiB,
  randomBytes,
  setQuotaLimit,
  sha256,
  stagedBytes,
  startTusServer,
  token,
  tusUpload,
  type TusServer
} from "./TusServer.ts"

let server: TusServer
beforeAll(async () => {
  server = await startTusServer()
})
afterAll(() => server?.stop())

const clientOptions = async (user: string, filename = "clip.mp4") => ({
  endpoint: server.endpoint,
  chunkSize: 5 * MiB,
  metadata: { filename, filetype: "video/mp4" },
  headers: { Authorization: `Bearer ${await token(user)}` }
})

/** tus-js-client's URL storage, in memory (what the browser keeps in localStorage). */
const memoryUrlStorage = (): UrlStorage => {
  const items = new Map<string, PreviousUpload & { urlStorageKey: string }>()
  return {
    findAllUploads: async () => [...items.values()],
    findUploadsByFingerprint: async (fp) => [...items.entries()].filter(([k]) => k.startsWith(`tus::${fp}::`)).map(([, v]) => v),
    removeUpload: async (key) => void items.delete(key),
    addUpload: async (fp, upload) => {
      const key = `tus::${fp}::${items.size}`
      items.set(key, { ...upload, urlStorageKey: key })
      return key
    }
  }
}

const statusOf = async (url: string, user: string) =>
  (await fetch(`${server.origin}/uploads/${idOf(url)}`, { headers: { Authorization: `Bearer ${await token(user)}` } })).json()

describe("tus-js-client", () => {
  it("uploads 50 MiB in 5 MiB chunks: the staged bytes are the file, the upload is received", async () => {
    const data = randomBytes(50 * MiB)
    const url = await tusUpload(data, await clientOptions("alice"))
    const staged = await stagedBytes(server, idOf(url))
    expect(staged.keys).toHaveLength(10)
    expect(staged.size).toBe(data.length)
    expect(staged.sha256).toBe(sha256(data))
    expect(await statusOf(url, "alice")).toMatchObject({ status: "received", offset: data.length, size: data.length })
  })

  it("an upload aborted midway resumes from the server's offset (findPreviousUploads + resumeFromPreviousUpload)", async () => {
    const data = randomBytes(30 * MiB)
    const urlStorage = memoryUrlStorage()
    const options = { ...(await clientOptions("bruno")), urlStorage }
    let first: Upload | undefined
    // stop once 12 MiB went out: mid-PATCH (the third chunk)
    const aborted = new Promise<void>((resolve, reject) => {
      first = new Upload(data, {
        ...options,
        retryDelays: [],
        onProgress: (sent) => {
          if (sent > 12 * MiB) first!.abort().then(resolve, reject)
        },
        onSuccess: () => reject(new Error("the upload was meant to be aborted")),
        onError: reject
      })
      first.start()
    })
    await aborted
    const firstUrl = first!.url!
    await new Promise((r) => setTimeout(r, 300)) // let the server finish recording what arrived
    const offset = Number((await headRaw(firstUrl, "bruno")).headers.get("Upload-Offset"))
    expect(offset).toBeGreaterThanOrEqual(10 * MiB)
    expect(offset).toBeLessThan(data.length)

    let resumedFrom: number | undefined
    const resumed = await new Promise<string>((resolve, reject) => {
      const upload: Upload = new Upload(data, {
        ...options,
        retryDelays: [0, 200, 500],
        onProgress: (sent) => {
          resumedFrom ??= sent
        },
        onSuccess: () => resolve(upload.url!),
        onError: reject
      })
      upload.findPreviousUploads().then((previous) => {
        expect(previous).toHaveLength(1)
        upload.resumeFromPreviousUpload(previous[0]!)
        upload.start()
      }, reject)
    })
    expect(resumed).toBe(firstUrl)
    expect(resumedFrom).toBeGreaterThanOrEqual(offset)
    expect((await stagedBytes(server, idOf(resumed))).sha256).toBe(sha256(data))
    expect(await statusOf(resumed, "bruno")).toMatchObject({ status: "received", offset: data.length })
  })

  it("parallel uploads of one user racing past the quota: exactly the allowed ones succeed, the rest get 413", async () => {
    await setQuotaLimit(server, "racer", 10 * MiB)
    const data = randomBytes(3 * MiB)
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, async (_, i) => tusUpload(data, { ...(await clientOptions("racer", `part-${i}.mp4`)), chunkSize: MiB }))
    )
    const ok = results.filter((r) => r.status === "fulfilled")
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as DetailedError] : []))
    expect(ok).toHaveLength(3)
    expect(refused).toHaveLength(3)
    for (const e of refused) {
      expect(e.originalResponse?.getStatus()).toBe(413)
      const body = JSON.parse(e.originalResponse!.getBody())
      expect(body.error).toMatchObject({ code: "QUOTA_EXCEEDED", remainingBytes: MiB, limitBytes: 10 * MiB, requestedBytes: 3 * MiB })
      expect(new Date(body.error.resetsAt).getTime()).toBeGreaterThan(Date.now())
    }
    const quota = await server.runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, "racer")))
    expect(quota.state.status === "Tracked" && quota.state.reservations.reduce((n, r) => n + r.bytes, 0)).toBe(9 * MiB)
  })

  it("creation-with-upload sends the first chunk with the POST", async () => {
    const data = randomBytes(7 * MiB)
    const url = await tusUpload(data, { ...(await clientOptions("cleo")), uploadDataDuringCreation: true })
    expect((await stagedBytes(server, idOf(url))).sha256).toBe(sha256(data))
    expect((await stagedBytes(server, idOf(url))).keys).toHaveLength(2)
  })

  it("termination (Upload.terminate) cancels the upload and releases its quota", async () => {
    const data = randomBytes(6 * MiB)
    let url: string | undefined
    await new Promise<void>((resolve, reject) => {
      const upload: Upload = new Upload(data, {
        ...{ endpoint: server.endpoint, metadata: { filename: "gone.webm", filetype: "video/webm" } },
        chunkSize: 2 * MiB,
        retryDelays: [],
        onChunkComplete: () => {
          url = upload.url!
          upload.abort(true).then(() => resolve(), reject) // abort + DELETE
        },
        onError: reject
      })
      token("dani").then((t) => {
        upload.options.headers = { Authorization: `Bearer ${t}` }
        upload.start()
      })
    })
    expect((await headRaw(url!, "dani")).status).toBe(410)
    expect(await statusOf(url!, "dani")).toMatchObject({ status: "cancelled" })
    const quota = await server.runtime.runPromise(ActorSystem.use((a) => a.current(QuotaAggregate, "dani")))
    expect(quota.state.status === "Tracked" && quota.state.reservations).toEqual([])
    expect((await stagedBytes(server, idOf(url!))).keys).toEqual([])
  })
})
