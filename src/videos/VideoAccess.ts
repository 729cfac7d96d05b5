/**
 * Who may see and watch a video: the one rule shared by the catalog queries, the playback route and
 * engagement (views, ratings, comments). Pure; the facts come from the videos read model.
 */
import type { Principal } from "../domain/shared/Decider.ts"
import { isAdmin } from "../domain/shared/ActorRoles.ts"

export type Visibility = "public" | "unlisted" | "private"

/** What the rule needs of a catalog entry (the videos read model's document carries these fields). */
export interface VideoAccessFacts {
  readonly id: string
  readonly ownerId: string
  readonly status: "uploading" | "processing" | "ready" | "failed"
  readonly visibility: Visibility
  readonly published: boolean
  /** An admin takedown is in force. */
  readonly takenDown: boolean
  /**
   * Global position of the newest event that narrowed who may watch (made private, unpublished, taken
   * down); 0 = never. A playback token minted before it no longer plays.
   */
  readonly accessEpoch: number
}

const isOwnerOrAdmin = (facts: VideoAccessFacts, principal: Principal) =>
  facts.ownerId === principal.userId || isAdmin(principal)

/** The entry is visible to the caller: owner and admins always; others a published, public or unlisted, ready video not taken down. */
export const canSee = (facts: VideoAccessFacts, principal: Principal): boolean =>
  isOwnerOrAdmin(facts, principal) ||
  (facts.status === "ready" && facts.published && !facts.takenDown && facts.visibility !== "private")

/** Listed for others (in `/videos`, feeds): visible and public (unlisted is reachable by id only). */
export const isListedFor = (facts: VideoAccessFacts, principal: Principal): boolean =>
  canSee(facts, principal) && (isOwnerOrAdmin(facts, principal) || facts.visibility === "public")

/** The caller may get a playback URL: visible, ready, and (except for admins) not taken down. */
export const canWatch = (facts: VideoAccessFacts, principal: Principal): boolean =>
  facts.status === "ready" && canSee(facts, principal) && (!facts.takenDown || isAdmin(principal))
