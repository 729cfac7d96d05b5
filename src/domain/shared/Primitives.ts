/** Field schemas every aggregate's commands and events are built from. */
import { Schema } from "effect"

/** An id that fits in a stream name `<category>-<id>` (see EventValidation). */
export const EntityId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/))

/** A user id: the `sub` of a token, also the id of the user's quota stream. */
export const UserId = EntityId

export const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/** Milliseconds since the epoch. */
export const EpochMillis = NonNegativeInt

/** Free text a person reads (reasons, titles): bounded. */
export const Reason = Schema.String.check(Schema.isMaxLength(500))

/** Lowercase hex SHA-256 (an original's digest, a part's). */
export const Sha256Hex = Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/))
