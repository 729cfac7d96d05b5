/** fsync from the host, for files PGlite wrote without syncing them (node:fs: Node and Deno alike). */
import { open, readdir } from "node:fs/promises"
import { join } from "node:path"

/** Makes a file's data, or a directory's entries, durable. */
export const syncPath = async (path: string, directory = false): Promise<void> => {
  // A directory can only be opened read-only; a file opens read-write, which every platform lets flush.
  const file = await open(path, directory ? "r" : "r+")
  try {
    await file.sync()
  } finally {
    await file.close()
  }
}

/** The files under `root`, and its directories deepest first (`root` last). */
const listTree = async (root: string, files: Array<string> = [], dirs: Array<string> = []) => {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name)
    if (entry.isDirectory()) await listTree(path, files, dirs)
    else if (entry.isFile()) files.push(path)
  }
  dirs.push(root)
  return { files, dirs }
}

/**
 * Every file and directory under `root`, and `root` itself, on the device (after an initdb
 * nothing is synced yet). Files go several at a time: each fsync waits on the device.
 */
export const syncTree = async (root: string, concurrency = 8): Promise<number> => {
  const { files, dirs } = await listTree(root)
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < files.length) await syncPath(files[next++]!)
  }))
  for (const dir of dirs) await syncPath(dir, true)
  return files.length + dirs.length
}
