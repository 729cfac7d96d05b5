/** The category catalog as the actor runtime uses it: one stream, `catalog-categories`. */
import type { Aggregate } from "../shared/Decider.ts"
import { makeEventCodec } from "../shared/VersionedEventCodec.ts"
import { CatalogCommand } from "./CatalogCommands.ts"
import { CatalogDecider } from "./CatalogDecider.ts"
import type { CatalogError } from "./CatalogErrors.ts"
import { CatalogEvent } from "./CatalogEvents.ts"
import type { CatalogState } from "./CatalogState.ts"

export const CatalogEventCodec = makeEventCodec(CatalogEvent)

export const CatalogAggregate: Aggregate<CatalogState, CatalogCommand, CatalogEvent, CatalogError, unknown> = {
  category: "catalog",
  decider: CatalogDecider,
  events: CatalogEventCodec,
  commandSchema: CatalogCommand
}
