/**
 * Test support for the watch-folder end-to-end tests: `npm start`'s program (src/runtime/node-start.js) as a real
 * process (RoomServerProcess.ts starts it) with WATCH_DIR on, an embedded event store under a data dir that
 * outlives a restart, and the S3 server (s3rver) given. Everything the tests check is read from outside the
 * process: the audit routes for the events, the read routes for states, the S3 API for the stored original.
 */
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { Redacted } from "effect"
import { type RoomServer, startRoomServer, tokenFor } from "../realtime/RoomServerProcess.ts"
import type { S3TestServer } from "../support/s3.ts"

export const MiB = 1024 * 1024
export const OWNER = "wanda"
const AUDITOR = "audrey"

/** The S3 server's secret key as the environment and the SDK take it. */
const secretOf = (s3: S3TestServer) => {
  const secret = s3.options.secretAccessKey!
  return Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
}

export interface WatchServerOptions {
  readonly dataDir: string
  readonly watchDir: string
  readonly s3: S3TestServer
  /** Run the media workers (transcode, publish, the stream hand-off) in the same process. */
  readonly workers: boolean
  readonly env?: Record<string, string>
}

export interface RecordedEvent {
  readonly stream: string
  readonly revision: number
  readonly type: string
  readonly data: Record<string, any>
}

export const startWatchServer = (o: WatchServerOptions): Promise<RoomServer> =>
  startRoomServer([process.execPath, "src/runtime/node-start.js"], {
    DATA_DIR: o.dataDir,
    WATCH_DIR: o.watchDir,
    WATCH_DEFAULT_OWNER: OWNER,
    WATCH_EXTENSIONS: "mp4",
    WATCH_POLL_MS: "200",
    CHUNK_SIZE_MB: "5",
    STREAM_TIMEOUT_SECONDS: "2",
    RUN_WORKERS: String(o.workers),
    LOG_FORMAT: "pretty",
    S3_ENDPOINT_URL: o.s3.endpoint,
    S3_BUCKET: o.s3.bucket,
    S3_ACCESS_KEY_ID: o.s3.options.accessKeyId!,
    S3_SECRET_ACCESS_KEY: secretOf(o.s3),
    S3_REGION: o.s3.options.region!,
    S3_FORCE_PATH_STYLE: "true",
    ...o.env
  })

export const bearer = async (sub: string, roles: ReadonlyArray<string> = ["user"]) => ({ Authorization: `Bearer ${await tokenFor(sub, roles)}` })

const getJson = async (url: string, sub: string, roles?: ReadonlyArray<string>) => {
  const res = await fetch(url, { headers: await bearer(sub, roles) })
  if (res.status !== 200) return { status: res.status, body: await res.text() }
  return { status: 200, body: await res.json() as any }
}

/** A stream's events as stored (GET /audit/streams/stream-<id>, every page). */
export const streamEvents = async (http: string, streamId: string): Promise<Array<RecordedEvent>> => {
  const events: Array<RecordedEvent> = []
  for (let from: number | null = 0; from !== null;) {
    const page = await getJson(`${http}/audit/streams/stream-${streamId}?from=${from}&limit=1000`, AUDITOR, ["auditor"])
    if (page.status === 404) return events
    if (page.status !== 200) throw new Error(`audit read of stream-${streamId}: ${page.status} ${page.body}`)
    events.push(...page.body.events)
    from = page.body.next
  }
  return events
}

/** Every StreamStarted of the store (GET /audit/export, category stream). */
export const streamStarts = async (http: string): Promise<Array<RecordedEvent>> => {
  const res = await fetch(`${http}/audit/export?category=stream&types=StreamStarted`, { headers: await bearer(AUDITOR, ["auditor"]) })
  if (res.status !== 200) throw new Error(`audit export: ${res.status} ${await res.text()}`)
  return (await res.text()).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as RecordedEvent)
}

/** GET `path` as the owner (`/streams/:id`, `/uploads/:id`, `/videos/:id`, ...). */
export const ownerGet = (http: string, path: string) => getJson(`${http}${path}`, OWNER)

export const until = async <A>(what: string, check: () => Promise<A | undefined>, timeoutMs: number, diagnostics: () => string = () => ""): Promise<A> => {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const got = await check()
    if (got !== undefined) return got
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}\n${diagnostics().slice(-6000)}`)
}

/** The stream the watch folder made for `file` (exactly one, or undefined while there is none). */
export const streamOfFile = async (http: string, file: string) => {
  const starts = (await streamStarts(http)).filter((e) => e.data.sourceRef === file)
  if (starts.length > 1) throw new Error(`${file} has ${starts.length} streams: ${starts.map((e) => e.stream).join(", ")}`)
  return starts[0]?.data.streamId as string | undefined
}

const sha256Of = async (chunks: AsyncIterable<Uint8Array>) => {
  const hash = createHash("sha256")
  let size = 0
  for await (const chunk of chunks) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { sha256: hash.digest("hex"), size }
}

/** SHA-256 and size of a file as it is on disk now. */
export const fileDigest = (path: string) => sha256Of(createReadStream(path))

/** SHA-256 and size of an object, read back through the S3 API (not through Keyframe). */
export const s3ObjectDigest = async (s3: S3TestServer, key: string) => {
  const o = s3.options
  const client = new S3Client({
    endpoint: o.endpoint,
    region: o.region,
    forcePathStyle: true,
    credentials: { accessKeyId: o.accessKeyId!, secretAccessKey: secretOf(s3) },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: key }))
    return await sha256Of(got.Body as AsyncIterable<Uint8Array>)
  } finally {
    client.destroy()
  }
}

/** Part numbers of the StreamPartUploaded events, in the order recorded. */
export const uploadedPartNumbers = (events: ReadonlyArray<RecordedEvent>) =>
  events.filter((e) => e.type === "StreamPartUploaded").map((e) => e.data.partNumber as number)
