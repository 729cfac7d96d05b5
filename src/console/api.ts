/**
 * The console's client of Keyframe's HTTP API: JSON in and out, the bearer token of the session,
 * the server's error (code and message) as an ApiError whose message is shown to the user as it is.
 * After a command, later reads carry `Keyframe-Min-Position` with the command's position, so a list
 * read right after an edit shows the edit (README "Reading your writes").
 */
import { currentSession } from "./session.ts"
import { ApiError } from "./ApiError.ts"

export { ApiError }

/** The newest event-store position a command of this page returned. */
let lastPosition: string | undefined

const remember = (response: Response, body: unknown) => {
  const position = response.headers.get("Keyframe-Position") ?? (body as { position?: unknown } | null | undefined)?.position
  if ((typeof position === "string" && /^\d+$/.test(position)) || typeof position === "number") {
    const p = String(position)
    if (lastPosition === undefined || BigInt(p) > BigInt(lastPosition)) lastPosition = p
  }
}

export const authHeaders = (): Record<string, string> => {
  const session = currentSession()
  return session === undefined ? {} : { Authorization: `Bearer ${session.token}` }
}

/** Reads a failed response's `{ error: { code, message } }`; falls back to the status text. */
export const errorOf = async (response: Response): Promise<ApiError> => {
  let code = `HTTP_${response.status}`
  let message = response.statusText || `the server answered ${response.status}`
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } }
    if (body.error?.code) code = body.error.code
    if (body.error?.message) message = body.error.message
  } catch {
    // not JSON: keep the status text
  }
  if (response.status === 401) message = `${message} (sign in again)`
  return new ApiError(response.status, code, message)
}

export interface RequestOptions {
  readonly body?: unknown
  readonly headers?: Record<string, string>
  /** Abort with the page (an effect's cleanup). */
  readonly signal?: AbortSignal
}

export const request = async <A>(method: string, path: string, options: RequestOptions = {}): Promise<A> => {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders(), ...options.headers }
  if (options.body !== undefined) headers["Content-Type"] = "application/json"
  if (method === "GET" && lastPosition !== undefined) headers["Keyframe-Min-Position"] = lastPosition
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e
    throw new ApiError(0, "NETWORK", "Keyframe cannot be reached: check your network connection")
  }
  if (!response.ok) throw await errorOf(response)
  const text = response.status === 204 ? "" : await response.text()
  const body = text === "" ? undefined : (JSON.parse(text) as unknown)
  if (method !== "GET") remember(response, body)
  return body as A
}

export const get = <A>(path: string, options?: RequestOptions) => request<A>("GET", path, options)
export const post = <A>(path: string, body?: unknown, options?: RequestOptions) => request<A>("POST", path, { ...options, body })
export const patch = <A>(path: string, body?: unknown, options?: RequestOptions) => request<A>("PATCH", path, { ...options, body })
export const put = <A>(path: string, body?: unknown, options?: RequestOptions) => request<A>("PUT", path, { ...options, body })
export const del = <A>(path: string, options?: RequestOptions) => request<A>("DELETE", path, options)

/** What the server tells the console about itself (`/console/config.json`). */
export interface ConsoleConfig {
  readonly wsPort: number
  readonly devSignIn: boolean
}
export const consoleConfig = () => get<ConsoleConfig>("/console/config.json")
