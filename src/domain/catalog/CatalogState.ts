/** The category catalog as the decider sees it, and how events change it. */
import type { CatalogEvent } from "./CatalogEvents.ts"

export interface CatalogState {
  /** Slug → name, in creation order. */
  readonly categories: ReadonlyArray<{ readonly slug: string; readonly name: string }>
  readonly seeded: boolean
}

export const initialCatalogState: CatalogState = { categories: [], seeded: false }

export const evolveCatalog = (state: CatalogState, event: CatalogEvent): CatalogState => {
  switch (event._tag) {
    case "CategoryCreated":
      return { ...state, categories: [...state.categories, { slug: event.slug, name: event.name }] }
    case "CategoryRenamed":
      return { ...state, categories: state.categories.map((c) => (c.slug === event.slug ? { slug: c.slug, name: event.name } : c)) }
    case "CategoryRemoved":
      return { ...state, categories: state.categories.filter((c) => c.slug !== event.slug) }
    case "CatalogSeeded":
      return { ...state, seeded: true }
  }
}

/** Names compare case- and space-insensitively: "Music" and " music " are one name. */
export const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase()
