/**
 * The command-id scheme is stored (every event's causationId) and matched on retries, possibly across a
 * deploy: a changed id would apply a retried command twice. These pin it.
 */
import { describe, expect, it } from "vitest"
import { shortHash, UploadCommandId } from "../../src/uploads/UploadCommandIds.ts"

describe("upload command ids", () => {
  it("are derived from what the command is about, in the stored format", () => {
    expect([
      UploadCommandId.reserve("u1"),
      UploadCommandId.create("u1"),
      UploadCommandId.append("u1", 1024, 512),
      UploadCommandId.cancel("u1"),
      UploadCommandId.expire("u1"),
      UploadCommandId.release("u1"),
      UploadCommandId.commit("u1"),
      UploadCommandId.reconcile("u1"),
      UploadCommandId.giveUp("u1", "transcode"),
      UploadCommandId.claim("u1", "chunk", 2),
      UploadCommandId.milestone("u1", "transcode", 1, "probed"),
      UploadCommandId.complete("u1", "publish", 3),
      UploadCommandId.fail("u1", "chunk", 1)
    ]).toEqual([
      "reserve:u1",
      "create:u1",
      "append:u1@1024+512",
      "cancel:u1",
      "expire:u1",
      "release:u1",
      "commit:u1",
      "reconcile:u1",
      "give-up:u1:transcode",
      "claim:u1:chunk:2",
      "milestone:u1:transcode:1:probed",
      "complete:u1:publish:3",
      "fail:u1:chunk:1"
    ])
  })

  it("tag a long multipart upload id with its FNV-1a hash", () => {
    expect(shortHash("")).toBe("811c9dc5")
    expect(shortHash("a")).toBe("e40c292c")
    const multipart = "2~" + "x".repeat(200)
    expect(UploadCommandId.chunk("u1", multipart, 7)).toBe(`chunk:u1:${shortHash(multipart)}:7`)
    expect(UploadCommandId.chunk("u1", multipart, 7).length).toBeLessThan(40)
  })
})
