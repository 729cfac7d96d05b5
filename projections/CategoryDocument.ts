/** The categories read model (`GET /categories`): one document per category of the catalog, oldest first. */
import { Schema } from "effect"
import type { CatalogEvent } from "../src/domain/catalog/CatalogEvents.ts"
import type { EventPlace } from "./DomainEvents.ts"

export const CategoryDocument = Schema.Struct({
  slug: Schema.String,
  name: Schema.String,
  createdAt: Schema.Finite,
  updatedAt: Schema.Finite,
  /** Global position of its creation: the catalog's order (several are created at one instant when seeded). */
  createdPosition: Schema.Finite,
  position: Schema.Finite
})
export type CategoryDoc = typeof CategoryDocument.Type

/** Pure: the category after `event`; removed → undefined. */
export const evolveCategoryDoc = (current: CategoryDoc | undefined, event: CatalogEvent, place: EventPlace): CategoryDoc | undefined => {
  switch (event._tag) {
    case "CategoryCreated":
      return { slug: event.slug, name: event.name, createdAt: event.at, updatedAt: event.at, createdPosition: place.position, position: place.position }
    case "CategoryRenamed":
      return current === undefined ? undefined : { ...current, name: event.name, updatedAt: event.at, position: place.position }
    case "CategoryRemoved":
      return undefined
    case "CatalogSeeded":
      return current
  }
}
