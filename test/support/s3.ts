/** Starts s3rver (an S3 server on the local file system) on a free port with one bucket, for tests. */
import { existsSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { S3ObjectStoreOptions } from "../../src/objectstore/s3/S3ObjectStore.ts"

/** The few parts of s3rver (CommonJS, untyped) used here. */
interface KoaContext {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string | undefined>
  status: number
  type: string
  body: unknown
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>
interface S3rverInstance {
  readonly middleware: Array<Middleware>
  run(): Promise<{ readonly port: number }>
  close(): Promise<void>
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance

export interface S3TestServer {
  /** Options for S3ObjectStore.layer pointing at this server. */
  readonly options: S3ObjectStoreOptions
  readonly endpoint: string
  readonly bucket: string
  stop(): Promise<void>
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/**
 * s3rver 3.7 answers neither ListParts nor AbortMultipartUpload, and accepts any upload id. This middleware
 * (placed before its router) does what S3 does for those: NoSuchUpload for an unknown id, the part list,
 * the abort. It reads s3rver's own staging directory (`<bucket>/._S3rver_uploads/<id>/<n>` + `<n>.md5`).
 */
const multipartGaps = (directory: string): Middleware => async (ctx, next) => {
  const uploadId = ctx.query["uploadId"]
  const [, bucket = "", ...keyParts] = ctx.path.split("/")
  if (uploadId === undefined || keyParts.length === 0) return next()
  const key = keyParts.map(decodeURIComponent).join("/")
  const dir = join(directory, bucket, "._S3rver_uploads", uploadId)
  const storedKey = /^[0-9a-f]+$/.test(uploadId) && existsSync(dir)
    ? await readFile(join(dir, "key"), "utf8").catch(() => undefined)
    : undefined
  if (storedKey !== key) {
    ctx.status = 404
    ctx.type = "application/xml"
    ctx.body = xml(
      `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${escape(uploadId)}</UploadId></Error>`
    )
    return
  }
  if (ctx.method === "DELETE") {
    await rm(dir, { recursive: true, force: true })
    ctx.status = 204
    ctx.body = ""
    return
  }
  if (ctx.method === "GET") {
    const numbers = (await readdir(dir)).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b)
    const parts = await Promise.all(numbers.map(async (n) => {
      // a part whose request was cut off mid-body has no `.md5` yet: S3 never lists an unfinished part
      const [md5, st] = await Promise.all([readFile(join(dir, `${n}.md5`), "utf8").catch(() => undefined), stat(join(dir, String(n)))])
      if (md5 === undefined) return ""
      return `<Part><PartNumber>${n}</PartNumber><LastModified>${st.mtime.toISOString()}</LastModified>` +
        `<ETag>"${md5.trim()}"</ETag><Size>${st.size}</Size></Part>`
    }))
    ctx.status = 200
    ctx.type = "application/xml"
    ctx.body = xml(
      `<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escape(bucket)}</Bucket>` +
        `<Key>${escape(key)}</Key><UploadId>${escape(uploadId)}</UploadId><MaxParts>10000</MaxParts>` +
        `<IsTruncated>false</IsTruncated>${parts.join("")}</ListPartsResult>`
    )
    return
  }
  return next()
}

/** Starts s3rver on 127.0.0.1 and a free port, in a fresh temp directory, with `bucket` created. */
export const startS3 = async (bucket = "keyframe-test"): Promise<S3TestServer> => {
  const directory = await mkdtemp(join(tmpdir(), "kf-s3rver-"))
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }]
  })
  // Before the router (the last middleware), after the XML body and vhost handling.
  server.middleware.splice(server.middleware.length - 1, 0, multipartGaps(directory))
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  let stopped = false
  return {
    endpoint,
    bucket,
    options: {
      endpoint,
      region: "us-east-1",
      bucket,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED"
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      await server.close()
      await rm(directory, { recursive: true, force: true })
    }
  }
}
