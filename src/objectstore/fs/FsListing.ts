/** Lists the fs object store's files under a key prefix, in ascending key order, as S3 does. */
import { open, readdir, rmdir, stat } from "node:fs/promises"
import { dirname, join } from "node:path"
import type { ObjectInfo } from "../ObjectStore.ts"
import { RESERVED_PREFIX } from "../ObjectKey.ts"
import { readHeader } from "./FsObjectFile.ts"
import { errnoOf, type FsLayout, objectPath } from "./FsPaths.ts"

/** A directory sorts as `name/` so that a depth-first walk yields keys in plain string order (`a-b` < `a/c`). */
const sortKey = (name: string, isDir: boolean) => (isDir ? `${name}/` : name)

async function* walk(dir: string, keyPrefix: string, namePrefix: string): AsyncGenerator<ObjectInfo> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    const code = errnoOf(error)
    if (code === "ENOENT" || code === "ENOTDIR") return
    throw error
  }
  const wanted = entries
    .filter((e) => e.name.startsWith(namePrefix) && !(keyPrefix === "" && e.name.startsWith(RESERVED_PREFIX)))
    .filter((e) => e.isDirectory() || e.isFile())
    .map((e) => ({ name: e.name, isDir: e.isDirectory(), sort: sortKey(e.name, e.isDirectory()) }))
    .sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0))
  for (const entry of wanted) {
    const path = join(dir, entry.name)
    const key = `${keyPrefix}${entry.name}`
    if (entry.isDir) {
      yield* walk(path, `${key}/`, "")
      continue
    }
    const info = await describe(path, key)
    if (info !== undefined) yield info
  }
}

/** An object's listing entry; undefined when the file vanished or is not an object file. */
const describe = async (path: string, key: string): Promise<ObjectInfo | undefined> => {
  let fh
  try {
    fh = await open(path, "r")
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return undefined
    throw error
  }
  try {
    const [meta, st] = await Promise.all([readHeader(fh), fh.stat()])
    return meta === undefined ? undefined : { key, size: meta.size, etag: meta.etag, lastModified: st.mtime }
  } finally {
    await fh.close()
  }
}

/** Every object under `prefix` (a string prefix: `media/ab` matches `media/abc/x`). */
export const listObjects = (layout: FsLayout, prefix: string): AsyncGenerator<ObjectInfo> => {
  const slash = prefix.lastIndexOf("/")
  const dirKey = slash < 0 ? "" : prefix.slice(0, slash + 1)
  const dir = dirKey === "" ? layout.root : objectPath(layout, dirKey.slice(0, -1))
  return walk(dir, dirKey, prefix.slice(slash + 1))
}

/** Removes empty directories from `dir` up to (not including) the root; stops at the first non-empty one. */
export const pruneEmptyDirs = async (layout: FsLayout, dir: string): Promise<void> => {
  for (let d = dir; d !== layout.root && d.startsWith(layout.root) && d !== dirname(d); d = dirname(d)) {
    try {
      await rmdir(d)
    } catch {
      return
    }
  }
}

/** True when `path` is a directory (a key that is a folder of other keys on this store). */
export const isDirectory = async (path: string): Promise<boolean> =>
  stat(path).then((s) => s.isDirectory(), () => false)
