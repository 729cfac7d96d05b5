/** Commands of the category catalog: one aggregate (`catalog-categories`) so that names and slugs stay unique. */
import { Schema } from "effect"
import { CategorySlug } from "../video/VideoCommands.ts"

export { CategorySlug }

/** Longest category name, in characters, after trimming (checked by the decider: CATEGORY_NAME_INVALID). */
export const MAX_CATEGORY_NAME_LENGTH = 50

/** The one catalog's aggregate id. */
export const CATALOG_ID = "categories"

/** The categories a fresh catalog offers (seeded once, by the system). */
export const DEFAULT_CATEGORIES: ReadonlyArray<{ readonly slug: string; readonly name: string }> = [
  { slug: "gaming", name: "Gaming" },
  { slug: "tutorials", name: "Tutorials" },
  { slug: "vlogs", name: "Vlogs" },
  { slug: "music", name: "Music" },
  { slug: "sports", name: "Sports" },
  { slug: "cooking", name: "Cooking" }
]

const Name = Schema.String.check(Schema.isMaxLength(10_000))

export const CreateCategory = Schema.TaggedStruct("CreateCategory", { slug: CategorySlug, name: Name })

export const RenameCategory = Schema.TaggedStruct("RenameCategory", { slug: CategorySlug, name: Name })

/** Videos in it are left without a category (the videos read model shows null; see README "Catalog"). */
export const RemoveCategory = Schema.TaggedStruct("RemoveCategory", { slug: CategorySlug })

/** As the system, at start: adds DEFAULT_CATEGORIES once in the catalog's life (never again after an admin removed some). */
export const SeedCategories = Schema.TaggedStruct("SeedCategories", {})

export const CatalogCommand = Schema.Union([CreateCategory, RenameCategory, RemoveCategory, SeedCategories])
export type CatalogCommand = typeof CatalogCommand.Type
