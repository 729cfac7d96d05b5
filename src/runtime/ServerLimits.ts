/** Bounds on an HTTP listener's connections (the HTTP_* settings); each runtime applies what it can (node.ts, deno.ts). */
import type { KeyframeSettings } from "../config.ts"

export interface ServerLimits {
  /** Longest a client may take to send a request's headers. */
  readonly headersTimeoutMs: number
  /** Longest one whole request may take (its body included); 0 = no bound. */
  readonly requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number
  /** Open connections accepted at once; more are closed as they arrive. */
  readonly maxConnections: number
}

export const serverLimits = (config: KeyframeSettings): ServerLimits => ({
  headersTimeoutMs: config.http.headersTimeoutSeconds * 1000,
  requestTimeoutMs: config.http.requestTimeoutSeconds * 1000,
  keepAliveTimeoutMs: config.http.keepAliveTimeoutSeconds * 1000,
  maxConnections: config.http.maxConnections
})
