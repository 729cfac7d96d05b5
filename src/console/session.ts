/**
 * Who is signed in: the bearer token, kept in localStorage so a reload stays signed in, and the
 * claims the page needs (sub, roles, exp) read from it. The server checks the token on every
 * request; these claims only decide what the page shows.
 */
export type Role = "user" | "sponsor" | "admin" | "auditor"

export interface Session {
  readonly token: string
  readonly sub: string
  readonly roles: ReadonlyArray<Role>
  /** Epoch ms; undefined when the token carries no exp. */
  readonly expiresAt: number | undefined
}

const KEY = "keyframe.token"
const listeners = new Set<() => void>()

const base64UrlJson = (part: string): Record<string, unknown> => {
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=")
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>
}

/** The session a token stands for, or a reason it is not one (shown on the sign-in page). */
export const sessionFromToken = (token: string): Session | string => {
  const parts = token.trim().split(".")
  if (parts.length !== 3) return "that is not a JWT (three dot-separated parts)"
  let claims: Record<string, unknown>
  try {
    claims = base64UrlJson(parts[1]!)
  } catch {
    return "the token's claims cannot be read"
  }
  if (typeof claims.sub !== "string") return "the token has no sub (user id)"
  const roles = Array.isArray(claims.roles) ? (claims.roles.filter((r) => typeof r === "string") as Array<Role>) : ["user" as Role]
  const expiresAt = typeof claims.exp === "number" ? claims.exp * 1000 : undefined
  if (expiresAt !== undefined && expiresAt <= Date.now()) return "the token has expired"
  return { token: token.trim(), sub: claims.sub, roles, expiresAt }
}

export const currentSession = (): Session | undefined => {
  const token = localStorage.getItem(KEY)
  if (token === null) return undefined
  const session = sessionFromToken(token)
  return typeof session === "string" ? undefined : session
}

export const signIn = (token: string): Session | string => {
  const session = sessionFromToken(token)
  if (typeof session !== "string") {
    localStorage.setItem(KEY, session.token)
    listeners.forEach((l) => l())
  }
  return session
}

export const signOut = () => {
  localStorage.removeItem(KEY)
  listeners.forEach((l) => l())
}

export const hasRole = (session: Session | undefined, ...roles: ReadonlyArray<Role>) =>
  session !== undefined && roles.some((r) => session.roles.includes(r))

/** Calls `listener` after every sign-in and sign-out; returns the unsubscribe. */
export const onSessionChange = (listener: () => void) => {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
