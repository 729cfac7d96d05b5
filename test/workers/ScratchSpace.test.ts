/** Scratch directories on effect's Node FileSystem: fresh per use, removed with the scope; leftovers of dead owners removed at start. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import { Cause, Effect, Exit, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ScratchSpace } from "../../src/workers/ScratchSpace.ts"

const base = mkdtempSync(join(tmpdir(), "kf-scratch-"))
afterAll(() => rmSync(base, { recursive: true, force: true }))
let n = 0

const space = (root: string, alive: ReadonlySet<number>) =>
  ScratchSpace.layer({ root, owner: 7, isAlive: (pid) => alive.has(pid) }).pipe(
    Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer))
  )

describe("ScratchSpace", () => {
  it("makes a fresh directory named for its owner and removes it with everything in it when the scope closes", async () => {
    const root = join(base, `r${n++}`)
    const made = await Effect.runPromise(
      Effect.scoped(Effect.gen(function*() {
        const dir = yield* (yield* ScratchSpace).directory("transcode-a/b")
        writeFileSync(join(dir, "x"), "x")
        mkdirSync(join(dir, "out"))
        writeFileSync(join(dir, "out", "y"), "y")
        expect(existsSync(join(dir, "out", "y"))).toBe(true)
        return dir
      })).pipe(Effect.provide(space(root, new Set())))
    )
    expect(made.slice(root.length + 1)).toMatch(/^transcode-a_b-p7-[A-Za-z0-9]+$/)
    expect(existsSync(made)).toBe(false)
  })

  it("removes at start the directories of owners that are gone, and only those", async () => {
    const root = join(base, `r${n++}`)
    for (const name of ["transcode-u1-p100-abc123", "transcode-u2-p200-def456", "transcode-u3-p7-ghi789", "unrelated"]) {
      mkdirSync(join(root, name), { recursive: true })
      writeFileSync(join(root, name, "source.mp4"), "bytes")
    }
    await Effect.runPromise(Effect.provide(Effect.void, space(root, new Set([200]))))
    expect(readdirSync(root).sort()).toEqual(["transcode-u2-p200-def456", "transcode-u3-p7-ghi789", "unrelated"])
  })

  it("fails to start with a ScratchFileError naming the root when it cannot be made", async () => {
    const file = join(base, `f${n++}`)
    writeFileSync(file, "not a directory")
    const exit = await Effect.runPromiseExit(Effect.provide(Effect.void, space(join(file, "scratch"), new Set())))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) as Error : undefined
    expect(error).toMatchObject({ _tag: "ScratchFileError", path: join(file, "scratch") })
    expect(error?.message).toContain(`local scratch file ${join(file, "scratch")}`)
  })
})
