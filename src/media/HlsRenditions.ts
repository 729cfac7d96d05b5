/** The HLS ladder plan: which renditions a source gets, their sizes, bit rates and H.264 levels. Pure. */

export interface Rung {
  /** The rendition's short side: 360 for "360p" (the height of a landscape video, the width of a portrait one). */
  readonly shortSide: number
  readonly videoBitrate: number
  readonly audioBitrate: number
}

/** The standard rungs; a source gets those not above its own short side (DESIGN.md §6). */
export const LADDER: ReadonlyArray<Rung> = [
  { shortSide: 360, videoBitrate: 800_000, audioBitrate: 96_000 },
  { shortSide: 480, videoBitrate: 1_400_000, audioBitrate: 128_000 },
  { shortSide: 720, videoBitrate: 2_800_000, audioBitrate: 128_000 },
  { shortSide: 1080, videoBitrate: 5_000_000, audioBitrate: 160_000 }
]

export interface Rendition {
  /** "360p", also the rendition's directory name. */
  readonly name: string
  readonly width: number
  readonly height: number
  readonly videoBitrate: number
  readonly audioBitrate: number
  /** H.264 level_idc (31 = 3.1): the smallest level that fits the frame size and rate. */
  readonly level: number
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2))

/** H.264 Annex A: level_idc, max macroblocks per frame, max macroblocks per second. */
const LEVELS: ReadonlyArray<readonly [number, number, number]> = [
  [30, 1620, 40_500],
  [31, 3600, 108_000],
  [32, 5120, 216_000],
  [40, 8192, 245_760],
  [42, 8704, 522_240],
  [50, 22_080, 589_824],
  [51, 36_864, 983_040],
  [52, 36_864, 2_073_600]
]

export const levelFor = (width: number, height: number, fps: number): number => {
  const frame = Math.ceil(width / 16) * Math.ceil(height / 16)
  const perSecond = frame * Math.max(1, fps)
  return LEVELS.find(([, fs, mbps]) => frame <= fs && perSecond <= mbps)?.[0] ?? 52
}

/**
 * The renditions for a source of `width`×`height` (display size): every standard rung not above the
 * source's short side, or one rendition at the source's own size when it is smaller than 360p.
 */
export const planLadder = (width: number, height: number, fps: number): ReadonlyArray<Rendition> => {
  const portrait = height > width
  const short = Math.min(width, height)
  const long = Math.max(width, height)
  const fitting = LADDER.filter((r) => r.shortSide <= short)
  const rungs = fitting.length > 0
    ? fitting
    : [{ shortSide: even(short), videoBitrate: Math.max(200_000, Math.round((800_000 * short) / 360)), audioBitrate: 64_000 }]
  return rungs.map((rung) => {
    const s = even(rung.shortSide)
    const l = even((long * s) / short)
    const [w, h] = portrait ? [s, l] : [l, s]
    return {
      name: `${s}p`,
      width: w,
      height: h,
      videoBitrate: rung.videoBitrate,
      audioBitrate: rung.audioBitrate,
      level: levelFor(w, h, fps)
    }
  })
}

/** RFC 6381 codec string of the H.264 High profile at a level (x264 sets no constraint flags for High). */
export const avcCodec = (level: number): string => `avc1.6400${level.toString(16).padStart(2, "0")}`
export const AAC_LC = "mp4a.40.2"
