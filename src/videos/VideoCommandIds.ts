/**
 * The command ids of video and catalog commands. Creation and deletion have a natural key (one per
 * video); the owner's edits and the admins' catalog changes take the caller's Idempotency-Key, or none
 * (a slug can be created, removed and created again, so it is no key on its own).
 */
import { safeKey } from "../rooms/RoomCommandIds.ts"

export const videoCommandIds = {
  /** Every reaction to the same UploadReady (replays, other nodes) sends this one id. */
  create: (videoId: string) => `video-create:${videoId}`,
  delete: (videoId: string) => `video-delete:${videoId}`,
  /** One clearing per video and category removal (the removal's global position). */
  uncategorize: (videoId: string, removedAt: number) => `video-uncategorize:${videoId}:${removedAt}`,
  byCaller: (verb: string, id: string, userId: string, key: string | undefined) => {
    const safe = safeKey(key)
    return safe === undefined ? undefined : `video-${verb}:${id}:${userId}:${safe}`
  },
  seedCatalog: "catalog-seed"
} as const
