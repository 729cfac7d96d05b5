/** What a realtime transport provides: listen on WS_PORT and hand sockets to the channel (RealtimeChannel.ts) until the scope closes. */
import { Data, type Effect, type Scope } from "effect"
import type { RealtimeChannel } from "./RealtimeChannel.ts"

export class RealtimeStartFailed extends Data.TaggedError("RealtimeStartFailed")<{ readonly reason: string }> {
  override get message() {
    return `realtime listener did not start: ${this.reason}`
  }
}

export interface RealtimeListening {
  readonly port: number
  /** For the start-up line: "uWebSockets.js 20.30.0", "ws 8". */
  readonly transport: string
}

export type ServeRealtime = (channel: RealtimeChannel, port: number) => Effect.Effect<RealtimeListening, RealtimeStartFailed, Scope.Scope>

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  410: "Gone",
  429: "Too Many Requests",
  426: "Upgrade Required",
  503: "Service Unavailable"
}

/** The reason phrase of a refusal's status line. */
export const reasonPhrase = (status: number): string => REASONS[status] ?? "Error"

/** A refused upgrade as raw HTTP/1.1 (for transports that answer on the socket). */
export const refusalResponse = (status: number, code: string, message: string): string => {
  const body = JSON.stringify({ error: { code, message } })
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\nConnection: close\r\n\r\n${body}`
}
