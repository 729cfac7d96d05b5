/** The object store contract on the fs adapter, in a fresh temp directory. */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FsObjectStore } from "../../src/objectstore/fs/FsObjectStore.ts"
import { describeObjectStoreContract } from "./ObjectStoreContract.ts"

let root = ""
describeObjectStoreContract("fs", {
  layer: async () => {
    root = await mkdtemp(join(tmpdir(), "kf-objects-"))
    return FsObjectStore.layer({ root })
  },
  listsInKeyOrder: true,
  presigns: false,
  cleanup: () => rm(root, { recursive: true, force: true })
})
