/** Reading what ffmpeg/ffprobe print on stderr: why a whitelist refused the input, and lines fit for a person. */

/** ffmpeg names the detected demuxer in the log prefix: `[hls @ 0x55d5…] Format not on whitelist 'mov,…'`. */
const NOT_ON_WHITELIST = /^(?:\[([^\s\]]+) @ 0x[0-9a-f]+\] )?Format not on whitelist/m

/**
 * The demuxer ffmpeg detected and refused when that is why it stopped (`unknown` when a build prints no
 * prefix); undefined when it stopped for another reason.
 */
export const refusedDemuxer = (stderr: string): string | undefined => {
  const match = NOT_ON_WHITELIST.exec(stderr)
  return match === null ? undefined : match[1] ?? "unknown"
}

/**
 * A log line for a person: no context pointers (`[libx264 @ 0x55…]` → `[libx264]`) and no directories, so
 * scratch paths never reach an upload's failure reason (`'/tmp/x/seg0.ts'` → `'seg0.ts'`; URLs are kept).
 */
export const readableLine = (line: string): string =>
  line.replace(/ @ 0x[0-9a-f]+\]/g, "]").replace(/(^|[\s'"(=])\/(?:[^\s/'"]+\/)+/g, "$1").trim()
