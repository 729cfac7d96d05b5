/** The embedded object store: files under a root directory (default `DATA_DIR/objects`), durable on acknowledgement. */
import { constants } from "node:fs"
import { access, type FileHandle, mkdir, open, readdir, rm, stat, unlink } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { Effect, Layer, Stream } from "effect"
import { abortable } from "../Abortable.ts"
import { BodyLengthMismatch, MIN_PART_SIZE, toStream } from "../ObjectBody.ts"
import { makeObjectStore, ObjectStore, type ObjectMetadata, type RawObjectStore } from "../ObjectStore.ts"
import { InvalidObjectRequest, ObjectNotFound, RangeNotSatisfiable, type ObjectStoreUnavailable } from "../ObjectStoreError.ts"
import { bodyStream, type FileMeta, readHeader, readHeaderAndStart, readWholeBody, syncDir, writeObjectFile } from "./FsObjectFile.ts"
import { FsReadCache } from "./FsReadCache.ts"
import { isDirectory, listObjects, pruneEmptyDirs } from "./FsListing.ts"
import { abortUpload, completeUpload, createUpload, listParts, uploadPart } from "./FsMultipart.ts"
import { errnoOf, type FsLayout, layoutOf, objectPath, unavailable } from "./FsPaths.ts"

export interface FsObjectStoreOptions {
  /** The directory objects live under (created if missing). */
  readonly root: string
  /** Memory for whole published objects (`media/…`) read again and again (MEDIA_CACHE_MB); 0 or unset = none. */
  readonly mediaCacheBytes?: number
}

/** The prefixes whose objects are read many times: the published ladders, playlists and thumbnails. */
const CACHED_PREFIXES = ["media/"]

/** Temp files older than this at start-up were left by a crash (a live put finishes far sooner). */
const STALE_TEMP_MS = 60 * 60 * 1000

const tryFs = <A>(operation: string, f: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, ObjectStoreUnavailable> =>
  abortable(f, (e) => unavailable(operation, e))

/** A write that cannot land: a key below an existing object (`a` is a file, `a/b` is asked) or a key that is a folder here. */
const conflict = (operation: string, key: string, error: unknown) => {
  const code = errnoOf(error)
  return code === "ENOTDIR" || code === "EEXIST" || code === "EISDIR"
    ? new InvalidObjectRequest({
      operation,
      key,
      reason: "on the fs store a key cannot be both an object and a folder of other objects"
    })
    : undefined
}

const cleanStaleTemps = async (layout: FsLayout) => {
  const now = Date.now()
  for (const name of await readdir(layout.tmp)) {
    const path = join(layout.tmp, name)
    const st = await stat(path).catch(() => undefined)
    if (st !== undefined && now - st.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true })
  }
}

const make = (options: FsObjectStoreOptions) =>
  Effect.gen(function*() {
    const layout = layoutOf(resolve(options.root))
    yield* tryFs("open", async () => {
      await mkdir(layout.tmp, { recursive: true, mode: 0o700 }) // creates the root too: owner-only, like DATA_DIR
      await mkdir(layout.uploads, { recursive: true })
      await cleanStaleTemps(layout)
    })

    /** Writes a stream to `key`'s file, mapping length mismatches and key/folder conflicts to InvalidObjectRequest. */
    const write = (
      operation: string,
      key: string,
      body: ReadableStream<Uint8Array>,
      meta: ObjectMetadata
    ) =>
      abortable(
        (signal) => writeObjectFile(layout.tmp, objectPath(layout, key), body, { ...meta, signal }),
        (e) =>
          e instanceof BodyLengthMismatch
            ? new InvalidObjectRequest({ operation, key, reason: e.message })
            : conflict(operation, key, e) ?? unavailable(operation, e)
      )

    /**
     * Opens `key`'s file and reads its header (with `withStart`, and the body's first bytes in the same
     * read; the stat runs beside it); ObjectNotFound when there is no such object.
     */
    const openObject = (operation: string, key: string, withStart = false) =>
      Effect.gen(function*() {
        const path = objectPath(layout, key)
        // One step, so an interruption cannot strand an open file handle between two effects.
        const found = yield* tryFs(operation, async (signal) => {
          let fh: FileHandle
          try {
            fh = await open(path, "r")
          } catch (error) {
            const code = errnoOf(error)
            if (code === "ENOENT" || code === "ENOTDIR") return undefined
            throw error
          }
          try {
            const [st, read] = await Promise.all([
              fh.stat(),
              // a directory opens but does not read: EISDIR, answered as not found below
              (withStart ? readHeaderAndStart(fh) : readHeader(fh).then((meta) => meta && { meta, start: undefined })).catch((error) => {
                if (errnoOf(error) === "EISDIR") return "directory" as const
                throw error
              })
            ])
            if (st.isDirectory() || read === "directory") {
              await fh.close()
              return undefined
            }
            if (read === undefined) throw new Error(`${path} is not an object file of this store`)
            signal.throwIfAborted()
            return { fh, meta: read.meta, start: read.start, lastModified: st.mtime, identity: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } }
          } catch (error) {
            await fh.close()
            throw error
          }
        })
        if (found === undefined) return yield* new ObjectNotFound({ key })
        return found
      })

    const headOf = (key: string, found: Effect.Success<ReturnType<typeof openObject>>) => ({
      key,
      size: found.meta.size,
      etag: found.meta.etag,
      lastModified: found.lastModified,
      contentType: found.meta.contentType,
      cacheControl: found.meta.cacheControl ?? undefined
    })

    const cache = new FsReadCache(options.mediaCacheBytes ?? 0, CACHED_PREFIXES)

    const wholeResult = (key: string, meta: FileMeta, lastModified: Date, bytes: Uint8Array<ArrayBuffer>) => ({
      key,
      size: meta.size,
      etag: meta.etag,
      lastModified,
      contentType: meta.contentType,
      cacheControl: meta.cacheControl ?? undefined,
      body: toStream(bytes),
      bytes,
      contentLength: meta.size,
      range: undefined
    })

    /** A whole get of a cached kind of object: one stat when the cache holds it, else a read that fills it. */
    const cachedGet = (key: string) =>
      Effect.gen(function*() {
        const path = objectPath(layout, key)
        const st = yield* tryFs("get", () =>
          stat(path).catch((error) => {
            const code = errnoOf(error)
            if (code === "ENOENT" || code === "ENOTDIR") return undefined
            throw error
          }))
        if (st === undefined || st.isDirectory()) return yield* new ObjectNotFound({ key })
        const hit = cache.lookup(key, st)
        if (hit !== undefined) return wholeResult(key, hit.meta, hit.lastModified, hit.bytes)
        const found = yield* openObject("get", key, true)
        const size = found.meta.size
        if (size > cache.maxObjectBytes) return { ...headOf(key, found), body: bodyStream(found.fh, 0, size - 1, found.start), contentLength: size, range: undefined }
        // the identity of the file read (not of the stat above: it may have been replaced in between)
        const bytes = yield* tryFs("get", () => readWholeBody(found.fh, size, found.start!).finally(() => found.fh.close()))
        cache.store(key, { identity: found.identity, meta: found.meta, lastModified: found.lastModified, bytes })
        return wholeResult(key, found.meta, found.lastModified, bytes)
      })

    // Inputs arrive checked, defaults filled in (makeObjectStore).
    const store: RawObjectStore = {
      kind: "fs",
      minPartSize: MIN_PART_SIZE,

      put: (key, body, metadata) =>
        write("put", key, toStream(body), metadata).pipe(
          Effect.map((meta) => ({ key, size: meta.size, etag: meta.etag })),
          Effect.ensuring(Effect.sync(() => cache.forget(key)))
        ),

      get: (key, range) =>
        range === undefined && cache.covers(key) ? cachedGet(key) : Effect.gen(function*() {
          const found = yield* openObject("get", key, range === undefined)
          const size = found.meta.size
          if (range === undefined) {
            const whole = found.start !== undefined && found.start.length === size ? found.start : undefined
            return { ...headOf(key, found), body: bodyStream(found.fh, 0, size - 1, found.start), bytes: whole, contentLength: size, range: undefined }
          }
          const start = range.start
          if (start >= size) {
            yield* Effect.promise(() => found.fh.close())
            return yield* new RangeNotSatisfiable({ key, start, end: range.end, size })
          }
          const end = Math.min(range.end ?? size - 1, size - 1)
          return {
            ...headOf(key, found),
            body: bodyStream(found.fh, start, end),
            contentLength: end - start + 1,
            range: { start, end }
          }
        }),

      head: (key) =>
        Effect.gen(function*() {
          const found = yield* openObject("head", key)
          yield* Effect.promise(() => found.fh.close())
          return headOf(key, found)
        }),

      delete: (key) => {
        const path = objectPath(layout, key)
        return tryFs("delete", async () => {
          cache.forget(key)
          try {
            await unlink(path)
          } catch (error) {
            const code = errnoOf(error)
            // Missing, below a file, or a folder of other keys: no object by that name, nothing to do.
            if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR" || (code === "EPERM" && (await isDirectory(path)))) {
              return
            }
            throw error
          }
          await syncDir(dirname(path))
          await pruneEmptyDirs(layout, dirname(path))
        })
      },

      deletePrefix: (prefix) =>
        tryFs("deletePrefix", async () => {
          cache.forgetPrefix(prefix)
          let count = 0
          const dirs = new Set<string>()
          for await (const info of listObjects(layout, prefix)) {
            const path = objectPath(layout, info.key)
            await unlink(path).catch((error) => (errnoOf(error) === "ENOENT" ? undefined : Promise.reject(error)))
            dirs.add(dirname(path))
            count++
          }
          // Deepest first, so a parent is empty by the time it is tried.
          for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
            await syncDir(dir).catch(() => {})
            await pruneEmptyDirs(layout, dir)
          }
          return count
        }),

      list: (prefix) => Stream.fromAsyncIterable(listObjects(layout, prefix), (e) => unavailable("list", e)),

      createMultipartUpload: (key, metadata) => createUpload(layout, key, metadata),

      uploadPart: (key, uploadId, partNumber, body) =>
        uploadPart(layout, key, uploadId, partNumber, toStream(body)).pipe(
          Effect.mapError((e) =>
            e._tag === "ObjectStoreUnavailable" && e.cause instanceof BodyLengthMismatch
              ? new InvalidObjectRequest({ operation: "uploadPart", key, reason: e.cause.message })
              : e
          )
        ),

      completeMultipartUpload: (key, uploadId, parts) =>
        completeUpload(layout, key, objectPath(layout, key), uploadId, parts).pipe(
          Effect.ensuring(Effect.sync(() => cache.forget(key))),
          Effect.mapError((e) =>
            e._tag === "ObjectStoreUnavailable" ? (conflict("completeMultipartUpload", key, e.cause) ?? e) : e
          )
        ),

      abortMultipartUpload: (key, uploadId) => abortUpload(layout, key, uploadId),

      listParts: (key, uploadId) => listParts(layout, key, uploadId),

      presignGet: () => Effect.succeed(undefined),

      ping: tryFs("ping", () => access(layout.root, constants.W_OK))
    }
    return makeObjectStore(store)
  })

export const FsObjectStore = {
  /** The fs adapter as the ObjectStore service. */
  layer: (options: FsObjectStoreOptions): Layer.Layer<ObjectStore, ObjectStoreUnavailable> =>
    Layer.effect(ObjectStore, make(options))
} as const
