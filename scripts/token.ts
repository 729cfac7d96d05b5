/**
 * Mints a development bearer token: `npm run token -- --sub alice --roles user,sponsor [--ttl 24h]`.
 * The token carries iat and exp; its lifetime defaults to 24 h (or JWT_MAX_TTL_SECONDS when smaller),
 * and a longer --ttl is refused, as the server would refuse the token. Signs HS256 with JWT_SECRET (environment, then .env), or, when neither JWT_SECRET nor JWKS_URL is
 * set, with the development secret the server uses (DATA_DIR/jwt-dev-secret, created if missing).
 * Prints only the token on stdout, so `TOKEN=$(npm run --silent token -- --sub alice)` works.
 */
import { parseArgs } from "node:util"
import { Effect, Redacted } from "effect"
import { sign } from "hono/jwt"
import { type KeyframeSettings, loadConfig } from "../src/config.ts"
import { ROLES } from "../src/http/auth/Auth.ts"
import { loadOrCreateDevSecret } from "../src/runtime/DevJwtSecret.ts"
import { nodeConfigProvider } from "../src/runtime/NodeConfigProvider.ts"

const USAGE = "usage: npm run token -- --sub <user id> [--roles user,sponsor,admin,auditor] [--ttl 24h] [--secret <hs256 secret>]"

const fail = (message: string): never => {
  console.error(`token: ${message}\n${USAGE}`)
  process.exit(2)
}

const { values } = parseArgs({
  options: {
    sub: { type: "string" },
    roles: { type: "string", default: "user" },
    ttl: { type: "string" },
    secret: { type: "string" },
    help: { type: "boolean", short: "h" }
  }
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}

const sub = values.sub ?? fail("--sub is required")
if (!/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/.test(sub)) fail(`--sub ${JSON.stringify(sub)} is not a valid user id (letters, digits, _ . : @ -)`)
const roles = values.roles.split(",").map((r) => r.trim()).filter((r) => r !== "")
const unknown = roles.filter((r) => !(ROLES as ReadonlyArray<string>).includes(r))
if (unknown.length > 0 || roles.length === 0) fail(`--roles must be among ${ROLES.join(", ")} (got ${values.roles})`)
const DEFAULT_TTL_SECONDS = 86_400
const ttl = values.ttl === undefined
  ? undefined
  : /^(\d+)([smhd])$/.exec(values.ttl) ?? fail(`--ttl must look like 90s, 30m, 24h or 7d (got ${values.ttl})`)
const askedSeconds = ttl === undefined ? undefined : Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[ttl[2] as "s" | "m" | "h" | "d"]

const provider = nodeConfigProvider()

/** --secret, else JWT_SECRET, else the development secret the server uses. */
const signingSecret = (config: KeyframeSettings) =>
  Effect.gen(function*() {
    if (values.secret !== undefined) return values.secret
    if (config.auth.jwtSecret !== undefined) return Redacted.value(config.auth.jwtSecret)
    if (config.auth.jwksUrl !== undefined) {
      return fail("JWKS_URL is set and JWT_SECRET is not: the server accepts tokens from your identity provider; pass --secret to sign HS256 anyway")
    }
    const dev = yield* loadOrCreateDevSecret(config.server.dataDir)
    console.error(`token: signed with the development secret in ${dev.path}`)
    return dev.secret
  })

const { secret, seconds } = await Effect.runPromise(
  Effect.gen(function*() {
    const config = yield* loadConfig(provider)
    const max = config.auth.jwtMaxTtlSeconds
    if (askedSeconds !== undefined && askedSeconds > max) {
      return fail(`--ttl ${values.ttl} is longer than JWT_MAX_TTL_SECONDS (${max} s): the server would refuse the token`)
    }
    const seconds = askedSeconds ?? Math.min(DEFAULT_TTL_SECONDS, max)
    return { secret: yield* signingSecret(config), seconds }
  })
).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)))

const now = Math.floor(Date.now() / 1000)
console.log(await sign({ sub, roles, iat: now, exp: now + seconds }, secret, "HS256"))
