/** Events of the category catalog. All at schema version 1. */
import { Schema } from "effect"
import { EpochMillis, UserId } from "../shared/Primitives.ts"
import { CategorySlug, MAX_CATEGORY_NAME_LENGTH } from "./CatalogCommands.ts"

const Name = Schema.String.check(Schema.isBetweenLength(1, MAX_CATEGORY_NAME_LENGTH * 2))

export const CategoryCreated = Schema.TaggedStruct("CategoryCreated", { slug: CategorySlug, name: Name, by: UserId, at: EpochMillis })

export const CategoryRenamed = Schema.TaggedStruct("CategoryRenamed", { slug: CategorySlug, name: Name, by: UserId, at: EpochMillis })

export const CategoryRemoved = Schema.TaggedStruct("CategoryRemoved", { slug: CategorySlug, by: UserId, at: EpochMillis })

/** The defaults were offered (follows their CategoryCreated events). */
export const CatalogSeeded = Schema.TaggedStruct("CatalogSeeded", { at: EpochMillis })

export const CatalogEvent = Schema.Union([CategoryCreated, CategoryRenamed, CategoryRemoved, CatalogSeeded])
export type CatalogEvent = typeof CatalogEvent.Type
