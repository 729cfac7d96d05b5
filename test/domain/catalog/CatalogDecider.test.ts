/** Given/when/then specifications of the category catalog, and its uniqueness over random command sequences. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CatalogAggregate } from "../../../src/domain/catalog/CatalogAggregate.ts"
import { CatalogCommand, DEFAULT_CATEGORIES } from "../../../src/domain/catalog/CatalogCommands.ts"
import type { CatalogEvent } from "../../../src/domain/catalog/CatalogEvents.ts"
import { checkInvariant } from "../../../src/testing/CheckInvariant.ts"
import { checkDeciderLaws } from "../../../src/testing/DeciderLaws.ts"
import { anyTestActor, pick } from "../../../src/testing/Pools.ts"
import { fromSchema } from "../../../src/testing/SchemaArbitrary.ts"
import { specFor } from "../../../src/testing/Specification.ts"
import { T0, testActors } from "../../../src/testing/TestContext.ts"

const { alice, carol, system } = testActors
const { given } = specFor(CatalogAggregate, { actor: carol, now: T0 })
const music: CatalogEvent = { _tag: "CategoryCreated", slug: "music", name: "Music", by: "carol", at: T0 }

describe("catalog", () => {
  it("is seeded with the defaults once, by the system", () => {
    const { events } = given([]).when({ _tag: "SeedCategories" }, { actor: system }).then([
      ...DEFAULT_CATEGORIES.map((d): CatalogEvent => ({ _tag: "CategoryCreated", slug: d.slug, name: d.name, by: "system", at: T0 })),
      { _tag: "CatalogSeeded", at: T0 }
    ])
    given(events).when({ _tag: "SeedCategories" }, { actor: system }).then([])
    given([]).when({ _tag: "SeedCategories" }, { actor: carol }).then("FORBIDDEN")
    // a default an admin already made is not offered twice
    given([{ ...music, slug: "songs" }]).when({ _tag: "SeedCategories" }, { actor: system }).then([
      ...DEFAULT_CATEGORIES.filter((d) => d.slug !== "music").map((d): CatalogEvent => ({ _tag: "CategoryCreated", slug: d.slug, name: d.name, by: "system", at: T0 })),
      { _tag: "CatalogSeeded", at: T0 }
    ])
  })

  it("takes categories from admins with unique slugs and names", () => {
    given([]).when({ _tag: "CreateCategory", slug: "music", name: " Music " }).then([music])
    given([]).when({ _tag: "CreateCategory", slug: "music", name: "Music" }, { actor: alice }).then("FORBIDDEN")
    given([music]).when({ _tag: "CreateCategory", slug: "music", name: "Tunes" }).then("ALREADY_EXISTS")
    given([music]).when({ _tag: "CreateCategory", slug: "tunes", name: "music" }).then("CATEGORY_NAME_TAKEN")
    given([]).when({ _tag: "CreateCategory", slug: "x", name: "  " }).then("CATEGORY_NAME_INVALID")
    given([]).when({ _tag: "CreateCategory", slug: "x", name: "n".repeat(51) }).then("CATEGORY_NAME_INVALID")
  })

  it("renames and removes known categories", () => {
    given([music]).when({ _tag: "RenameCategory", slug: "music", name: "Songs" })
      .then([{ _tag: "CategoryRenamed", slug: "music", name: "Songs", by: "carol", at: T0 }])
    given([music]).when({ _tag: "RenameCategory", slug: "music", name: "Music" }).then([])
    given([music]).when({ _tag: "RenameCategory", slug: "other", name: "Other" }).then("NOT_FOUND")
    given([music]).when({ _tag: "RemoveCategory", slug: "music" }).then([{ _tag: "CategoryRemoved", slug: "music", by: "carol", at: T0 }])
    given([]).when({ _tag: "RemoveCategory", slug: "music" }).then("NOT_FOUND")
  })

  const slugs = ["music", "gaming", "tunes"] as const
  const names = ["Music", "music ", "Gaming", "Tunes", ""] as const
  const commands = (fromSchema(CatalogCommand) as fc.Arbitrary<CatalogCommand>).map((c): CatalogCommand =>
    c._tag === "SeedCategories"
      ? c
      : c._tag === "RemoveCategory"
      ? { ...c, slug: pick(slugs, c.slug) }
      : { ...c, slug: pick(slugs, c.slug), name: pick(names, c.name) }
  )
  const sequences = { aggregate: CatalogAggregate, commands, context: { actor: anyTestActor }, maxCommands: 25, numRuns: 300 }

  it("obeys the decider laws", () => {
    checkDeciderLaws(sequences)
  })

  it("never holds two categories with one slug or one name", () => {
    checkInvariant({
      ...sequences,
      invariant: (state) => {
        expect(new Set(state.categories.map((c) => c.slug)).size).toBe(state.categories.length)
        expect(new Set(state.categories.map((c) => c.name.toLowerCase())).size).toBe(state.categories.length)
      }
    })
  })
})
