/** Where the fs object store keeps things under its root, and how node:fs errors become typed errors. */
import { join } from "node:path"
import { RESERVED_PREFIX } from "../ObjectKey.ts"
import { ObjectStoreUnavailable } from "../ObjectStoreError.ts"

export interface FsLayout {
  readonly root: string
  /** Temp files live on the same file system as the objects, so the final rename is atomic. */
  readonly tmp: string
  /** One directory per multipart upload: its description and its parts. */
  readonly uploads: string
}

export const layoutOf = (root: string): FsLayout => ({
  root,
  tmp: join(root, RESERVED_PREFIX, "tmp"),
  uploads: join(root, RESERVED_PREFIX, "uploads")
})

/** A validated key's file (keys never hold `..`, a leading `/` or backslashes). */
export const objectPath = (layout: FsLayout, key: string): string => join(layout.root, ...key.split("/"))

export const errnoOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined

export const unavailable = (operation: string, error: unknown): ObjectStoreUnavailable =>
  error instanceof ObjectStoreUnavailable
    ? error
    : new ObjectStoreUnavailable({
      operation,
      reason: error instanceof Error ? error.message : String(error),
      cause: error
    })
