/**
 * The read side's health, for /readyz and /metrics (the wiring's HealthRoutes and MetricsEndpoint
 * call these): per projection its state, checkpoint and lag in positions and seconds.
 */
import { Context, Effect, Metric, Option } from "effect"
import type { ProjectionRunnerShape } from "../../../projections/ProjectionRunner.ts"
import { ReadSide } from "./ReadSide.ts"

export interface ProjectionHealth {
  readonly projection: string
  readonly version: number
  readonly state: string
  /** Whether this node folds the projection ("leader") or follows the node that does (several nodes on one Redis). */
  readonly role: "leader" | "follower" | null
  readonly ok: boolean
  readonly checkpoint: number
  readonly positionsBehind: number | null
  readonly secondsBehind: number | null
  readonly caughtUp: boolean | null
  readonly restarts: number
  readonly lastError?: string | undefined
  readonly rebuild?: { readonly state: string; readonly fraction: number } | undefined
}

export interface ReadSideHealth {
  /** Every projection serves (or is building a new version beside a served one) and none is failing. */
  readonly ok: boolean
  readonly projections: ReadonlyArray<ProjectionHealth>
}

const CAUGHT_UP_SECONDS = 5

/** Caught up once since the process started: until then a freshly started (memory) read side is still rebuilding. */
const caughtUpOnce = new WeakMap<object, Set<string>>()

/** The health of the projections `runner` runs. */
export const healthOf = (runner: ProjectionRunnerShape): Effect.Effect<ReadSideHealth> => Effect.gen(function*() {
  const out: Array<ProjectionHealth> = []
  let seen = caughtUpOnce.get(runner)
  if (seen === undefined) caughtUpOnce.set(runner, (seen = new Set()))
  for (const s of yield* runner.status) {
    const lag = s.runner
      ? yield* runner.lag(s.projection).pipe(Effect.timeout("2 seconds"), Effect.option, Effect.map(Option.getOrUndefined))
      : undefined
    // Under steady traffic a probe rarely finds nothing pending: a few seconds behind counts as caught up.
    if (lag !== undefined && (lag.caughtUp || lag.secondsBehind < CAUGHT_UP_SECONDS)) seen.add(s.projection)
    const running = s.runner?.state === "running"
    const ok = (s.state === "serving" || s.state === "building") && running && seen.has(s.projection)
    out.push({
      projection: s.projection,
      version: s.version,
      state: s.runner && s.runner.state !== "running" ? `${s.state}/${s.runner.state}` : s.state,
      role: s.runner?.role ?? null,
      ok,
      checkpoint: s.runner?.checkpoint ?? 0,
      positionsBehind: lag?.positionsBehind ?? null,
      secondsBehind: lag === undefined ? null : Math.round(lag.secondsBehind * 1000) / 1000,
      caughtUp: lag?.caughtUp ?? null,
      restarts: s.runner?.restarts ?? 0,
      ...(s.runner?.lastError !== undefined ? { lastError: s.runner.lastError } : {}),
      ...(s.rebuild ? { rebuild: { state: s.rebuild.state, fraction: s.rebuild.fraction } } : {})
    })
  }
  return { ok: out.every((p) => p.ok), projections: out }
})

/** The read side's health: the projections this process runs, or none (a process serving streams only is healthy). */
export const readSideHealth: Effect.Effect<ReadSideHealth, never, ReadSide> = Effect.flatMap(ReadSide, (side) =>
  side._tag === "Projections" ? healthOf(side.runner) : Effect.succeed({ ok: true, projections: [] }))

/** What /readyz shows of the read side: states and lag, not a runner's last error (driver text; /admin/projections has it). */
export const readinessView = (health: ReadSideHealth): ReadSideHealth => ({
  ok: health.ok,
  projections: health.projections.map(({ lastError: _lastError, ...p }) => p)
})

const lagPositions = Metric.gauge("keyframe_projection_lag_positions", { description: "Global positions the projection is behind the head (0 when nothing it handles is left)" })
const lagSeconds = Metric.gauge("keyframe_projection_lag_seconds", { description: "Age of the oldest event the projection has not folded in yet" })
const checkpointGauge = Metric.gauge("keyframe_projection_checkpoint", { description: "Last global position the projection folded in" })
const restartsGauge = Metric.gauge("keyframe_projection_restarts", { description: "Times the projection's runner restarted after a failure" })
const upGauge = Metric.gauge("keyframe_projection_up", { description: "1 when the projection serves and is running, else 0" })
const leaderGauge = Metric.gauge("keyframe_projection_leader", { description: "1 when this node folds the projection, 0 when it follows another node" })

const defaultContext = Context.empty()

/** Sets the projection gauges in Effect's default registry; call it just before /metrics renders. */
export const recordProjectionGauges: Effect.Effect<void, never, ReadSide> = Effect.gen(function*() {
  const health = yield* readSideHealth
  for (const p of health.projections) {
    const labels = { projection: p.projection }
    Metric.withAttributes(lagPositions, labels).updateUnsafe(p.positionsBehind ?? 0, defaultContext)
    Metric.withAttributes(lagSeconds, labels).updateUnsafe(p.secondsBehind ?? 0, defaultContext)
    Metric.withAttributes(checkpointGauge, labels).updateUnsafe(p.checkpoint, defaultContext)
    Metric.withAttributes(restartsGauge, labels).updateUnsafe(p.restarts, defaultContext)
    Metric.withAttributes(upGauge, labels).updateUnsafe(p.ok ? 1 : 0, defaultContext)
    Metric.withAttributes(leaderGauge, labels).updateUnsafe(p.role === "leader" ? 1 : 0, defaultContext)
  }
})
