/** fast-check arbitraries derived from Effect Schemas (through `effect/Arbitrary`). */
import { Arbitrary, Effect, Schema } from "effect"
import * as fc from "fast-check"

/**
 * Bridges an Effect `Arbitrary` to fast-check: fast-check draws a seed and a size, Effect
 * generates the value from them. Shrinking works on the seed and size (toward size 0, the
 * simplest values); in a sequence, fast-check also shrinks by dropping elements.
 */
export const fromEffectArbitrary = <A>(arbitrary: Arbitrary.Arbitrary<A>, options: { readonly maxSize?: number } = {}): fc.Arbitrary<A> =>
  fc.record({ seed: fc.integer({ min: 0, max: 0x7fffffff }), size: fc.integer({ min: 0, max: options.maxSize ?? 20 }) }).map(
    ({ seed, size }) => Effect.runSync(Arbitrary.sampleEffect(arbitrary, { count: 1, seed, size }))[0]!
  )

/** Values of a Schema's decoded type, generated from the Schema itself (checks included). */
export const fromSchema = <S extends Schema.Top>(schema: S, options?: { readonly maxSize?: number }): fc.Arbitrary<S["Type"]> =>
  fromEffectArbitrary(Arbitrary.schema(schema), options)

type TaggedMember = Schema.Top & { readonly fields: { readonly _tag: { readonly ast: unknown } } }

type TagOf<M> = M extends { readonly Type: { readonly _tag: infer T extends string } } ? T : never

/** One arbitrary per member of a union of `TaggedStruct`s, keyed by tag. */
export const byTag = <const Members extends ReadonlyArray<TaggedMember>>(
  union: { readonly members: Members }
): { readonly [M in Members[number] as TagOf<M>]: fc.Arbitrary<M["Type"]> } =>
  Object.fromEntries(
    union.members.map((member) => [(member.fields._tag.ast as { readonly literal: string }).literal, fromSchema(member)])
  ) as never
