/** Reads ffmpeg's media playlists and writes the master playlist with every attribute players use. Pure. */

export interface Segment {
  readonly uri: string
  readonly durationSeconds: number
}

/** The segments of a media playlist (`#EXTINF:<duration>,` then the URI). */
export const parseMediaPlaylist = (text: string): ReadonlyArray<Segment> => {
  const segments: Array<Segment> = []
  let pending: number | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line.startsWith("#EXTINF:")) pending = Number.parseFloat(line.slice("#EXTINF:".length))
    else if (line !== "" && !line.startsWith("#") && pending !== undefined) {
      segments.push({ uri: line, durationSeconds: pending })
      pending = undefined
    }
  }
  return segments
}

/**
 * BANDWIDTH is the peak segment bit rate and AVERAGE-BANDWIDTH the overall one (RFC 8216 §4.3.4.2), both
 * measured on the written segments. A short tail segment (under 1 s) is left out of the peak: a keyframe
 * in a fraction of a second is no sustained rate.
 */
export const measureBandwidth = (
  segments: ReadonlyArray<Segment & { readonly bytes: number }>
): { readonly peak: number; readonly average: number } => {
  const totalBits = segments.reduce((n, s) => n + s.bytes * 8, 0)
  const totalSeconds = segments.reduce((n, s) => n + s.durationSeconds, 0)
  const counted = segments.filter((s, i) => s.durationSeconds >= 1 || segments.length === 1 || i < segments.length - 1)
  const peak = Math.max(0, ...counted.map((s) => (s.bytes * 8) / Math.max(s.durationSeconds, 0.001)))
  const average = totalSeconds > 0 ? totalBits / totalSeconds : 0
  return { peak: Math.ceil(peak), average: Math.ceil(Math.min(average, peak || average)) }
}

export interface VariantStream {
  readonly uri: string
  readonly bandwidth: number
  readonly averageBandwidth: number
  readonly codecs: ReadonlyArray<string>
  readonly width: number
  readonly height: number
  readonly frameRate: number
}

/** A master playlist listing the variants from the lowest bandwidth up. */
export const masterPlaylist = (variants: ReadonlyArray<VariantStream>): string => {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
  for (const v of [...variants].sort((a, b) => a.bandwidth - b.bandwidth)) {
    const attributes = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS="${v.codecs.join(",")}"`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`
    ]
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(",")}`, v.uri)
  }
  return `${lines.join("\n")}\n`
}
