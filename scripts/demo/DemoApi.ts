/**
 * The demo's client of a running Keyframe's public API: HS256 tokens minted with the server's secret (the
 * way `npm run token` does; `admin` also gets the admin and auditor roles), JSON calls that throw an
 * ApiError with the server's code and words, a retry while a resource is not there yet, and tus uploads.
 */
import { sign } from "hono/jwt"
import { Upload } from "tus-js-client"
import { ApiError } from "../../src/console/ApiError.ts"

export { ApiError }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const demoApi = (base: string, secret: string, admin: string) => {
  const tokens = new Map<string, Promise<string>>()
  const token = (sub: string) => {
    let t = tokens.get(sub)
    if (t === undefined) {
      const now = Math.floor(Date.now() / 1000)
      t = sign({ sub, roles: sub === admin ? ["user", "admin", "auditor"] : ["user"], iat: now, exp: now + 3600 }, secret, "HS256")
      tokens.set(sub, t)
    }
    return t
  }

  const api = async <A = unknown>(sub: string, method: string, path: string, body?: unknown): Promise<A> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await token(sub)}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    if (!response.ok) {
      let code = "HTTP_" + response.status
      let message = text
      try {
        const e = JSON.parse(text).error
        code = e.code
        message = e.message
      } catch {}
      throw new ApiError(response.status, code, `${method} ${path} → ${response.status} ${code}: ${message}`)
    }
    return (text === "" ? undefined : JSON.parse(text)) as A
  }

  /** Retries `f` while it fails with 404 (a video appears shortly after its upload's creation) or 503. */
  const retrying = async <A>(f: () => Promise<A>, seconds = 20): Promise<A> => {
    const deadline = Date.now() + seconds * 1000
    for (;;) {
      try {
        return await f()
      } catch (e) {
        if (!(e instanceof ApiError && (e.status === 404 || e.status === 503)) || Date.now() > deadline) throw e
        await sleep(300)
      }
    }
  }

  /** A tus upload as `owner`; the upload's id is the video's id. */
  const upload = async (owner: string, data: Buffer, filename: string): Promise<string> => {
    const auth = await token(owner)
    const url = await new Promise<string>((resolve, reject) => {
      const u: Upload = new Upload(data, {
        endpoint: `${base}/files`,
        headers: { Authorization: `Bearer ${auth}` },
        metadata: { filename, filetype: "video/mp4" },
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000],
        onSuccess: () => resolve(u.url!),
        onError: reject
      })
      u.start()
    })
    return url.slice(url.lastIndexOf("/") + 1)
  }

  return { token, api, retrying, upload }
}
