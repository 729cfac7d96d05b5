/** Request and answer shapes of the stream push routes (src/http/streams/StreamRoutes.ts). */
import { Schema } from "effect"
import { EntityId, Reason } from "../../domain/shared/Primitives.ts"

export const StreamParams = Schema.Struct({ id: EntityId })

export const CreateStreamBody = Schema.Struct({
  title: Schema.optional(Reason.annotate({ description: "the title the video gets (up to 500 characters)" }))
}).annotate({ identifier: "CreateStreamBody" })

export const StreamCreated = Schema.Struct({
  id: Schema.String,
  ownerId: Schema.String,
  state: Schema.Literal("live"),
  offset: Schema.Int.annotate({ description: "where the first PATCH starts (0)" }),
  chunkSizeBytes: Schema.Int.annotate({ description: "part size of this stream (CHUNK_SIZE_MB when it started)" }),
  maxBodyBytes: Schema.Int.annotate({ description: "largest body one PATCH may carry (PUSH_MAX_BODY_BYTES)" }),
  revision: Schema.Int,
  position: Schema.Int.annotate({ description: "global position: pass it to a query (Keyframe-Min-Position) to read your write" })
}).annotate({ identifier: "StreamCreated" })

export const StreamEndAccepted = Schema.Struct({
  id: Schema.String,
  changed: Schema.Boolean.annotate({ description: "false when it had already ended" }),
  offset: Schema.Int.annotate({ description: "bytes the stream holds: the original's size once finalized" }),
  revision: Schema.Int,
  position: Schema.Int
}).annotate({ identifier: "StreamEndAccepted" })
