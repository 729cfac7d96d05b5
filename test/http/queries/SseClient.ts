/** A minimal Server-Sent Events reader over fetch (what EventSource does, minus reconnection), for tests. */

export interface SseEvent {
  readonly id: string | undefined
  readonly event: string
  readonly data: any
}

export interface SseConnection {
  readonly status: number
  /** Resolves with the next message (comments and retry lines skipped); undefined when the stream ended. */
  next(timeoutMs?: number): Promise<SseEvent | undefined>
  /** Messages until one matches (inclusive). */
  until(predicate: (e: SseEvent) => boolean, timeoutMs?: number): Promise<Array<SseEvent>>
  close(): void
}

export const connectSse = async (url: string, headers: Record<string, string>): Promise<SseConnection> => {
  const controller = new AbortController()
  const res = await fetch(url, { headers: { Accept: "text/event-stream", ...headers }, signal: controller.signal })
  const reader = res.body?.getReader()
  const decoder = new TextDecoder()
  let buffer = ""
  const pending: Array<SseEvent> = []
  let ended = false
  /** One read at a time: a timed-out wait keeps its read for the next call. */
  let inflight: Promise<ReadableStreamReadResult<Uint8Array>> | undefined

  const parse = () => {
    for (;;) {
      const end = buffer.indexOf("\n\n")
      if (end < 0) return
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let id: string | undefined
      let event = "message"
      const data: Array<string> = []
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue
        const colon = line.indexOf(":")
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
        if (field === "id") id = value
        else if (field === "event") event = value
        else if (field === "data") data.push(value)
      }
      if (data.length > 0) pending.push({ id, event, data: JSON.parse(data.join("\n")) })
    }
  }

  const next = async (timeoutMs = 10_000): Promise<SseEvent | undefined> => {
    const deadline = Date.now() + timeoutMs
    while (pending.length === 0 && !ended) {
      if (!reader) return undefined
      const left = deadline - Date.now()
      if (left <= 0) throw new Error("SSE: timed out waiting for a message")
      inflight ??= reader.read()
      const chunk = await Promise.race([inflight, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left))])
      if (chunk === "timeout") continue
      inflight = undefined
      if (chunk.done) ended = true
      else buffer += decoder.decode(chunk.value, { stream: true })
      parse()
    }
    return pending.shift()
  }

  return {
    status: res.status,
    next,
    until: async (predicate, timeoutMs = 10_000) => {
      const out: Array<SseEvent> = []
      for (;;) {
        const e = await next(timeoutMs)
        if (e === undefined) throw new Error(`SSE ended before the expected message; got ${JSON.stringify(out.map((x) => x.event))}`)
        out.push(e)
        if (predicate(e)) return out
      }
    },
    close: () => controller.abort()
  }
}
