/** The workers' scratch space on Node.js (and Deno's node compat): effect's Node FileSystem and Path, directories owned by this pid. */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { type FileSystem, Layer, type Path } from "effect"
import { type ScratchFileError, ScratchSpace } from "../workers/ScratchSpace.ts"

/** kill(pid, 0) delivers nothing: it only asks whether the process exists (EPERM: it does, as another user's). */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

export const NodeScratchSpace = {
  /** Scratch directories under `root` (sources may be as large as uploads), with the FileSystem and Path the steps use. */
  layer: (options: { readonly root: string }): Layer.Layer<ScratchSpace | FileSystem.FileSystem | Path.Path, ScratchFileError> =>
    ScratchSpace.layer({ root: options.root, owner: process.pid, isAlive }).pipe(
      Layer.provideMerge(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer))
    )
} as const
