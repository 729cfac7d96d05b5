/** Reading ffmpeg's stderr: which demuxer a whitelist refused, and log lines without pointers or directories. */
import { describe, expect, it } from "vitest"
import { readableLine, refusedDemuxer } from "../../src/media/FfmpegLog.ts"

describe("FfmpegLog", () => {
  it("names the demuxer a whitelist refused, from the log prefix", () => {
    const stderr = "[hls @ 0x55d503dc42c0] Format not on whitelist 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi'\n/tmp/x/a.mp4: Invalid argument\n"
    expect(refusedDemuxer(stderr)).toBe("hls")
    expect(refusedDemuxer("[mov,mp4,m4a,3gp,3g2,mj2 @ 0xab] Format not on whitelist 'matroska,webm'")).toBe("mov,mp4,m4a,3gp,3g2,mj2")
    expect(refusedDemuxer("Format not on whitelist 'avi'")).toBe("unknown")
    expect(refusedDemuxer("/tmp/x/a.mp4: Invalid data found when processing input")).toBeUndefined()
  })

  it("drops context pointers and directories, keeping file names and URLs", () => {
    expect(readableLine("[concat @ 0x5582e9ee92c0] Unsafe file name '/tmp/wl/seg0.ts'")).toBe("[concat] Unsafe file name 'seg0.ts'")
    expect(readableLine("/work/data/scratch/transcode-1/out/thumbnail.jpg: ffmpeg wrote no frame")).toBe("thumbnail.jpg: ffmpeg wrote no frame")
    expect(readableLine("[hls @ 0x1] Error when loading first segment 'http://127.0.0.1:9/a/seg0.ts'")).toBe(
      "[hls] Error when loading first segment 'http://127.0.0.1:9/a/seg0.ts'"
    )
    expect(readableLine("frame rate 30/1 (ratio 16/9)")).toBe("frame rate 30/1 (ratio 16/9)")
  })
})
