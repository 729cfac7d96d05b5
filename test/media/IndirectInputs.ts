/**
 * Test support for "media input opens nothing but itself": files that point elsewhere (an HLS playlist, an
 * ffconcat list, both named .mp4) and tripwires that notice when something follows them: a named pipe that
 * sees being opened, and a TCP listener that counts connections.
 */
import { execFileSync } from "node:child_process"
import { closeSync, constants, openSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"

/** An HLS playlist with one segment at `uri` (an absolute path or a URL). */
export const hlsPlaylist = (uri: string): string =>
  `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${uri}\n#EXT-X-ENDLIST\n`

/** An ffconcat list of one file (relative names are read beside the list). */
export const ffconcatList = (file: string): string => `ffconcat version 1.0\nfile ${file}\n`

export interface FileTripwire {
  readonly path: string
  /** Whether any process opened the file since the tripwire was set. */
  opened(): boolean
  close(): void
}

/**
 * A named pipe at `path` (name it `.ts`: ffmpeg's HLS demuxer only opens segments with known extensions).
 * A reader that opens it blocks until a writer comes, counted as a reader meanwhile, so a non-blocking
 * open for writing succeeds exactly when someone opened it. Polling that open sees the reader, then lets it
 * go on to an empty read; nothing on the test's side ever blocks.
 */
export const fileTripwire = (path: string): FileTripwire => {
  execFileSync("mkfifo", [path])
  let opened = false
  const poll = setInterval(() => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK))
      opened = true
    } catch {
      // ENXIO: no reader has it open
    }
  }, 10)
  return {
    path,
    opened: () => opened,
    close: () => {
      clearInterval(poll)
      rmSync(path, { force: true })
    }
  }
}

export interface SocketTripwire {
  /** An http:// segment URL on the listener. */
  readonly url: string
  connections(): number
  close(): Promise<void>
}

/** A TCP listener on a free loopback port that counts (and drops) every connection. */
export const socketTripwire = async (): Promise<SocketTripwire> => {
  let connections = 0
  const server = createServer((socket) => socket.destroy())
  server.on("connection", () => connections++)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/seg0.ts`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** True when `text` names an absolute path (a person reading an upload's failure should never see one). */
export const mentionsAbsolutePath = (text: string): boolean => /(^|[\s'"(=])\/[^\s/'"]+\//.test(text)
