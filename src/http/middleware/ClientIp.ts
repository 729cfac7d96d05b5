/**
 * The client's address, runtime-neutral: the socket's peer, as the runtime's hono `getConnInfo` reads
 * it (src/runtime/node.ts, deno.ts hand theirs in); or, behind trusted proxies (TRUST_PROXY, TRUST_PROXY_HOPS), the X-Forwarded-For
 * entry the outermost trusted proxy appended. Each proxy appends the address it was reached from, so
 * with `hops` proxies that entry is the `hops`-th from the right; everything left of it is whatever
 * the client sent and is never used. A header with fewer entries than `hops`, or no address at that
 * place, did not pass through every trusted proxy: the socket's peer is used then, the one address
 * the client cannot choose. X-Real-IP is not read (nothing says which hop set it).
 */
import type { Context, MiddlewareHandler } from "hono"
import type { GetConnInfo } from "hono/conninfo"
import type { AppEnv } from "../AppEnv.ts"

// IPv4 or IPv6 text only: anything else at the trusted position is not taken as an address (nor logged)
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*)$/i

// IPv4-mapped IPv6 (::ffff:1.2.3.4) counts as the IPv4 address
const normalized = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "")

// without a reader (an app called with `app.request`, no socket) the peer is "unknown"
const socketPeer = (c: Context<any>, connInfo: GetConnInfo | undefined): string => {
  const ip = connInfo?.(c).remote.address
  return ip === undefined ? "unknown" : normalized(ip)
}

/** The address `hops` trusted proxies report, or undefined when the header cannot be trusted that far. */
const forwardedFor = (header: string | undefined, hops: number): string | undefined => {
  if (header === undefined) return undefined
  // several X-Forwarded-For lines arrive joined with ", ": one list either way
  const entries = header.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const entry = entries[entries.length - hops]
  return entry !== undefined && entry.length <= 45 && ADDRESS.test(entry) ? normalized(entry) : undefined
}

/**
 * `trustedProxyHops`: how many proxies in front of this server append to X-Forwarded-For; 0 = none
 * (the socket's peer is the client). `true`/`false` mean 1/0, for callers that only know TRUST_PROXY.
 */
export const clientIp = (c: Context<any>, trustedProxyHops: number | boolean, connInfo?: GetConnInfo): string => {
  const hops = typeof trustedProxyHops === "boolean" ? (trustedProxyHops ? 1 : 0) : trustedProxyHops
  return (hops > 0 ? forwardedFor(c.req.header("X-Forwarded-For"), hops) : undefined) ?? socketPeer(c, connInfo)
}

/** Sets `c.var.clientIp` once per request: the log, the rate limiter and the live feeds' caps see the same address. */
export const clientAddress = (options: { readonly trustedProxyHops: number; readonly connInfo?: GetConnInfo | undefined }): MiddlewareHandler<AppEnv> =>
async (c, next) => {
  c.set("clientIp", clientIp(c, options.trustedProxyHops, options.connInfo))
  await next()
}
