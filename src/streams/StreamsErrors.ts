/** Failures of the streams use cases that are not the aggregate's rejections. */
import { Data } from "effect"

/** The stream is not live or ended (it does not exist, or it was finalized or failed). */
export class NotActive extends Data.TaggedError("StreamNotActive")<{ readonly streamId: string; readonly status: string }> {
  override get message() {
    return `stream ${this.streamId} is ${this.status.toLowerCase()}, not live or ended`
  }
}

/** A recorded part is missing from the multipart upload (ListParts): the stream was failed. */
export class PartLost extends Data.TaggedError("StreamPartLost")<{ readonly streamId: string; readonly partNumber: number }> {
  override get message() {
    return `stream ${this.streamId}: part ${this.partNumber} is not in its multipart upload`
  }
}

/** The source's bytes under the sealed offset changed and the source may not rewrite them (pushed bytes). */
export class SourceChanged extends Data.TaggedError("StreamSourceChanged")<{ readonly streamId: string; readonly partNumber: number }> {
  override get message() {
    return `stream ${this.streamId}: the bytes of part ${this.partNumber} changed after they were stored`
  }
}

/** A pushed body longer than a PATCH may carry (PUSH_MAX_BODY_BYTES). */
export class PushBodyTooLarge extends Data.TaggedError("PushBodyTooLarge")<{ readonly limit: number }> {
  override get message() {
    return `a PATCH body may carry at most ${this.limit} bytes`
  }
}
