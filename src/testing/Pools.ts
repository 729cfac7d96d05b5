/** Small pools that generated ids and sizes are mapped into, so the commands of a sequence meet each other. */
import * as fc from "fast-check"
import type { Principal } from "../domain/shared/Decider.ts"
import { testActors } from "./TestContext.ts"

/** FNV-1a over the string's UTF-16 units: a deterministic way to turn a generated value into a choice. */
export const hashOf = (value: string | number): number => {
  const text = String(value)
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** The element of `pool` that `key` maps to (repeat an element to weight it). */
export const pick = <A>(pool: ReadonlyArray<A>, key: string | number): A => pool[hashOf(key) % pool.length]!

/** True for about one `key` in `n`. */
export const oneIn = (n: number, key: string | number): boolean => hashOf(key) % n === 0

/** The user ids of `testActors`, plus dave (a plain user no test actor pool weighs). */
export const userIds = ["alice", "bob", "carol", "dave"] as const

export const dave: Principal = { userId: "dave", roles: ["user"] }

/** An actor per command: mostly alice, the others sometimes (bob is a sponsor, carol an admin). */
export const anyTestActor: fc.Arbitrary<Principal> = fc.oneof(
  { arbitrary: fc.constant<Principal>(testActors.alice), weight: 4 },
  { arbitrary: fc.constant<Principal>(testActors.bob), weight: 2 },
  { arbitrary: fc.constant<Principal>(testActors.carol), weight: 1 },
  { arbitrary: fc.constant<Principal>(dave), weight: 1 },
  { arbitrary: fc.constant<Principal>(testActors.system), weight: 2 }
)

/** Weighted choice among arbitraries keyed by command tag; tags not weighted count 1. */
export const weighted = <Arbitraries extends Readonly<Record<string, fc.Arbitrary<unknown>>>>(
  arbitraries: Arbitraries,
  weights: { readonly [Tag in keyof Arbitraries]?: number }
): fc.Arbitrary<Arbitraries[keyof Arbitraries] extends fc.Arbitrary<infer A> ? A : never> =>
  fc.oneof(
    ...Object.entries(arbitraries).map(([tag, arbitrary]) => ({ arbitrary, weight: weights[tag as keyof Arbitraries] ?? 1 }))
  ) as never
