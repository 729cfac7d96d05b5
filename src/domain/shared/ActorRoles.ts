/** Role checks on the acting user, shared by every decider. */
import type { Actor } from "./Decider.ts"

export type Role = Actor["roles"][number]

export const hasRole = (actor: Actor, ...roles: ReadonlyArray<Role>): boolean =>
  actor.roles.some((role) => roles.includes(role))

/** Workers and janitors act as the system. */
export const isSystem = (actor: Actor): boolean => hasRole(actor, "system")

export const isAdmin = (actor: Actor): boolean => hasRole(actor, "admin")
