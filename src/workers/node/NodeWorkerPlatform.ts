/** The worker platform on Node.js (and Deno's node: modules): scratch directories on disk, node:crypto's SHA-256. */
import { createHash } from "node:crypto"
import { createWriteStream } from "node:fs"
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { join, relative, sep } from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { Effect, Layer } from "effect"
import { ScratchFileError, WorkerPlatform } from "../WorkerPlatform.ts"

export interface NodeWorkerPlatformOptions {
  /** Where scratch directories are made (created if missing); sources may be as large as uploads. */
  readonly root: string
}

const fail = (path: string) => (e: unknown) => new ScratchFileError({ path, reason: e instanceof Error ? e.message : String(e) })

/** Directory names carry the pid of the process that made them, so leftovers of dead processes can be removed. */
const OWNED = /-p(\d+)-[A-Za-z0-9]+$/

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Removes the scratch directories of processes that are gone (a worker killed mid-transcode leaves its source). */
const removeLeftovers = async (root: string) => {
  for (const name of await readdir(root)) {
    const pid = OWNED.exec(name)?.[1]
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) {
      await rm(join(root, name), { recursive: true, force: true })
    }
  }
}

const walk = async (root: string, dir: string): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(root, path)))
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join("/"))
  }
  return out
}

export const NodeWorkerPlatform = {
  layer: (options: NodeWorkerPlatformOptions): Layer.Layer<WorkerPlatform, ScratchFileError> =>
    Layer.effect(
      WorkerPlatform,
      Effect.gen(function*() {
        const root = options.root
        yield* Effect.tryPromise({
          try: async () => {
            await mkdir(root, { recursive: true })
            await removeLeftovers(root)
          },
          catch: fail(root)
        })
        return WorkerPlatform.of({
          scratchDirectory: (label) =>
            Effect.acquireRelease(
              Effect.tryPromise({
                try: () => mkdtemp(join(root, `${label.replace(/[^A-Za-z0-9_.-]/g, "_")}-p${process.pid}-`)),
                catch: fail(root)
              }),
              (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }).catch(() => {}))
            ),
          join: (...segments) => join(...segments),
          writeFile: (path, body) =>
            Effect.tryPromise({
              try: async (signal) => {
                let bytes = 0
                const counted = Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>).on(
                  "data",
                  (chunk: Uint8Array) => void (bytes += chunk.byteLength)
                )
                await pipeline(counted, createWriteStream(path), { signal })
                return bytes
              },
              catch: fail(path)
            }),
          readFile: (path) =>
            Effect.tryPromise({ try: (): Promise<Uint8Array> => readFile(path), catch: fail(path) }),
          listFiles: (directory) =>
            Effect.tryPromise({ try: async () => (await walk(directory, directory)).sort(), catch: fail(directory) }),
          sha256: () => {
            const hash = createHash("sha256")
            return {
              update: (bytes) => void hash.update(bytes),
              digestHex: () => hash.digest("hex")
            }
          }
        })
      })
    )
} as const
