/** Multipart uploads on the fs object store: parts staged under `.keyframe/uploads/<id>/`, joined on complete. */
import { randomUUID } from "node:crypto"
import { open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { abortable } from "../Abortable.ts"
import { DEFAULT_CONTENT_TYPE, MIN_PART_SIZE, quoteEtag } from "../ObjectBody.ts"
import type { ObjectMetadata, UploadedPart } from "../ObjectStore.ts"
import { InvalidObjectRequest, MultipartUploadNotFound, type ObjectStoreUnavailable } from "../ObjectStoreError.ts"
import { bodyStream, type FileMeta, makeDirDurable, newEtag, readHeader, syncDir, writeObjectFile } from "./FsObjectFile.ts"
import { errnoOf, type FsLayout, unavailable } from "./FsPaths.ts"

interface UploadRecord {
  readonly key: string
  readonly contentType: string
  readonly cacheControl: string | undefined
}

const UPLOAD_ID = /^[0-9a-f]{32}$/
const uploadDir = (layout: FsLayout, uploadId: string) => join(layout.uploads, uploadId)
const partName = (partNumber: number) => `part-${String(partNumber).padStart(5, "0")}`

const tryFs = <A>(operation: string, f: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, ObjectStoreUnavailable> =>
  abortable(f, (e) => unavailable(operation, e))

/** The upload's record, failing with MultipartUploadNotFound when the id is unknown or belongs to another key. */
const findUpload = (layout: FsLayout, operation: string, key: string, uploadId: string) =>
  Effect.gen(function*() {
    const notFound = new MultipartUploadNotFound({ key, uploadId })
    if (!UPLOAD_ID.test(uploadId)) return yield* notFound
    const record = yield* tryFs(operation, () =>
      readFile(join(uploadDir(layout, uploadId), "upload.json"), "utf8").then(
        (text) => JSON.parse(text) as UploadRecord,
        (error) => (errnoOf(error) === "ENOENT" ? undefined : Promise.reject(error))
      ))
    if (record === undefined || record.key !== key) return yield* notFound
    return record
  })

export const createUpload = (layout: FsLayout, key: string, metadata: ObjectMetadata) =>
  tryFs("createMultipartUpload", async () => {
    const uploadId = randomUUID().replaceAll("-", "")
    const dir = uploadDir(layout, uploadId)
    await makeDirDurable(dir)
    const record: UploadRecord = { key, contentType: metadata.contentType, cacheControl: metadata.cacheControl }
    const tmp = join(dir, "upload.json.tmp")
    await writeFile(tmp, JSON.stringify(record), { flush: true })
    await rename(tmp, join(dir, "upload.json"))
    await syncDir(dir)
    return uploadId
  })

export const uploadPart = (
  layout: FsLayout,
  key: string,
  uploadId: string,
  partNumber: number,
  body: ReadableStream<Uint8Array>
) =>
  Effect.gen(function*() {
    yield* findUpload(layout, "uploadPart", key, uploadId)
    const target = join(uploadDir(layout, uploadId), partName(partNumber))
    const meta = yield* tryFs("uploadPart", (signal) =>
      writeObjectFile(layout.tmp, target, body, { contentType: DEFAULT_CONTENT_TYPE, cacheControl: undefined, signal }))
    return meta.etag
  })

const readParts = (layout: FsLayout, uploadId: string) =>
  tryFs("listParts", async () => {
    const dir = uploadDir(layout, uploadId)
    const names = (await readdir(dir)).filter((n) => /^part-\d{5}$/.test(n)).sort()
    const parts: Array<UploadedPart & { readonly meta: FileMeta }> = []
    for (const name of names) {
      const fh = await open(join(dir, name), "r")
      try {
        const meta = await readHeader(fh)
        if (meta !== undefined) parts.push({ partNumber: Number(name.slice(5)), etag: meta.etag, size: meta.size, meta })
      } finally {
        await fh.close()
      }
    }
    return parts
  })

export const listParts = (layout: FsLayout, key: string, uploadId: string) =>
  Effect.gen(function*() {
    yield* findUpload(layout, "listParts", key, uploadId)
    const parts = yield* readParts(layout, uploadId)
    return parts.map(({ etag, partNumber, size }): UploadedPart => ({ partNumber, etag, size }))
  })

export const completeUpload = (
  layout: FsLayout,
  key: string,
  target: string,
  uploadId: string,
  wanted: ReadonlyArray<{ readonly partNumber: number; readonly etag: string }>
) =>
  Effect.gen(function*() {
    const record = yield* findUpload(layout, "completeMultipartUpload", key, uploadId)
    const invalid = (reason: string) => new InvalidObjectRequest({ operation: "completeMultipartUpload", key, reason })
    const stored = new Map((yield* readParts(layout, uploadId)).map((p) => [p.partNumber, p]))
    const chosen: Array<FileMeta & { readonly partNumber: number }> = []
    // The list is non-empty and ascending (makeObjectStore checked it).
    for (const [i, part] of wanted.entries()) {
      const found = stored.get(part.partNumber)
      if (found === undefined || quoteEtag(part.etag) !== found.etag) {
        return yield* invalid(`part ${part.partNumber} was not uploaded with etag ${quoteEtag(part.etag)}`)
      }
      if (i < wanted.length - 1 && found.size < MIN_PART_SIZE) {
        return yield* invalid(`part ${part.partNumber} has ${found.size} bytes; every part but the last needs ${MIN_PART_SIZE}`)
      }
      chosen.push({ ...found.meta, partNumber: part.partNumber })
    }
    // Shaped as S3's multipart etag ("<hex>-<parts>"), opaque like every etag of this store.
    const etag = `${newEtag().slice(0, -1)}-${chosen.length}"`
    const dir = uploadDir(layout, uploadId)
    const meta = yield* tryFs("completeMultipartUpload", (signal) =>
      writeObjectFile(layout.tmp, target, concatParts(dir, chosen.map((p) => p.partNumber)), {
        contentType: record.contentType,
        cacheControl: record.cacheControl,
        etag,
        signal
      }))
    yield* tryFs("completeMultipartUpload", () => rm(dir, { recursive: true, force: true }))
    return { key, size: meta.size, etag: meta.etag }
  })

/** The parts' bytes, one file after the other, as one stream. */
const concatParts = (dir: string, partNumbers: ReadonlyArray<number>): ReadableStream<Uint8Array> => {
  let index = 0
  let current: ReadableStreamDefaultReader<Uint8Array> | undefined
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        if (current === undefined) {
          const n = partNumbers[index++]
          if (n === undefined) return controller.close()
          const fh = await open(join(dir, partName(n)), "r")
          const meta = await readHeader(fh)
          if (meta === undefined) throw new Error(`part ${n} is not readable`)
          current = bodyStream(fh, 0, meta.size - 1).getReader()
        }
        const next = await current.read()
        if (!next.done) return controller.enqueue(next.value)
        current = undefined
      }
    },
    async cancel(reason) {
      await current?.cancel(reason)
    }
  })
}

export const abortUpload = (layout: FsLayout, key: string, uploadId: string) =>
  findUpload(layout, "abortMultipartUpload", key, uploadId).pipe(
    Effect.andThen(tryFs("abortMultipartUpload", () => rm(uploadDir(layout, uploadId), { recursive: true, force: true }))),
    Effect.catchTag("MultipartUploadNotFound", () => Effect.void)
  )
