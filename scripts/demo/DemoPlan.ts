/** What `npm run demo` makes: its users, categories, clips (ffmpeg lavfi sources), broken files, comments and room chat. */
export const USERS = { full: "alice", half: "bob", none: "carol", other: "dan" } as const
export const GUESTS = ["erin", "frank", "grace", "heidi"]
/** Admin and auditor: categories, quotas, audit. */
export const ADMIN = "demo-admin"

export const CATEGORIES = [
  { slug: "music", name: "Music" },
  { slug: "nature", name: "Nature" },
  { slug: "tech", name: "Science & Tech" },
  { slug: "sports", name: "Sports" },
  { slug: "cooking", name: "Cooking" }
]

export interface Clip {
  readonly name: string
  readonly source: string
  readonly size: string
  readonly seconds: number
  readonly tone: number
}
export interface Plan {
  readonly owner: string
  readonly clip: Clip
  readonly title: string
  readonly description: string
  readonly category: string
}

const clip = (name: string, source: string, size: string, seconds: number, tone: number): Clip => ({ name, source, size, seconds, tone })
// batch 1 is given time to become ready; batch 2 is uploaded last, just before the end, and left processing
export const BATCH1: ReadonlyArray<Plan> = [
  { owner: USERS.full, clip: clip("bars", "smptehdbars", "640x360", 3, 440), title: "Tuning the studio monitors", description: "Colour bars and a 440 Hz tone: the calibration ritual before every session.", category: "music" },
  { owner: USERS.full, clip: clip("mandelbrot", "mandelbrot", "640x360", 4, 330), title: "Diving into the Mandelbrot set", description: "Four seconds of fractal zoom.", category: "tech" },
  { owner: USERS.full, clip: clip("life", "life=mold=10:ratio=0.5:death_color=#203040:life_color=#60c080", "480x270", 3, 523), title: "Game of Life, mould edition", description: "Conway's cellular automaton growing moss.", category: "nature" },
  { owner: USERS.full, clip: clip("pattern", "testsrc2", "1280x720", 2, 660), title: "Morning warm-up in 720p", description: "A quick HD test pattern before the match.", category: "sports" },
  { owner: USERS.half, clip: clip("cells", "cellauto=rule=110", "640x360", 3, 392), title: "Rule 110 slow cooker", description: "Let it simmer: an elementary automaton, one row at a time.", category: "cooking" },
  { owner: USERS.half, clip: clip("rgb", "rgbtestsrc", "426x240", 2, 587), title: "Three primary colours", description: "Red, green, blue. That is the whole recipe.", category: "cooking" },
  { owner: USERS.half, clip: clip("smpte", "smptebars", "640x360", 3, 294), title: "Colour bars at golden hour", description: "Seven bars in the evening light.", category: "nature" },
  { owner: USERS.half, clip: clip("pal", "pal75bars", "640x360", 2, 880), title: "Half-time bars", description: "PAL 75 % bars, the classic interval.", category: "sports" },
  { owner: USERS.other, clip: clip("yuv", "yuvtestsrc", "640x360", 3, 349), title: "YUV explained in three seconds", description: "Luma and chroma, side by side.", category: "tech" }
]
export const BATCH2: ReadonlyArray<Plan> = [
  { owner: USERS.full, clip: clip("gradient", "gradients=speed=0.05", "854x480", 4, 494), title: "Sunset gradient (still processing)", description: "Uploaded last: the workers are on it.", category: "nature" },
  { owner: USERS.half, clip: clip("testsrc", "testsrc", "854x480", 4, 698), title: "Synth test tone (still processing)", description: "Uploaded last: the workers are on it.", category: "music" },
  { owner: USERS.other, clip: clip("pattern2", "testsrc2", "640x360", 4, 784), title: "Ladder check (still processing)", description: "Uploaded last: the workers are on it.", category: "tech" }
]
export const BROKEN = [
  { owner: USERS.other, name: "holiday-corrupted.mp4", title: "Holiday (corrupted copy)" },
  { owner: USERS.other, name: "not-really-a-video.mp4", title: "Not really a video" }
]

export const COMMENTS = [
  "This is exactly what I needed today.",
  "The colours on this one are gorgeous.",
  "How did you film this?",
  "Watched it three times already.",
  "Can you do a longer version?",
  "The sound is a bit loud at the start."
]
export const REPLIES = ["Thanks! More coming soon.", "Agreed!", "Same here.", "Noted, I will fix it next time."]

export const CHAT: ReadonlyArray<readonly [string, string]> = [
  [USERS.full, "Welcome everyone! Starting in a second."],
  [USERS.half, "Hi! Got my popcorn."],
  [USERS.none, "First time in a room, this is neat."],
  [USERS.full, "Pressing play now."],
  [USERS.half, "The colours!"],
  [USERS.none, "Can we watch the fractal one next?"],
  [USERS.full, "Sure, after this one."]
]
