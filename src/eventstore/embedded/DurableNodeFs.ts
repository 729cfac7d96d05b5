/**
 * PGlite's Node file system with a working fsync, so that a COMMIT that returned is on the device.
 *
 * PGlite runs PostgreSQL with `-F` (fsync off), and its Emscripten file system has no fsync
 * either: commits survive kill -9 (the OS page cache holds them) but not a power loss. Here
 * PostgreSQL's own fsyncs reach the host: NodeFS gets the `fsync` stream operation it lacks
 * (fsync(2) on the real file), and the store starts PostgreSQL with fsync on and
 * `wal_sync_method=fsync` (PGlite's libc turns fdatasync into a no-op; fsync reaches the stream
 * operation). PostgreSQL's whole durability protocol then applies unchanged:
 * - every COMMIT flushes the WAL through its commit record before it returns (synchronous_commit
 *   is on), so an append is acknowledged only after its WAL is on the device. One COMMIT carries
 *   a whole group-commit batch: one fsync per batch, not per event;
 * - a data page is written out only after the WAL up to its LSN was flushed (the WAL rule);
 * - a checkpoint fsyncs the data files it wrote, then flushes its checkpoint record, then fsyncs
 *   pg_control, and only then removes or recycles older WAL segments; new and recycled segments
 *   and their directory entries are fsynced too. So WAL is never dropped before the data it
 *   protects is on the device, and pg_control never points at a checkpoint that is not durable.
 *   (PGlite checkpoints only when asked, at the end of a crash recovery and at close: see
 *   PeriodicCheckpoint.ts);
 * - on open after a crash or power loss, PostgreSQL fsyncs the data directory and replays the
 *   WAL from the last checkpoint (PGlite runs the normal startup, recovery included).
 * Why not fsync the WAL from the host after each commit instead? The host gets control back
 * only after a whole statement, and PostgreSQL's order matters inside one: startup and every
 * checkpoint write pg_control, which must not reach the device ahead of the WAL it points at,
 * nor data pages ahead of their WAL. A simulated power loss that keeps only what was fsynced
 * (PgliteDurability.test.ts) loses acknowledged appends when only the WAL is synced (the stale
 * pg_control says "shut down cleanly", so nothing is replayed) and when checkpoints do not sync
 * the data files; it loses none this way. The fsync blocks the event loop while it runs, as
 * PGlite's statements already do.
 *
 * initdb runs in memory and its files are copied into the directory unsynced: the first sync
 * of a fresh directory puts the whole tree on the device before PostgreSQL starts on it.
 */
import { PGlite, type PGliteOptions } from "@electric-sql/pglite"
import { NodeFS } from "@electric-sql/pglite/nodefs"
import { existsSync, fsyncSync } from "node:fs"
import { dirname, join } from "node:path"
import { syncPath, syncTree } from "./FileSync.ts"

/** Sees PostgreSQL's WAL writes and its fsyncs (tests, diagnostics); paths are the host's. */
export interface DurabilityObserver {
  /** PostgreSQL wrote to this WAL segment: in the page cache only, until the segment is fsynced. */
  readonly walWritten?: (segment: string) => void
  /** This file (or directory) was fsynced: its writes are on the device. */
  readonly synced?: (path: string) => void
}

/** The Emscripten objects touched here (PGlite does not type them). */
interface EmscriptenStream {
  readonly node: unknown
  readonly nfd?: number
}
interface NodeFsStreamOps {
  open(stream: EmscriptenStream): void
  write(stream: EmscriptenStream, ...rest: ReadonlyArray<unknown>): number
  fsync?: (stream: EmscriptenStream) => void
}
interface EmscriptenNodeFs {
  readonly stream_ops: NodeFsStreamOps
  realPath(node: unknown): string
  /** Runs a node:fs call, turning its error into the errno PostgreSQL sees. */
  tryFSOperation<A>(f: () => A): A
}

type EmscriptenOptions = Parameters<NodeFS["init"]>[1]

const WAL_SEGMENT = /[\\/]pg_wal[\\/][0-9A-F]{24}$/

export class DurableNodeFs extends NodeFS {
  private readonly observer: DurabilityObserver | undefined
  /** initdb's files are not on the device yet. */
  private fresh: boolean

  constructor(dataDir: string, observer?: DurabilityObserver) {
    super(dataDir)
    this.observer = observer
    this.fresh = !existsSync(join(this.rootDir, "PG_VERSION"))
  }

  override async init(pg: Parameters<NodeFS["init"]>[0], options: EmscriptenOptions) {
    const { emscriptenOpts } = await super.init(pg, options)
    const instrument = (mod: { readonly NODEFS: unknown }) => this.instrument(mod.NODEFS as EmscriptenNodeFs)
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), instrument] } }
  }

  /** PGlite calls this after every statement, and once after copying initdb's files in. */
  override async syncToFs(): Promise<void> {
    if (!this.fresh) return
    await syncTree(this.rootDir)
    await syncPath(dirname(this.rootDir), true) // the data directory's own entry
    this.fresh = false
  }

  private instrument(nodefs: EmscriptenNodeFs): void {
    const ops = nodefs.stream_ops
    const observer = this.observer
    ops.fsync = (stream) =>
      nodefs.tryFSOperation(() => {
        fsyncSync(stream.nfd!)
        observer?.synced?.(nodefs.realPath(stream.node))
      })
    const walWritten = observer?.walWritten
    if (walWritten === undefined) return
    // Only when observed: which streams are WAL segments, and their writes.
    const segments = new WeakMap<EmscriptenStream, string>()
    const open = ops.open
    const write = ops.write
    ops.open = (stream) => {
      open.call(ops, stream)
      const path = nodefs.realPath(stream.node)
      if (WAL_SEGMENT.test(path)) segments.set(stream, path)
    }
    ops.write = (stream, ...rest) => {
      const written = write.call(ops, stream, ...rest)
      const segment = segments.get(stream)
      if (segment !== undefined) walWritten(segment)
      return written
    }
  }
}

/**
 * PGlite options for a durable database in `dataDir`: this file system, PGlite's start
 * parameters without `-F` (fsync off), and the WAL flushed with fsync(). `postgresqlconf`
 * lines are added to these.
 */
export const durablePgliteOptions = (
  dataDir: string,
  postgresqlconf: ReadonlyArray<string>,
  observer?: DurabilityObserver
): PGliteOptions => ({
  fs: new DurableNodeFs(dataDir, observer),
  startParams: PGlite.defaultStartParams.filter((p) => p !== "-F"),
  postgresqlconf: [...postgresqlconf, "fsync=on", "wal_sync_method=fsync"]
})
