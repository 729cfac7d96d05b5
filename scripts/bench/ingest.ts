/**
 * Benchmark: live-stream ingest. A writer process appends SIZE_MIB (1024) of incompressible bytes to a file
 * at full speed (or WRITE_MIBPS) while the stream ingester (support/StreamIngest.ts) follows it into an S3 multipart upload on
 * s3rver (its own child process), CHUNK_MIB (10) per part; as soon as the writer is done the stream is ended
 * (an explicit end, not the idle timeout). Baseline in the same run: a plain `@aws-sdk/lib-storage` Upload of
 * the same finished file to the same server (part size CHUNK_MIB, its default queue of 4). Figures: ingest
 * throughput from the first written byte to the completed object vs the baseline's (the main figure), and the
 * lag at the end of writing (bytes on disk not yet stored as parts). At full speed the disk outruns S3 many
 * times over, so no ingester can be less than a chunk behind then; hence one more round (`paced`) with the
 * writer paced at PACED_FRACTION (0.5) of the baseline's MiB/s, whose lag is the one the < 1 chunk target is
 * about. The ingested object is read back and its SHA-256 compared with the writer's. Prints one JSON line;
 * exits 1 when the ingester is missing or wrong.
 * Usage: npm run bench -- ingest   (env SIZE_MIB=1024 CHUNK_MIB=10 ROUNDS=1 VERIFY=1 WRITE_MIBPS=unset
 *        STREAM_PARALLEL_PARTS=4 PACED_FRACTION=0.5, 0 = no paced round; GROWING_PARTS=0: seal whole chunks only,
 *        as before parts uploaded while written)
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import type { S3ObjectStoreOptions } from "../../src/objectstore/s3/S3ObjectStore.ts"
import { type IngestRun, startIngest } from "./support/StreamIngest.ts"
import { flushDisks, median, stopChild } from "./support/BenchProcesses.ts"

const MiB = 1024 * 1024
const SIZE = Number(process.env.SIZE_MIB ?? 1024) * MiB
const CHUNK = Number(process.env.CHUNK_MIB ?? 10) * MiB
const ROUNDS = Number(process.env.ROUNDS ?? 1)
const VERIFY = process.env.VERIFY !== "0"
const WRITE_RATE = process.env.WRITE_MIBPS === undefined ? undefined : Number(process.env.WRITE_MIBPS) * MiB
const PARALLEL_PARTS = Number(process.env.STREAM_PARALLEL_PARTS ?? 4)
const PACED_FRACTION = Number(process.env.PACED_FRACTION ?? 0.5)
const WRITER = fileURLToPath(new URL("./support/GrowingFileWriter.ts", import.meta.url))

if (process.argv[2] === "--serve-s3") {
  // the child side: s3rver (with the test suite's ListParts/Abort additions) on a free port
  const { startS3 } = await import("../../test/support/s3.ts")
  const s3 = await startS3("keyframe-bench")
  console.log(JSON.stringify(s3.options))
  process.once("SIGTERM", () => void s3.stop().then(() => process.exit(0)))
} else {
  await main()
}

interface WriterReport {
  readonly size: number
  readonly sha256: string
  readonly seconds: number
}

/** Starts the writer; `done` resolves with its report when the last byte is written (the file closed). */
function startWriter(path: string, onDone: () => void, rate: number | undefined = WRITE_RATE, onWritten: (bytes: number) => void = () => {}) {
  const args = [WRITER, path, String(SIZE), ...(rate === undefined ? [] : [String(rate)])]
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] })
  const done = new Promise<WriterReport>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const report = JSON.parse(line) as { done?: boolean; written?: number } & WriterReport
      if (report.written !== undefined) onWritten(report.written)
      if (report.done === true) {
        onDone()
        resolve(report)
      }
    })
    child.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`the writer exited with ${code}`))))
  })
  return { child, done }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), "kf-bench-ingest-"))
  const children: Array<ChildProcess> = []
  try {
    const server = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve-s3"], { stdio: ["ignore", "pipe", "inherit"] })
    children.push(server)
    const s3 = await new Promise<S3ObjectStoreOptions>((resolve) =>
      createInterface({ input: server.stdout! }).once("line", (line) => resolve(JSON.parse(line) as S3ObjectStoreOptions))
    )
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId!, secretAccessKey: String(s3.secretAccessKey) },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED"
    })

    const rounds: Array<{ ingest?: IngestRound; baselineSeconds: number; writerSeconds: number }> = []
    let ingestError: string | undefined
    for (let round = 0; round < ROUNDS; round++) {
      const file = join(dir, `growing-${round}.bin`)
      await writeFile(file, new Uint8Array(0))
      flushDisks()
      const measured = await ingestWhileGrowing(file, s3, client).catch((e: unknown) => {
        ingestError = e instanceof Error ? e.message : String(e)
        return undefined
      })
      // without an ingester the writer still runs alone: the baseline needs the finished file
      const writer = measured?.writer ?? (await startWriter(file, () => {}).done)
      flushDisks()
      const started = performance.now()
      await new Upload({ client, params: { Bucket: s3.bucket, Key: `baseline/${round}`, Body: createReadStream(file) }, partSize: CHUNK }).done()
      rounds.push({ ...(measured === undefined ? {} : { ingest: measured.ingest }), baselineSeconds: (performance.now() - started) / 1000, writerSeconds: writer.seconds })
      await rm(file, { force: true })
    }

    const mbps = (seconds: number) => Number((SIZE / MiB / seconds).toFixed(1))
    const baselineSeconds = median(rounds.map((r) => r.baselineSeconds))
    // the paced round: a writer below the S3 rate, where an ingester can keep within a chunk
    let paced: { readonly rate: number; readonly round: IngestRound } | undefined
    if (PACED_FRACTION > 0 && ingestError === undefined) {
      const file = join(dir, "growing-paced.bin")
      await writeFile(file, new Uint8Array(0))
      flushDisks()
      const rate = Math.round(SIZE / baselineSeconds * PACED_FRACTION)
      const measured = await ingestWhileGrowing(file, s3, client, rate).catch((e: unknown) => {
        ingestError = `paced round: ${e instanceof Error ? e.message : String(e)}`
        return undefined
      })
      if (measured !== undefined) paced = { rate, round: measured.ingest }
      await rm(file, { force: true })
    }
    const ingested = rounds.flatMap((r) => (r.ingest === undefined ? [] : [r.ingest]))
    const baseline = baselineSeconds
    const ingest = ingested.length === 0 ? undefined : median(ingested.map((r) => r.seconds))
    const lag = ingested.length === 0 ? undefined : Math.max(...ingested.map((r) => r.lagAtEndBytes))
    console.log(JSON.stringify({
      benchmark: "ingest",
      sizeMiB: SIZE / MiB,
      chunkMiB: CHUNK / MiB,
      rounds: ROUNDS,
      ingestMBps: ingest === undefined ? null : mbps(ingest),
      baselineMBps: mbps(baseline),
      ingestVsBaseline: ingest === undefined ? null : Number((baseline / ingest).toFixed(2)),
      lagAtEndOfWritingMiB: lag === undefined ? null : Number((lag / MiB).toFixed(2)),
      lagAtEndOfWritingChunks: lag === undefined ? null : Number((lag / CHUNK).toFixed(2)),
      tailSeconds: ingested.length === 0 ? null : Number(median(ingested.map((r) => r.tailSeconds)).toFixed(2)),
      parts: ingested[0]?.parts ?? null,
      verified: ingested.length === 0 ? null : ingested.every((r) => r.verified !== false),
      writerMBps: mbps(median(rounds.map((r) => r.writerSeconds))),
      writerPacedMBps: WRITE_RATE === undefined ? null : WRITE_RATE / MiB,
      parallelParts: PARALLEL_PARTS,
      paced: paced === undefined ? null : {
        writerMBps: Number((paced.rate / MiB).toFixed(1)),
        ingestMBps: mbps(paced.round.seconds),
        lagAtEndOfWritingMiB: Number((paced.round.lagAtEndBytes / MiB).toFixed(2)),
        lagAtEndOfWritingChunks: Number((paced.round.lagAtEndBytes / CHUNK).toFixed(2)),
        maxLagWhileWritingChunks: Number((paced.round.maxLagBytes / CHUNK).toFixed(2)),
        tailSeconds: Number(paced.round.tailSeconds.toFixed(2)),
        verified: paced.round.verified ?? null
      },
      roundsMBps: { ingest: ingested.map((r) => mbps(r.seconds)), baseline: rounds.map((r) => mbps(r.baselineSeconds)) },
      ...(ingestError === undefined ? {} : { ingestError }),
      targets: { ingestVsBaseline: ">= 0.8", pacedLagAtEndOfWritingChunks: "< 1" },
      notes: "MB/s = MiB/s, median of the rounds; ingest: first written byte to the completed multipart upload, the file growing at " +
        "full speed or WRITE_MIBPS (writerMBps), ended explicitly when the writer closed it; lag = bytes on disk not yet stored as parts when the " +
        "writer finished (max of the rounds); tail = end of writing to completed; baseline: lib-storage Upload of the finished file " +
        `(part size ${CHUNK / MiB} MiB, queue 4), page cache warm; s3rver in its own process; \`sync\` before each subject; ` +
        `ingest with ${PARALLEL_PARTS} parts in flight; paced: one more ingest round with the writer at ${PACED_FRACTION} of the baseline's MiB/s ` +
        "(the lag target is for a writer below the S3 rate: at full speed the disk outruns S3)"
    }))
    if (ingestError !== undefined) process.exitCode = 1
  } finally {
    for (const child of children) await stopChild(child)
    await rm(dir, { recursive: true, force: true })
  }
}

interface IngestRound {
  readonly seconds: number
  readonly lagAtEndBytes: number
  /** The largest lag seen while writing (sampled every 8 MiB written). */
  readonly maxLagBytes: number
  readonly tailSeconds: number
  readonly parts: number
  readonly verified: boolean | undefined
}

/** One measured ingest: the ingester follows `file` from empty while the writer fills it. */
async function ingestWhileGrowing(file: string, s3: S3ObjectStoreOptions, client: S3Client, rate: number | undefined = WRITE_RATE) {
  const run: IngestRun = await startIngest({ file, s3, chunkSizeBytes: CHUNK, parallelParts: PARALLEL_PARTS })
  try {
    const started = performance.now()
    let lagAtEndBytes = 0
    let writtenAt = 0
    let maxLagBytes = 0
    const writer = await startWriter(file, () => {
      writtenAt = performance.now()
      lagAtEndBytes = SIZE - run.uploadedBytes()
      run.end()
    }, rate, (written) => {
      maxLagBytes = Math.max(maxLagBytes, written - run.uploadedBytes())
    }).done
    const completed = await run.completed
    const finished = performance.now()
    if (completed.size !== SIZE) throw new Error(`the ingested object has ${completed.size} bytes, not ${SIZE}`)
    const verified = VERIFY ? (await sha256Of(client, s3.bucket, completed.key)) === writer.sha256 : undefined
    if (verified === false) throw new Error(`the ingested object ${completed.key} differs from the file (SHA-256)`)
    const ingest: IngestRound = {
      seconds: (finished - started) / 1000,
      lagAtEndBytes,
      maxLagBytes,
      tailSeconds: (finished - writtenAt) / 1000,
      parts: completed.parts,
      verified
    }
    return { ingest, writer }
  } finally {
    await run.stop()
  }
}

async function sha256Of(client: S3Client, bucket: string, key: string): Promise<string> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const hash = createHash("sha256")
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk)
  return hash.digest("hex")
}

