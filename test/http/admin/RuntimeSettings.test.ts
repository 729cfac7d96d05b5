/**
 * PUT /admin/settings on the app as `npm start` composes it: the admins' overrides of MAX_FILE_SIZE_BYTES and
 * WEEKLY_UPLOAD_LIMIT_BYTES reach the tus creation check, the Upload and Quota deciders and GET /me/quota at
 * run time, with who and when; bad input and non-admins change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bearer, makeTestApp, type TestApp } from "../TestApp.ts"

let t: TestApp
beforeAll(async () => {
  t = await makeTestApp({ MAX_FILE_SIZE_BYTES: "1000", WEEKLY_UPLOAD_LIMIT_BYTES: "5000", RUN_WORKERS: "false" })
}, 60_000)
afterAll(() => t?.dispose())

const b64 = (s: string) => btoa(s)
const json = async (res: Response) => (await res.json()) as any
const admin = () => bearer("root", ["user", "admin"])

const createUpload = async (user: string, length: number) =>
  t.app.request("/files", {
    method: "POST",
    headers: { ...(await bearer(user)), "Tus-Resumable": "1.0.0", "Upload-Length": String(length), "Upload-Metadata": `filename ${b64("clip.mp4")},filetype ${b64("video/mp4")}` }
  })

const putSettings = async (body: unknown, headers?: Record<string, string>) =>
  t.app.request("/admin/settings", { method: "PUT", headers: { ...(headers ?? (await admin())), "Content-Type": "application/json" }, body: JSON.stringify(body) })

/** The follow is asynchronous (a subscription): poll until `check` holds. */
const eventually = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error("not within the time")
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("runtime settings", () => {
  it("start from the environment", async () => {
    const view = await json(await t.app.request("/admin/settings", { headers: await admin() }))
    expect(view).toMatchObject({
      effective: { maxFileSizeBytes: 1000, weeklyUploadLimitBytes: 5000 },
      overrides: { maxFileSizeBytes: null, weeklyUploadLimitBytes: null },
      defaults: { maxFileSizeBytes: 1000, weeklyUploadLimitBytes: 5000 },
      changedBy: null
    })
    expect((await createUpload("alice", 2000)).status).toBe(413)
  })

  it("a raised max file size lets a bigger upload in; a lowered weekly limit keeps it out", async () => {
    const raised = await putSettings({ maxFileSizeBytes: 10_000 })
    expect(raised.status).toBe(200)
    const view = await json(raised)
    expect(view).toMatchObject({ effective: { maxFileSizeBytes: 10_000, weeklyUploadLimitBytes: 5000 }, changedBy: "root" })
    expect(Date.parse(view.changedAt)).toBeGreaterThan(0)
    await eventually(async () => (await createUpload("alice", 2000)).status === 201)
    // the tus discovery answer follows too
    const options = await t.app.request("/files", { method: "OPTIONS", headers: { "Tus-Resumable": "1.0.0" } })
    expect(options.headers.get("Tus-Max-Size")).toBe("10000")

    expect((await putSettings({ weeklyUploadLimitBytes: 2500 })).status).toBe(200)
    await eventually(async () => (await json(await t.app.request("/me/quota", { headers: await bearer("bob") }))).limitBytes === 2500)
    expect((await createUpload("bob", 2000)).status).toBe(201)
    const over = await createUpload("bob", 1000)
    expect(over.status).toBe(413)
    expect((await json(over)).error.code).toBe("QUOTA_EXCEEDED")
  })

  it("null goes back to the environment; bad input and non-admins are refused and change nothing", async () => {
    for (const body of [{ maxFileSizeBytes: 0 }, { maxFileSizeBytes: "big" }, { weeklyUploadLimitBytes: 1.5 }]) {
      const res = await putSettings(body)
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect((await json(res)).error.code).toBe("VALIDATION_FAILED")
    }
    const user = await putSettings({ maxFileSizeBytes: 1 }, await bearer("alice"))
    expect(user.status).toBe(403)
    expect((await json(await t.app.request("/admin/settings", { headers: await admin() }))).effective.maxFileSizeBytes).toBe(10_000)
    const back = await json(await putSettings({ maxFileSizeBytes: null }))
    expect(back.effective).toEqual({ maxFileSizeBytes: 1000, weeklyUploadLimitBytes: 2500 })
    await eventually(async () => (await createUpload("carol", 2000)).status === 413)
  })
})
