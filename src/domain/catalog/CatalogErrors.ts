/** Why the catalog rejects a command. */
import { Schema } from "effect"
import type { AlreadyExists, Forbidden, NotFound, UnknownCommand } from "../shared/DomainError.ts"

export class CategoryNameInvalid extends Schema.TaggedError<CategoryNameInvalid>()("CategoryNameInvalid", { reason: Schema.String }) {
  readonly code = "CATEGORY_NAME_INVALID" as const
  override get message(): string {
    return `The category name is refused: ${this.reason}.`
  }
}

export class CategoryNameTaken extends Schema.TaggedError<CategoryNameTaken>()("CategoryNameTaken", { name: Schema.String, slug: Schema.String }) {
  readonly code = "CATEGORY_NAME_TAKEN" as const
  override get message(): string {
    return `The category "${this.slug}" already has the name "${this.name}".`
  }
}

export type CatalogError = CategoryNameInvalid | CategoryNameTaken | AlreadyExists | NotFound | Forbidden | UnknownCommand

/** A video named a category the catalog does not have (checked by the videos service before it writes). */
export class UnknownCategory extends Schema.TaggedError<UnknownCategory>()("UnknownCategory", { slug: Schema.String }) {
  readonly code = "UNKNOWN_CATEGORY" as const
  override get message(): string {
    return `There is no category "${this.slug}"; GET /categories lists them.`
  }
}
