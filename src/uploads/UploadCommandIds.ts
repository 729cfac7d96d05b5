/**
 * The command ids of an upload's life, in one place. They are derived from what a command is about (the
 * upload, the offset, the step and attempt), never random: a retried request, a replayed subscription or
 * another process reacting to the same event sends the same id, and the aggregate answers with the first
 * result instead of applying the command twice (CommandEnvelope.commandId). Because the tus routes and the
 * workers take them from here, a request's expiry and the janitor's are one command, and so are the
 * release after a cancel and the release when the cancelled upload is settled.
 */
import type { Milestone, ProcessingStep } from "../domain/upload/UploadCommands.ts"

/** FNV-1a, hex: a short stable tag for long ids inside command ids. */
export const shortHash = (text: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, "0")
}

export const UploadCommandId = {
  // the Quota's side
  reserve: (uploadId: string) => `reserve:${uploadId}`,
  release: (uploadId: string) => `release:${uploadId}`,
  commit: (uploadId: string) => `commit:${uploadId}`,
  reconcile: (uploadId: string) => `reconcile:${uploadId}`,
  // the Upload's bytes and end
  create: (uploadId: string) => `create:${uploadId}`,
  /** A live stream's original adopted as the upload of the same id. */
  adopt: (uploadId: string) => `adopt:${uploadId}`,
  append: (uploadId: string, offset: number, length: number) => `append:${uploadId}@${offset}+${length}`,
  cancel: (uploadId: string) => `cancel:${uploadId}`,
  expire: (uploadId: string) => `expire:${uploadId}`,
  giveUp: (uploadId: string, step: ProcessingStep) => `give-up:${uploadId}:${step}`,
  // processing, per step and attempt
  claim: (uploadId: string, step: ProcessingStep, attempt: number) => `claim:${uploadId}:${step}:${attempt}`,
  chunk: (uploadId: string, multipartUploadId: string, partNumber: number) => `chunk:${uploadId}:${shortHash(multipartUploadId)}:${partNumber}`,
  milestone: (uploadId: string, step: ProcessingStep, attempt: number, milestone: Milestone) =>
    `milestone:${uploadId}:${step}:${attempt}:${milestone}`,
  complete: (uploadId: string, step: ProcessingStep, attempt: number) => `complete:${uploadId}:${step}:${attempt}`,
  fail: (uploadId: string, step: ProcessingStep, attempt: number) => `fail:${uploadId}:${step}:${attempt}`
} as const
