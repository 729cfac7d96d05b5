/** The client's address, runtime-neutral: read from what the server adapter hands Hono as `c.env`, or from X-Forwarded-For behind a trusted proxy. */
import type { Context } from "hono"

/** @hono/node-server passes `{ incoming }` (an IncomingMessage); Deno.serve passes `{ remoteAddr }`. */
interface ServerEnv {
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } }
  readonly remoteAddr?: { readonly hostname?: string }
}

export const clientIp = (c: Context<any>, trustProxy: boolean): string => {
  if (trustProxy) {
    const forwarded = c.req.header("X-Forwarded-For")?.split(",")[0]?.trim() || c.req.header("X-Real-IP")?.trim()
    if (forwarded) return forwarded
  }
  const env = c.env as ServerEnv | undefined
  const ip = env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname
  // IPv4-mapped IPv6 (::ffff:1.2.3.4) counts as the IPv4 address
  return ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "") ?? "unknown"
}
