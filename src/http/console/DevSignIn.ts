/**
 * "Sign in as" for development: mints a token with the development secret, for a page opened on
 * this very machine. All of these must hold, or the form is not offered and the route answers 403:
 * - the server checks tokens with the development secret (neither JWT_SECRET nor JWKS_URL is set);
 * - TRUST_PROXY is off (behind a proxy every peer looks local);
 * - the socket's peer is a loopback address, and no Forwarded / X-Forwarded-For header came;
 * - the page was reached by a loopback name (Host is localhost, 127.x.x.x or [::1]): an embedded
 *   server bound to a public address never hands a token to a page loaded over the network, and a
 *   DNS-rebound name is not loopback;
 * - a POST carries an Origin of that same host (another site's page cannot mint one in your browser).
 */
import type { Context } from "hono"
import { sign } from "hono/jwt"
import type { Role } from "../../domain/shared/ActorRoles.ts"
import type { AppEnv } from "../AppEnv.ts"

export interface DevSignInOptions {
  /** The development secret the server checks tokens with. */
  readonly secret: string
  /** JWT_MAX_TTL_SECONDS: a minted token lives min(1 day, this). */
  readonly maxTtlSeconds: number
  /** TRUST_PROXY: when on, sign-in is never offered. */
  readonly trustProxy: boolean
}

const isLoopbackAddress = (ip: string): boolean =>
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === "::1" || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(ip)

/** The host name of a Host header value (`localhost:3000`, `[::1]:3000`). */
const hostName = (host: string): string => (host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "")).toLowerCase()

const isLoopbackHost = (host: string | undefined): boolean => {
  if (host === undefined) return false
  const name = hostName(host)
  return name === "localhost" || name.endsWith(".localhost") || isLoopbackAddress(name)
}

/** Whether this request may see and use the sign-in form; the reason when not (shown to nobody but the log and the 403). */
export const devSignInRefusal = (c: Context<AppEnv>, options: DevSignInOptions | undefined): string | undefined => {
  if (options === undefined) return "tokens are checked with JWT_SECRET or JWKS_URL: sign in with a token from your identity provider"
  if (options.trustProxy) return "TRUST_PROXY is on: the client's address cannot be told from the proxy's"
  if (c.req.header("forwarded") !== undefined || c.req.header("x-forwarded-for") !== undefined) return "the request came through a proxy"
  if (!isLoopbackAddress(c.var.clientIp)) return "the request does not come from this machine"
  const host = c.req.header("host")
  if (!isLoopbackHost(host)) return "the page was not opened at a loopback address (localhost, 127.0.0.1, [::1])"
  if (c.req.method !== "GET" && c.req.header("origin") !== undefined) {
    let originHost = ""
    try {
      originHost = new URL(c.req.header("origin")!).host
    } catch {
      return "the Origin header is not a URL"
    }
    if (originHost.toLowerCase() !== host!.toLowerCase()) return "the request comes from another site's page"
  }
  return undefined
}

const DAY_SECONDS = 86_400

/** A token for `sub` with `roles`, signed with the development secret. */
export const mintDevToken = async (options: DevSignInOptions, sub: string, roles: ReadonlyArray<Role>, nowSeconds: number) => {
  const exp = nowSeconds + Math.min(DAY_SECONDS, options.maxTtlSeconds)
  const token = await sign({ sub, roles: [...roles], iat: nowSeconds, exp }, options.secret, "HS256")
  return { token, expiresAt: new Date(exp * 1000).toISOString() }
}
