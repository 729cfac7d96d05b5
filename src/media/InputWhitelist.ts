/**
 * What ffprobe and ffmpeg may open for a user's file: the demuxers of the accepted containers, over the
 * `file` protocol only. ffmpeg picks a demuxer from the content, not the name, so a text file named x.mp4
 * that is an HLS playlist or an ffconcat list would be followed to the files and URLs it lists; with these
 * input options ffmpeg refuses it before it opens anything else.
 */

const MOV = "mov,mp4,m4a,3gp,3g2,mj2"
const MATROSKA = "matroska,webm"

/** ffmpeg's demuxer for each container name of ACCEPTED_VIDEO_FORMATS; none of them reads another file or URL. */
const DEMUXER_OF: Readonly<Record<string, string>> = {
  mp4: MOV,
  mov: MOV,
  m4a: MOV,
  "3gp": MOV,
  "3g2": MOV,
  mj2: MOV,
  mkv: MATROSKA,
  webm: MATROSKA,
  avi: "avi"
}

/** Demuxers that read other inputs by design (playlists, lists, manifests, image sequences, sessions): never allowed. */
const INDIRECT = new Set(["hls", "applehttp", "concat", "dash", "imf", "image2", "sdp", "rtsp", "rtp"])

/**
 * The demuxers for the accepted containers. A name the table does not know is taken as ffprobe's demuxer
 * name (as MediaProbe reports such containers), unless that demuxer reads other inputs.
 */
export const demuxersFor = (accepted: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...new Set(accepted.map((c) => DEMUXER_OF[c] ?? c).filter((d) => !INDIRECT.has(d)))
]

/** Whether `demuxer` is one of the table's: it reads only its own file, so probing with it alone is safe. */
export const isSelfContained = (demuxer: string): boolean => Object.values(DEMUXER_OF).includes(demuxer)

/** Input options (before `-i`, or before ffprobe's file) allowing exactly these demuxers over the file protocol. */
export const whitelistOptions = (demuxers: ReadonlyArray<string>): ReadonlyArray<string> => [
  "-format_whitelist",
  demuxers.join(","),
  "-protocol_whitelist",
  "file"
]

/** Input options for a user's file under ACCEPTED_VIDEO_FORMATS. */
export const inputWhitelist = (accepted: ReadonlyArray<string>): ReadonlyArray<string> => whitelistOptions(demuxersFor(accepted))
