/** The catalog decider: admins create, rename and remove categories with unique slugs and names; the system seeds the defaults once. */
import { isAdmin, isSystem } from "../shared/ActorRoles.ts"
import type { DecideContext, Decider } from "../shared/Decider.ts"
import { accept, type Decision, reject, unchanged } from "../shared/Decision.ts"
import { AlreadyExists, Forbidden, NotFound, tagOf, UnknownCommand } from "../shared/DomainError.ts"
import { boundedText } from "../shared/BoundedText.ts"
import { type CatalogCommand, DEFAULT_CATEGORIES, MAX_CATEGORY_NAME_LENGTH } from "./CatalogCommands.ts"
import { type CatalogError, CategoryNameInvalid, CategoryNameTaken } from "./CatalogErrors.ts"
import type { CatalogEvent } from "./CatalogEvents.ts"
import { type CatalogState, evolveCatalog, initialCatalogState, sameName } from "./CatalogState.ts"

type Context = DecideContext<unknown>
type CatalogDecision = Decision<CatalogEvent, CatalogError>

/** The trimmed name, unless it is empty, too long, or another category's. */
const checkName = (state: CatalogState, raw: string, slug: string): { readonly name: string } | { readonly error: CatalogError } => {
  const checked = boundedText(raw, 1, MAX_CATEGORY_NAME_LENGTH)
  if ("problem" in checked) return { error: new CategoryNameInvalid({ reason: checked.problem }) }
  const holder = state.categories.find((c) => c.slug !== slug && sameName(c.name, checked.text))
  return holder === undefined ? { name: checked.text } : { error: new CategoryNameTaken({ name: holder.name, slug: holder.slug }) }
}

const seed = (state: CatalogState, context: Context): CatalogDecision => {
  if (!isSystem(context.actor)) return reject(new Forbidden({ action: "seed the catalog", allowed: "the system" }))
  if (state.seeded) return unchanged
  const at = context.now
  const offered = DEFAULT_CATEGORIES.filter((d) => !state.categories.some((c) => c.slug === d.slug || sameName(c.name, d.name)))
  return accept<CatalogEvent>(
    ...offered.map((d): CatalogEvent => ({ _tag: "CategoryCreated", slug: d.slug, name: d.name, by: context.actor.userId, at })),
    { _tag: "CatalogSeeded", at }
  )
}

export const decideCatalog = (command: CatalogCommand, state: CatalogState, context: Context): CatalogDecision => {
  if (command._tag === "SeedCategories") return seed(state, context)
  if (!isAdmin(context.actor)) return reject(new Forbidden({ action: "change the categories", allowed: "admins" }))
  const by = context.actor.userId
  const at = context.now
  const existing = state.categories.find((c) => c.slug === command.slug)
  switch (command._tag) {
    case "CreateCategory": {
      if (existing !== undefined) return reject(new AlreadyExists({ category: "category", id: command.slug }))
      const checked = checkName(state, command.name, command.slug)
      return "error" in checked ? reject(checked.error) : accept({ _tag: "CategoryCreated", slug: command.slug, name: checked.name, by, at })
    }
    case "RenameCategory": {
      if (existing === undefined) return reject(new NotFound({ category: "category", id: command.slug }))
      const checked = checkName(state, command.name, command.slug)
      if ("error" in checked) return reject(checked.error)
      return checked.name === existing.name ? unchanged : accept({ _tag: "CategoryRenamed", slug: command.slug, name: checked.name, by, at })
    }
    case "RemoveCategory":
      return existing === undefined
        ? reject(new NotFound({ category: "category", id: command.slug }))
        : accept({ _tag: "CategoryRemoved", slug: command.slug, by, at })
    default:
      return reject(new UnknownCommand({ category: "catalog", command: tagOf(command) }))
  }
}

export const CatalogDecider: Decider<CatalogState, CatalogCommand, CatalogEvent, CatalogError, unknown> = {
  initialState: initialCatalogState,
  decide: decideCatalog,
  evolve: evolveCatalog
}
