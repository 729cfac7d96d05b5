/**
 * Live-stream ingest metrics (Effect's default registry, rendered at /metrics like Metrics.ts):
 * per-stream lag (bytes of the source not yet stored in a part), parts uploaded, part upload latency.
 * The lag gauge is labelled by stream id; a stream that ends sets it to 0 (series are bounded by MAX_STREAMS).
 */
import { Context, Metric } from "effect"

const defaultContext = Context.empty()
const MAX_STREAMS = 1_000

export const streamLagBytes = Metric.gauge("keyframe_stream_lag_bytes", {
  description: "Bytes of a live stream's source not yet stored in a part, by stream"
})

export const streamPartsUploaded = Metric.counter("keyframe_stream_parts_uploaded_total", {
  description: "Stream parts stored in the object store (rewritten parts included)",
  incremental: true
})

export const streamPartUploadSeconds = Metric.histogram("keyframe_stream_part_upload_seconds", {
  description: "Latency of one stream part upload to the object store",
  boundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
})

streamPartsUploaded.updateUnsafe(0, defaultContext)

const lagSeries = new Map<string, Metric.Gauge<number>>()

export const recordStreamLag = (streamId: string, bytes: number): void => {
  let gauge = lagSeries.get(streamId)
  if (gauge === undefined) {
    if (lagSeries.size >= MAX_STREAMS) return
    gauge = Metric.withAttributes(streamLagBytes, { stream: streamId })
    lagSeries.set(streamId, gauge)
  }
  gauge.updateUnsafe(bytes, defaultContext)
}

export const recordPartUploaded = (seconds: number): void => {
  streamPartsUploaded.updateUnsafe(1, defaultContext)
  streamPartUploadSeconds.updateUnsafe(seconds, defaultContext)
}
