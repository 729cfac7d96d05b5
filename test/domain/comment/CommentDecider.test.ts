/** Comment threads: replies need a live parent, the root is kept, author and moderator rights, length limits; thread integrity as a property. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CommentAggregate } from "../../../src/domain/comment/CommentAggregate.ts"
import { type CommentCommand, MAX_COMMENT_LENGTH } from "../../../src/domain/comment/CommentCommands.ts"
import type { CommentEvent } from "../../../src/domain/comment/CommentEvents.ts"
import type { CommentThreadState } from "../../../src/domain/comment/CommentThreadState.ts"
import type { Principal } from "../../../src/domain/shared/Decider.ts"
import type { CommentDoc } from "../../../projections/EngagementDocuments.ts"
import { EngagementProjection } from "../../../projections/EngagementProjection.ts"
import { foldSequential } from "../../../projections/ProjectionReplay.ts"
import { specFor, T0, testActors } from "../../../src/testing/index.ts"
import { type HistoryAppend, toRecorded } from "../../projections/RealisticHistory.ts"

const { given } = specFor(CommentAggregate, { now: T0 })
const root: CommentEvent = { _tag: "CommentPosted", videoId: "v1", threadId: "t1", commentId: "t1", parentId: null, authorId: "alice", text: "first", at: T0 }
const reply: CommentEvent = { ...root, commentId: "t1.r1", parentId: "t1", authorId: "bob", text: "a reply" }
const post = (commentId: string, parentId?: string, text = "hello"): CommentCommand => ({
  _tag: "PostComment",
  videoId: "v1",
  threadId: "t1",
  commentId,
  ...(parentId === undefined ? {} : { parentId }),
  text
})
const del = (commentId: string, videoOwnerId = "owner"): CommentCommand => ({ _tag: "DeleteComment", videoId: "v1", threadId: "t1", commentId, videoOwnerId })

describe("comment threads", () => {
  it("a root opens the thread; a reply names its parent; text is trimmed", () => {
    given([]).when(post("t1", undefined, "  first ")).then([root])
    given([root]).when(post("t1.r1", "t1", "a reply"), { actor: testActors.bob }).then([reply])
  })
  it("refuses a reply to an unknown or deleted parent, and a root id outside its thread", () => {
    given([root]).when(post("t1.r2", "t1.nope")).then("PARENT_NOT_FOUND")
    given([]).when(post("t1.r1", "t1")).then("PARENT_NOT_FOUND")
    given([root, { _tag: "CommentDeleted", videoId: "v1", threadId: "t1", commentId: "t1", by: "alice", as: "author", at: T0 }])
      .when(post("t1.r1", "t1")).then("COMMENT_DELETED")
    given([]).when(post("t2")).then("AGGREGATE_ID_MISMATCH")
  })
  it("refuses empty and too long text", () => {
    given([]).when(post("t1", undefined, "   ")).then("COMMENT_TEXT_INVALID")
    given([]).when(post("t1", undefined, "x".repeat(MAX_COMMENT_LENGTH + 1))).then("COMMENT_TEXT_INVALID")
    given([]).when(post("t1", undefined, "é".repeat(MAX_COMMENT_LENGTH))).then([{ ...root, text: "é".repeat(MAX_COMMENT_LENGTH) }])
  })
  it("only the author edits", () => {
    const edit: CommentCommand = { _tag: "EditComment", videoId: "v1", threadId: "t1", commentId: "t1.r1", text: "better" }
    given([root, reply]).when(edit, { actor: testActors.bob }).then([{ _tag: "CommentEdited", videoId: "v1", threadId: "t1", commentId: "t1.r1", text: "better", at: T0 }])
    given([root, reply]).when(edit, { actor: testActors.alice }).then("FORBIDDEN")
  })
  it("the author, the video's owner and admins delete; others may not; a second delete changes nothing", () => {
    const deleted = (by: string, as: "author" | "video_owner" | "admin"): CommentEvent => ({ _tag: "CommentDeleted", videoId: "v1", threadId: "t1", commentId: "t1.r1", by, as, at: T0 })
    given([root, reply]).when(del("t1.r1"), { actor: testActors.bob }).then([deleted("bob", "author")])
    given([root, reply]).when(del("t1.r1", "alice"), { actor: testActors.alice }).then([deleted("alice", "video_owner")])
    given([root, reply]).when(del("t1.r1"), { actor: testActors.carol }).then([deleted("carol", "admin")])
    given([root, reply]).when(del("t1.r1"), { actor: testActors.alice }).then("FORBIDDEN")
    given([root, reply, deleted("bob", "author")]).when(del("t1.r1"), { actor: testActors.bob }).then([])
  })
})

describe("comment threads: integrity over random sequences", () => {
  const actors: ReadonlyArray<Principal> = [testActors.alice, testActors.bob, testActors.carol, { userId: "owner", roles: ["user"] }]
  const op = fc.record({
    kind: fc.constantFrom("reply", "reply", "reply", "edit", "delete", "root"),
    actor: fc.nat(actors.length - 1),
    target: fc.nat(40),
    text: fc.constantFrom("ok", "", "  spaced  ", "x".repeat(MAX_COMMENT_LENGTH + 1))
  })

  it("every comment's parent is in the thread, the root stays, deleted comments stay as tombstones", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        let state: CommentThreadState = CommentAggregate.decider.initialState
        const appends: Array<HistoryAppend> = []
        const ever = new Set<string>()
        let n = 0
        for (const o of ops) {
          const ids = Object.keys(state.comments)
          const target = ids.length === 0 ? "t1" : ids[o.target % ids.length]!
          const command: CommentCommand = o.kind === "root"
            ? post("t1", undefined, o.text)
            : o.kind === "reply"
            ? post(`t1.r${++n}`, o.target % 7 === 0 ? `t1.ghost${o.target}` : target, o.text)
            : o.kind === "edit"
            ? { _tag: "EditComment", videoId: "v1", threadId: "t1", commentId: target, text: o.text }
            : del(target)
          const result = CommentAggregate.decider.decide(command, state, { now: T0, actor: actors[o.actor]!, settings: undefined as never })
          if (result._tag === "Success") {
            for (const e of result.success) {
              state = CommentAggregate.decider.evolve(state, e)
              const stored = CommentAggregate.events.encode(e)
              appends.push({ stream: "comment-v1.t1", events: [{ type: stored.type, data: stored.data, metadata: { schemaVersion: stored.schemaVersion } }] })
            }
          }
          for (const [id, node] of Object.entries(state.comments)) {
            ever.add(id)
            expect(id === "t1" || id.startsWith("t1.")).toBe(true)
            if (id === "t1") expect(node.parentId).toBeNull()
            else expect(state.comments[node.parentId!], `${id}'s parent ${node.parentId}`).toBeDefined()
            if (node.deleted) expect(node.text).toBe("")
          }
          // nothing ever leaves the thread: the root and every comment posted stay (deleted ones as tombstones)
          for (const id of ever) expect(state.comments[id]).toBeDefined()
          if (ever.size > 0) expect(state.comments["t1"]).toBeDefined()
          expect(state.count).toBe(Object.keys(state.comments).length)
        }
        // the read model keeps the same thread: every comment, its parent, its replies count, the live count
        const model = foldSequential(EngagementProjection, toRecorded(appends))
        const docs = [...(model.get("comment")?.values() ?? [])] as ReadonlyArray<CommentDoc>
        expect(docs.map((d) => d.id).sort()).toEqual(Object.keys(state.comments).sort())
        for (const d of docs) {
          expect(d.threadId).toBe("t1")
          if (d.parentId !== null) expect(docs.some((p) => p.id === d.parentId)).toBe(true)
          expect(d.replies).toBe(docs.filter((c) => c.parentId === d.id).length)
          expect(d.deleted).toBe(state.comments[d.id]!.deleted)
          expect(d.text).toBe(d.deleted ? null : state.comments[d.id]!.text)
        }
        const live = docs.filter((d) => !d.deleted).length
        expect((model.get("video")?.get("v1") as { comments: number } | undefined)?.comments ?? 0).toBe(live)
      }),
      { numRuns: 300 }
    )
  })
})
