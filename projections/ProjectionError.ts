/** Typed failures of the projection runner. */
import { Data } from "effect"

/** The definition misbehaved on an event (threw, or changed a document it did not declare in `touches`). */
export class ProjectionBug extends Data.TaggedError("ProjectionBug")<{
  readonly projection: string
  readonly position: number
  readonly reason: string
}> {
  override get message() {
    return `projection ${this.projection} failed on the event at position ${this.position}: ${this.reason}`
  }
}

/** `waitFor` gave up: the projection had not passed the position in time. */
export class ProjectionWaitTimeout extends Data.TaggedError("ProjectionWaitTimeout")<{
  readonly projection: string
  readonly position: number
  readonly checkpoint: number
}> {
  override get message() {
    return `projection ${this.projection} is at ${this.checkpoint}, not yet past position ${this.position}`
  }
}

/** No projection of that name runs here (unknown, or superseded by a newer version built elsewhere). */
export class ProjectionNotRunning extends Data.TaggedError("ProjectionNotRunning")<{
  readonly projection: string
  readonly reason: string
}> {
  override get message() {
    return `projection ${this.projection} is not running: ${this.reason}`
  }
}

/** A rebuild of this projection is already under way. */
export class RebuildInProgress extends Data.TaggedError("RebuildInProgress")<{
  readonly projection: string
}> {
  override get message() {
    return `projection ${this.projection} is already being rebuilt`
  }
}

/** A folder's lease on its slot could not be renewed: another node may fold it now, so this one stops. */
export class LeaseLost extends Data.TaggedError("LeaseLost")<{
  readonly projection: string
  readonly lease: string
}> {
  override get message() {
    return `projection ${this.projection} lost its lease ${this.lease}`
  }
}
