/** Role checks on the acting user, shared by every decider. */
import type { Principal } from "./Decider.ts"

export type Role = Principal["roles"][number]

export const hasRole = (actor: Principal, ...roles: ReadonlyArray<Role>): boolean =>
  actor.roles.some((role) => roles.includes(role))

/** Workers and janitors act as the system. */
export const isSystem = (actor: Principal): boolean => hasRole(actor, "system")

export const isAdmin = (actor: Principal): boolean => hasRole(actor, "admin")
