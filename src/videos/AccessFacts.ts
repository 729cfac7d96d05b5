/**
 * The access facts of a videos read-model document (VideoDocument.ts carries them), read defensively: a
 * field missing or malformed in a stored document counts as closed (private, unpublished) — playback fails
 * shut, never open. Allowed origins are optional (none = any).
 */
import type { Visibility, VideoAccessFacts } from "./VideoAccess.ts"

/** The facts playback checks: the shared access facts, plus the origins a video may be embedded from (hotlink protection). */
export interface PlaybackFacts extends VideoAccessFacts {
  /** `https://example.com` origins whose pages may play the video; empty = any. */
  readonly allowedOrigins: ReadonlyArray<string>
}

const VISIBILITIES: ReadonlyArray<Visibility> = ["public", "unlisted", "private"]
const STATUSES: ReadonlyArray<VideoAccessFacts["status"]> = ["uploading", "processing", "ready", "failed"]

const pick = <A>(value: unknown, ok: (v: unknown) => v is A, fallback: A): A => (ok(value) ? value : fallback)
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean"
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0
const isOrigins = (v: unknown): v is ReadonlyArray<string> => Array.isArray(v) && v.every((o) => typeof o === "string")

/** A document of the videos read model (VideosProjection.ts) as access facts; undefined when it is not one. */
export const accessFactsOf = (doc: unknown): PlaybackFacts | undefined => {
  if (typeof doc !== "object" || doc === null) return undefined
  const d = doc as Record<string, unknown>
  if (typeof d.id !== "string" || typeof d.ownerId !== "string") return undefined
  return {
    id: d.id,
    ownerId: d.ownerId,
    status: pick(d.status, (v): v is VideoAccessFacts["status"] => STATUSES.includes(v as never), "processing"),
    visibility: pick(d.visibility, (v): v is Visibility => VISIBILITIES.includes(v as never), "private"),
    published: pick(d.published, isBoolean, false),
    takenDown: pick(d.takenDown, isBoolean, false),
    accessEpoch: pick(d.accessEpoch, isCount, 0),
    allowedOrigins: pick(d.allowedOrigins, isOrigins, [])
  }
}
