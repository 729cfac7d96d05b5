/** The settings every decider reads from its `DecideContext`: plain data, defaults from DESIGN.md §6. */

const GiB = 1024 * 1024 * 1024
const MiB = 1024 * 1024

export interface DomainSettings {
  /** Bytes a user may upload per quota period (a week). */
  readonly weeklyUploadLimitBytes: number
  /** Day the quota period starts: 0 = Sunday … 6 = Saturday, UTC. */
  readonly quotaResetDay: number
  /** Hour (0–23, UTC) the quota period starts on `quotaResetDay`. */
  readonly quotaResetHour: number
  readonly maxFileSizeBytes: number
  /** Lower-case container names, e.g. ["mp4", "webm"]. */
  readonly acceptedVideoFormats: ReadonlyArray<string>
  /** Claims of one processing step, the first one included. */
  readonly jobMaxAttempts: number
  /** Backoff after a failed attempt: `jobRetryDelaySeconds * 2^(attempt-1)`. */
  readonly jobRetryDelaySeconds: number
  /** Upper bound of one step's lease: a longer requested lease is cut to this. */
  readonly videoProcessingTimeoutSeconds: number
  /** Lease a worker gets when its claim does not ask for one. */
  readonly stepLeaseSeconds: number
  /** An upload with no new bytes for this long may be expired by the janitor. */
  readonly uploadExpiryHours: number
  readonly chunkSizeBytes: number
  /** A stream with no growth for this long is ended by its watcher. */
  readonly streamTimeoutSeconds: number
  readonly defaultMaxParticipants: number
  /** -1 = unlimited. */
  readonly sponsorMaxParticipants: number
  /** A room with no activity for this long may be closed by the janitor. */
  readonly inactiveRoomRetentionHours: number
  /** How long a member whose last connection dropped stays in the room. */
  readonly memberGraceSeconds: number
  /** Visibility of a new video (published from the start): "private" keeps it to its owner until they choose. */
  readonly defaultVisibility: "public" | "unlisted" | "private"
}

export const defaultDomainSettings: DomainSettings = {
  weeklyUploadLimitBytes: 4 * GiB,
  quotaResetDay: 0,
  quotaResetHour: 0,
  maxFileSizeBytes: 2 * GiB,
  acceptedVideoFormats: ["mp4", "mov", "avi", "mkv", "webm"],
  jobMaxAttempts: 3,
  jobRetryDelaySeconds: 5,
  videoProcessingTimeoutSeconds: 300,
  stepLeaseSeconds: 60,
  uploadExpiryHours: 24,
  chunkSizeBytes: 10 * MiB,
  streamTimeoutSeconds: 30,
  defaultMaxParticipants: 10,
  sponsorMaxParticipants: -1,
  inactiveRoomRetentionHours: 24,
  memberGraceSeconds: 30,
  defaultVisibility: "private"
}
