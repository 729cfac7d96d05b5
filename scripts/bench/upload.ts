/**
 * Benchmark: one file uploaded through tus-js-client over loopback in 8 MiB chunks to Keyframe
 * (what `npm start` runs, flags included, as a child process: embedded event store, fs object store), and in the same run to
 * the Node.js reference server (@tus/server + @tus/file-store on node:http, also a child process),
 * plus a raw baseline: the same bytes copied into a file by one process (fsync at the end, as
 * Keyframe's acknowledged bytes are durable). Keyframe's peak RSS is its process's VmHWM.
 * Prints one JSON line. Usage: npm run bench -- upload [--size 512] [--chunk 8] (MiB) [--rounds 3]
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createReadStream, createWriteStream, readFileSync } from "node:fs"
import { mkdtemp, open, rm } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { sign } from "hono/jwt"
import { Upload } from "tus-js-client"
import { flushDisks, median, stopChild } from "./support/BenchProcesses.ts"

const MiB = 1024 * 1024
const SECRET = "bench-secret-0123456789abcdef0123456789"

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "512" },
    chunk: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    "serve-tus": { type: "string" } // internal: run @tus/server in this process, in the given directory
  }
})

/** The child side: @tus/server with @tus/file-store on node:http; prints its port. */
const serveTus = async (directory: string) => {
  const { Server } = await import("@tus/server")
  const { FileStore } = await import("@tus/file-store")
  const tus = new Server({ path: "/files", datastore: new FileStore({ directory }) })
  const http = createServer((req, res) => void tus.handle(req, res))
  http.listen(0, "127.0.0.1", () => console.log(`PORT ${(http.address() as AddressInfo).port}`))
}

if (values["serve-tus"] !== undefined) {
  await serveTus(values["serve-tus"])
} else {
  await main()
}

async function main() {
  const size = Number(values.size) * MiB
  const chunkSize = Number(values.chunk) * MiB
  const rounds = Number(values.rounds)
  const dir = await mkdtemp(join(tmpdir(), "kf-bench-upload-"))
  const children: Array<ChildProcess> = []
  try {
    const source = join(dir, "source.mp4")
    await writeSource(source, size)

    // Keyframe as `npm start` runs it (API, projections; media workers off). A first start creates the embedded store (PGlite's initdb
    // peaks near 1.1 GB once, at first start only): do it before the measured process starts.
    const startKeyframe = async () => {
      const port = await freePort()
      const child = spawn(process.execPath, npmStartArguments(), {
        env: {
          ...process.env,
          PORT: String(port),
          WS_PORT: String(await freePort()),
          DATA_DIR: join(dir, "keyframe"),
          JWT_SECRET: SECRET,
          LOG_LEVEL: "warn",
          // the API node alone: media workers would start processing the uploaded file meanwhile
          RUN_WORKERS: "false"
        },
        stdio: ["ignore", "ignore", "inherit"]
      })
      children.push(child)
      await waitReady(`http://127.0.0.1:${port}/healthz`)
      return { child, endpoint: `http://127.0.0.1:${port}/files` }
    }
    const first = await startKeyframe()
    await stopChild(first.child)
    const keyframe = await startKeyframe()
    const keyframeIdleMB = rssOf(keyframe.child.pid!)
    const token = await sign({ sub: "bench", roles: ["user"], exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256")

    const tusServer = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve-tus", join(dir, "tus")], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    children.push(tusServer)
    const tusEndpoint = `http://127.0.0.1:${await portFrom(tusServer)}/files`

    // Rounds alternate the three subjects; the median round of each counts (the machine is shared). Each
    // subject starts with no dirty pages left by the one before (@tus/file-store never fsyncs: its
    // 512 MiB would otherwise be written back while the next subject runs).
    const times = { keyframe: [] as Array<number>, tusServer: [] as Array<number>, raw: [] as Array<number> }
    let keyframeUploadMaxMB = 0
    for (let round = 0; round < rounds; round++) {
      flushDisks()
      times.raw.push(await rawCopy(source, join(dir, `raw-copy-${round}.bin`)))
      flushDisks()
      const sampler = sampleRss(keyframe.child.pid!)
      const kf = await tusUpload(keyframe.endpoint, source, chunkSize, { Authorization: `Bearer ${token}` })
      keyframeUploadMaxMB = Math.max(keyframeUploadMaxMB, sampler.stop())
      await checkReceived(kf.url, size, token)
      times.keyframe.push(kf.seconds)
      flushDisks()
      times.tusServer.push((await tusUpload(tusEndpoint, source, chunkSize, {})).seconds)
    }
    const best = (t: Array<number>) => Math.min(...t)
    const mbps = (seconds: number) => Number((size / MiB / seconds).toFixed(1))
    const [kf, ref, raw] = [median(times.keyframe), median(times.tusServer), median(times.raw)]
    console.log(JSON.stringify({
      benchmark: "upload",
      sizeMiB: size / MiB,
      chunkMiB: chunkSize / MiB,
      rounds,
      keyframeMBps: mbps(kf),
      tusServerMBps: mbps(ref),
      rawMBps: mbps(raw),
      keyframeVsTusServer: Number((ref / kf).toFixed(2)),
      keyframeVsRaw: Number((raw / kf).toFixed(2)),
      keyframePeakRssMB: Math.max(keyframeUploadMaxMB, peakRss(keyframe.child.pid!)),
      keyframeIdleRssMB: keyframeIdleMB,
      keyframeMaxRssDuringUploadMB: keyframeUploadMaxMB,
      tusServerPeakRssMB: peakRss(tusServer.pid!),
      bestMBps: { keyframe: mbps(best(times.keyframe)), tusServer: mbps(best(times.tusServer)), raw: mbps(best(times.raw)) },
      roundsMBps: { keyframe: times.keyframe.map(mbps), tusServer: times.tusServer.map(mbps), raw: times.raw.map(mbps) },
      targets: { keyframeVsTusServer: ">= 1.0", keyframeVsRaw: ">= 0.5", keyframePeakRssMB: "< 200" },
      notes: "MB/s = MiB/s, median of the rounds (best beside); `sync` before each subject; raw = one process copying the file, " +
        "fsync at the end; Keyframe fsyncs every PATCH " +
        "(durable acks), @tus/file-store does not; peak RSS = VmHWM of the server process (Keyframe: a restart after its " +
        "first start, so PGlite's one-time initdb is not counted); idle = after start, max during upload = sampled every 50 ms"
    }))
  } finally {
    for (const child of children) await stopChild(child)
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * What `npm start` passes to node (package.json: `node <flags> <entry>`), the entry made absolute: the
 * benchmark measures Keyframe as it is started, flags included.
 */
function npmStartArguments(): Array<string> {
  const root = new URL("../../", import.meta.url)
  const start = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: { start: string } }).scripts.start
  const [command, ...args] = start.split(/\s+/)
  if (command !== "node" || args.length === 0) throw new Error(`npm start is not "node <flags> <entry>": ${start}`)
  return [...args.slice(0, -1), fileURLToPath(new URL(args.at(-1)!, root))]
}


/** Samples a process's resident set every 50 ms; `stop` returns the largest, in MB. */
function sampleRss(pid: number) {
  let peak = rssOf(pid)
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid))
  }, 50)
  return { stop: () => (clearInterval(timer), Math.max(peak, rssOf(pid))) }
}

function rssOf(pid: number): number {
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024)
}

/** A file of `size` pseudo-random bytes (not compressible, written in 8 MiB blocks). */
async function writeSource(path: string, size: number) {
  const fh = await open(path, "w")
  const block = Buffer.from(crypto.getRandomValues(new Uint8Array(64 * 1024)))
  const big = Buffer.alloc(8 * MiB)
  for (let o = 0; o < big.length; o += block.length) block.copy(big, o)
  for (let written = 0; written < size; written += big.length) {
    big.writeUInt32LE(written >>> 0, 0)
    await fh.write(big, 0, Math.min(big.length, size - written))
  }
  await fh.close()
}

/** Seconds to copy the file with one read stream and one write stream, then fsync. */
async function rawCopy(from: string, to: string): Promise<number> {
  const start = performance.now()
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(to)
    createReadStream(from, { highWaterMark: MiB }).pipe(out).on("finish", resolve).on("error", reject)
  })
  const fh = await open(to, "r+")
  await fh.sync()
  await fh.close()
  return (performance.now() - start) / 1000
}

/** Seconds for tus-js-client to upload the file (creation + PATCHes), and the upload's URL. */
function tusUpload(
  endpoint: string,
  path: string,
  chunkSize: number,
  headers: Record<string, string>
): Promise<{ seconds: number; url: string }> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const upload: Upload = new Upload(createReadStream(path), {
      endpoint,
      chunkSize,
      headers,
      retryDelays: [],
      metadata: { filename: "bench.mp4", filetype: "video/mp4" },
      onSuccess: () => resolve({ seconds: (performance.now() - start) / 1000, url: upload.url! }),
      onError: reject
    })
    upload.start()
  })
}

/** Keyframe must report the whole file received (GET /uploads/:id), or the figures mean nothing. */
async function checkReceived(url: string, size: number, token: string) {
  const res = await fetch(url.replace("/files/", "/uploads/"), { headers: { Authorization: `Bearer ${token}` } })
  const view = (await res.json()) as { status?: string; offset?: number }
  if (view.status !== "received" || view.offset !== size) throw new Error(`Keyframe did not receive the file: ${JSON.stringify(view)}`)
}

/** VmHWM (peak resident set) of a process, in MB. */
function peakRss(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1])
  return Math.round(kb / 1024)
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

async function waitReady(url: string) {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer within 30 s`)
}

function portFrom(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (data: Buffer) => {
      const port = /PORT (\d+)/.exec(data.toString())?.[1]
      if (port) resolve(Number(port))
    })
    child.once("exit", (code) => reject(new Error(`@tus/server exited with ${code}`)))
  })
}

