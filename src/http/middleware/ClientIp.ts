/**
 * The client's address for a request, runtime-neutral: the socket's peer, as the runtime's hono
 * `getConnInfo` reads it (src/runtime/node.ts, deno.ts hand theirs in); or, behind trusted proxies
 * (TRUST_PROXY, TRUST_PROXY_HOPS), the X-Forwarded-For entry the outermost trusted proxy appended
 * (src/net/ForwardedFor.ts, shared with the WebSocket upgrades). X-Real-IP is not read (nothing says which hop set it).
 */
import type { Context, MiddlewareHandler } from "hono"
import type { GetConnInfo } from "hono/conninfo"
import { clientAddressOf } from "../../net/ForwardedFor.ts"
import type { AppEnv } from "../AppEnv.ts"

/**
 * `trustedProxyHops`: how many proxies in front of this server append to X-Forwarded-For; 0 = none
 * (the socket's peer is the client). `true`/`false` mean 1/0, for callers that only know TRUST_PROXY.
 */
export const clientIp = (c: Context<any>, trustedProxyHops: number | boolean, connInfo?: GetConnInfo): string => {
  const hops = typeof trustedProxyHops === "boolean" ? (trustedProxyHops ? 1 : 0) : trustedProxyHops
  // without a reader (an app called with `app.request`, no socket) the peer is "unknown"
  return clientAddressOf(c.req.header("X-Forwarded-For"), connInfo?.(c).remote.address, hops)
}

/** Sets `c.var.clientIp` once per request: the log, the rate limiter and the live feeds' caps see the same address. */
export const clientAddress = (options: { readonly trustedProxyHops: number; readonly connInfo?: GetConnInfo | undefined }): MiddlewareHandler<AppEnv> =>
async (c, next) => {
  c.set("clientIp", clientIp(c, options.trustedProxyHops, options.connInfo))
  await next()
}
