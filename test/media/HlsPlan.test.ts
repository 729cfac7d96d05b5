/** The pure parts of the ladder: which renditions a source gets, their H.264 levels, bandwidth and the master playlist text. */
import { describe, expect, it } from "vitest"
import { masterPlaylist, measureBandwidth, parseMediaPlaylist } from "../../src/media/HlsPlaylist.ts"
import { cascadeFilter } from "../../src/media/HlsLadder.ts"
import { avcCodec, levelFor, planLadder } from "../../src/media/HlsRenditions.ts"

const sizes = (w: number, h: number, fps = 30) => planLadder(w, h, fps).map((r) => `${r.name}:${r.width}x${r.height}@${r.level}`)

describe("planLadder", () => {
  it("never goes above the source's short side and keeps its aspect ratio", () => {
    expect(sizes(1920, 1080)).toEqual(["360p:640x360@30", "480p:854x480@31", "720p:1280x720@31", "1080p:1920x1080@40"])
    expect(sizes(3840, 2160)).toEqual(["360p:640x360@30", "480p:854x480@31", "720p:1280x720@31", "1080p:1920x1080@40"])
    expect(sizes(1280, 720)).toEqual(["360p:640x360@30", "480p:854x480@31", "720p:1280x720@31"])
    expect(sizes(1000, 700)).toEqual(["360p:514x360@30", "480p:686x480@30"])
    expect(sizes(720, 1280)).toEqual(["360p:360x640@30", "480p:480x854@31", "720p:720x1280@31"])
  })

  it("gives a source below 360p one rendition at its own (even) size", () => {
    expect(sizes(320, 240)).toEqual(["240p:320x240@30"])
    expect(sizes(175, 99)).toEqual(["100p:176x100@30"])
  })

  it("picks the H.264 level from frame size and rate", () => {
    expect([levelFor(1920, 1080, 30), levelFor(1920, 1080, 60), levelFor(1280, 720, 60), levelFor(640, 360, 30)]).toEqual([40, 42, 32, 30])
    expect([avcCodec(30), avcCodec(31), avcCodec(40)]).toEqual(["avc1.64001e", "avc1.64001f", "avc1.640028"])
  })
})

describe("cascadeFilter", () => {
  it("scales each rendition from the next larger one, converting the pixel format once", () => {
    expect(cascadeFilter(planLadder(1920, 1080, 30)).split(";")).toEqual([
      "[0:v]format=yuv420p[src]",
      "[src]scale=1920:1080,setsar=1,split=2[v3][next0]",
      "[next0]scale=1280:720,setsar=1,split=2[v2][next1]",
      "[next1]scale=854:480,setsar=1,split=2[v1][next2]",
      "[next2]scale=640:360,setsar=1[v0]"
    ])
  })

  it("keeps the labels in the ladder's order whatever order the renditions come in, and handles one rendition", () => {
    const ladder = planLadder(1280, 720, 30)
    expect(cascadeFilter([ladder[1]!, ladder[2]!, ladder[0]!])).toBe(
      "[0:v]format=yuv420p[src];[src]scale=1280:720,setsar=1,split=2[v1][next0];" +
        "[next0]scale=854:480,setsar=1,split=2[v0][next1];[next1]scale=640:360,setsar=1[v2]"
    )
    expect(cascadeFilter(planLadder(320, 240, 30))).toBe("[0:v]format=yuv420p[src];[src]scale=320:240,setsar=1[v0]")
  })
})

describe("playlists", () => {
  it("parses a media playlist's segments", () => {
    const text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000000,\nsegment_000.ts\n#EXTINF:1.5,\nsegment_001.ts\n#EXT-X-ENDLIST\n"
    expect(parseMediaPlaylist(text)).toEqual([
      { uri: "segment_000.ts", durationSeconds: 4 },
      { uri: "segment_001.ts", durationSeconds: 1.5 }
    ])
  })

  it("measures peak and average bandwidth, ignoring a sub-second tail for the peak", () => {
    const bw = measureBandwidth([
      { uri: "a", durationSeconds: 4, bytes: 500_000 },
      { uri: "b", durationSeconds: 4, bytes: 1_000_000 },
      { uri: "c", durationSeconds: 0.2, bytes: 100_000 }
    ])
    expect(bw.peak).toBe(2_000_000)
    expect(bw.average).toBe(Math.ceil((1_600_000 * 8) / 8.2))
  })

  it("writes the master playlist from the lowest bandwidth up", () => {
    const text = masterPlaylist([
      { uri: "720p/index.m3u8", bandwidth: 3_000_000, averageBandwidth: 2_800_000, codecs: ["avc1.64001f", "mp4a.40.2"], width: 1280, height: 720, frameRate: 29.97 },
      { uri: "360p/index.m3u8", bandwidth: 900_000, averageBandwidth: 850_000, codecs: ["avc1.64001e"], width: 640, height: 360, frameRate: 30 }
    ])
    expect(text).toBe(
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n" +
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=850000,CODECS="avc1.64001e",RESOLUTION=640x360,FRAME-RATE=30.000\n360p/index.m3u8\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2800000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970\n720p/index.m3u8\n'
    )
  })
})
