/** How the media workers of one process run; `workerOptions` derives them from the configuration. */
import type { KeyframeSettings } from "../config.ts"
import { MiB } from "../config.ts"

export interface WorkerOptions {
  /** This process's name on leases (`StepClaimed.workerId`). */
  readonly workerId: string
  /** WORKER_CONCURRENCY: processing steps this process runs at once. */
  readonly concurrency: number
  /** VIDEO_PROCESSING_TIMEOUT: the bound on one attempt, and its lease. */
  readonly processingTimeoutSeconds: number
  readonly chunkSizeBytes: number
  readonly jobMaxAttempts: number
  readonly uploadExpiryHours: number
  /** Wait past an expired lease before taking over; default 2 s. */
  readonly leaseGraceMs?: number | undefined
  /** Longest sleep between looks at what is due; default 1 s. */
  readonly pollMs?: number | undefined
  /** Durable checkpoint name shared by every worker process; default "media-workers". */
  readonly checkpointName?: string | undefined
  /** Back-off after a failed clean-up or a refused expiry; default 5 s. */
  readonly retryMs?: number | undefined
}

export const workerOptions = (config: KeyframeSettings, workerId: string): WorkerOptions => ({
  workerId,
  concurrency: config.media.workerConcurrency,
  processingTimeoutSeconds: config.media.processingTimeoutSeconds,
  chunkSizeBytes: config.stream.chunkSizeMb * MiB,
  jobMaxAttempts: config.media.jobMaxAttempts,
  uploadExpiryHours: config.upload.expiryHours
})

/** A fresh worker id: `worker-` and 12 random hex digits (fits an EntityId). */
export const newWorkerId = (): string => `worker-${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
