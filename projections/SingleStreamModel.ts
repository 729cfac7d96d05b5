/**
 * The read-model shape most projections share: one document per aggregate, named by the aggregate's
 * id and folded from that aggregate's own stream. The spec says only what differs (names, the fold,
 * the indexes); the subscription (event types, stream prefix), decoding and `touches` follow from the
 * aggregate, so a new event type is folded in (or explicitly ignored) as soon as the union has it.
 */
import type { EventCodec } from "../src/domain/shared/Decider.ts"
import { entityIdOf, type EventPlace, eventTypesOf, makeDecoder, type TaggedEventSchema } from "./DomainEvents.ts"
import type { IndexEntry, Projection } from "./Projection.ts"

type Tagged = { readonly _tag: string }

export interface SingleStreamModelSpec<Model extends string, Doc, Event extends Tagged, Ignored extends Event["_tag"]> {
  /** Read store namespace (see `Projection.name`). */
  readonly name: string
  /** Bump when the fold or the document shape changes. */
  readonly version: number
  /** The document's model name, e.g. "room". */
  readonly model: Model
  /** The aggregate whose streams (`<category>-<id>`) feed the model, and the codec that decodes them. */
  readonly aggregate: { readonly category: string; readonly events: EventCodec<Event> }
  /** The aggregate's event union (`Schema.Union` of `TaggedStruct`s): every member is subscribed to… */
  readonly events: { readonly Type: Event; readonly members: ReadonlyArray<TaggedEventSchema> }
  /** …except these, which never change the document (not delivered, so not decoded either). */
  readonly ignores?: ReadonlyArray<Ignored>
  /** Pure: the document after `event`; `undefined` removes it (or keeps it absent); the same object = unchanged. */
  readonly evolve: (doc: Doc | undefined, event: Exclude<Event, { readonly _tag: Ignored }>, place: EventPlace) => Doc | undefined
  readonly indexes: (doc: Doc, id: string) => ReadonlyArray<IndexEntry>
}

export const singleStreamModel = <const Model extends string, Doc, Event extends Tagged, const Ignored extends Event["_tag"] = never>(
  spec: SingleStreamModelSpec<Model, Doc, Event, Ignored>
): Projection<{ readonly [K in Model]: Doc }> => {
  type Handled = Exclude<Event, { readonly _tag: Ignored }>
  const decode = makeDecoder(spec.aggregate.events)
  const ignored: ReadonlySet<string> = new Set(spec.ignores)
  const handles = eventTypesOf(spec.events).filter((type) => !ignored.has(type))
  const ref = (event: { readonly stream: string }) => ({ model: spec.model, id: entityIdOf(event.stream) })
  return {
    name: spec.name,
    version: spec.version,
    handles,
    streamPrefixes: [`${spec.aggregate.category}-`],
    models: { [spec.model]: { indexes: spec.indexes } } as Projection<{ readonly [K in Model]: Doc }>["models"],
    touches: (event) => [ref(event)],
    evolve: (docs, event) => {
      if (ignored.has(event.type)) return []
      const { model, id } = ref(event)
      const current = docs.get(model, id)
      const next = spec.evolve(current, decode(event) as Handled, event)
      return next === current ? [] : [{ model, id, doc: next }]
    }
  }
}
