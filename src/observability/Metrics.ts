/**
 * Keyframe's Prometheus metrics, as Effect `Metric`s in Effect's default registry: /metrics renders
 * that registry (`PrometheusMetrics.format`), so any module may add its own metric with
 * `Metric.counter/gauge/histogram(...)` and it shows up there (projection lag, worker jobs, ...).
 *
 * For the tus routes: count received bytes with `yield* recordUploadBytes(n)` inside an Effect,
 * or `recordUploadBytesNow(n)` from plain code (both update `keyframe_upload_bytes_total`).
 */
import { Context, Effect, Metric } from "effect"

/** Seconds; covers quick reads up to long tus PATCHes. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

export const httpRequests = Metric.counter("keyframe_http_requests_total", {
  description: "HTTP requests answered, by method, route pattern and status",
  incremental: true
})

export const httpRequestDuration = Metric.histogram("keyframe_http_request_duration_seconds", {
  description: "HTTP request latency (until the response headers), by method and route pattern",
  boundaries: LATENCY_BUCKETS
})

export const uploadBytes = Metric.counter("keyframe_upload_bytes_total", {
  description: "Upload bytes received and acknowledged (tus PATCH and creation-with-upload)",
  incremental: true
})

export const rateLimited = Metric.counter("keyframe_rate_limited_total", {
  description: "Requests refused with 429, by limit (user or ip)",
  incremental: true
})

export const actorsLive = Metric.gauge("keyframe_actors_live", { description: "Aggregate actors in memory" })

export const actorMailboxDepth = Metric.gauge("keyframe_actor_mailbox_depth", {
  description: "Commands waiting in all actor mailboxes"
})

export const eventStoreHead = Metric.gauge("keyframe_eventstore_head_position", {
  description: "Global position of the newest event in the store"
})

// The empty context resolves MetricRegistry to Effect's default registry, the one /metrics renders.
const defaultContext = Context.empty()

// Listed from the first scrape (at 0), so dashboards and rate() see the series before the first upload.
uploadBytes.updateUnsafe(0, defaultContext)

/** Adds received upload bytes (from plain, non-Effect code). */
export const recordUploadBytesNow = (bytes: number): void => {
  if (bytes > 0) uploadBytes.updateUnsafe(bytes, defaultContext)
}

/** Adds received upload bytes (inside an Effect). */
export const recordUploadBytes = (bytes: number): Effect.Effect<void> => Effect.sync(() => recordUploadBytesNow(bytes))

// Series per label set are created once and reused (Metric.withAttributes allocates).
const series = new Map<string, { readonly count: Metric.Counter<number>; readonly latency: Metric.Histogram<number> }>()
const MAX_SERIES = 2_000

/** Records one answered request; `route` is the route pattern (never the raw path, to bound the label set). */
export const recordRequest = (method: string, route: string, status: number, seconds: number): void => {
  const key = `${method} ${route} ${status}`
  let s = series.get(key)
  if (s === undefined) {
    if (series.size >= MAX_SERIES) return
    s = {
      count: Metric.withAttributes(httpRequests, { method, route, status: String(status) }),
      latency: Metric.withAttributes(httpRequestDuration, { method, route })
    }
    series.set(key, s)
  }
  s.count.updateUnsafe(1, defaultContext)
  s.latency.updateUnsafe(seconds, defaultContext)
}

export const recordRateLimited = (limit: "user" | "ip"): void =>
  Metric.withAttributes(rateLimited, { limit }).updateUnsafe(1, defaultContext)

/** Sets the gauges that are read on demand (just before /metrics renders). */
export const recordRuntimeGauges = (stats: { readonly live: number; readonly queued: number }, headPosition: number | undefined) =>
  Effect.sync(() => {
    actorsLive.updateUnsafe(stats.live, defaultContext)
    actorMailboxDepth.updateUnsafe(stats.queued, defaultContext)
    if (headPosition !== undefined) eventStoreHead.updateUnsafe(headPosition, defaultContext)
  })
