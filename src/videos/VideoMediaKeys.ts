/** What deleting a video removes from the object store: its published ladder and thumbnail, the sealed original, left-over work. */
import { mediaPrefix, originalKey, workPrefix } from "../uploads/UploadObjectKeys.ts"

export const videoObjectPrefixes = (videoId: string): ReadonlyArray<string> => [mediaPrefix(videoId), workPrefix(videoId)]

export const videoObjectKeys = (videoId: string): ReadonlyArray<string> => [originalKey(videoId)]
