/**
 * An aggregate as it was (GET /audit/aggregates/:type/:id?at=): at its latest revision, at a revision, or at
 * an instant; the state as formatted JSON, and the stream's events around that point (GET /audit/streams/:stream).
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { get } from "../../api.ts"
import { formatDate } from "../../ui.ts"
import { inputValue, Outcome, useAction } from "../admin/forms.ts"

export const AGGREGATE_TYPES = ["upload", "quota", "room", "stream", "view", "rating", "comment", "subscription"] as const
export type AggregateType = (typeof AGGREGATE_TYPES)[number]

interface AggregateAt {
  readonly type: string
  readonly id: string
  readonly stream: string
  readonly at: string | number
  readonly revision: number
  readonly position: number | null
  readonly recordedAt: string | null
  readonly eventsApplied: number
  readonly state: unknown
  readonly latest: { readonly revision: number; readonly position: number; readonly recordedAt: string }
}

interface StoredEvent {
  readonly id: string
  readonly revision: number
  readonly position: number
  readonly type: string
  readonly data: unknown
  readonly metadata: { readonly userId?: string; readonly occurredAt: string; readonly correlationId?: string }
  readonly recordedAt: string
}

interface StreamPage {
  readonly events: ReadonlyArray<StoredEvent>
  readonly next: number | null
}

/** What another section asks this one to show (e.g. a broken link's stream). */
export interface InspectRequest {
  readonly type: AggregateType
  readonly id: string
  readonly revision: number
}

/** `quota-alice` → quota / alice, when the category is an audited aggregate. */
export const aggregateOfStream = (stream: string): { type: AggregateType; id: string } | undefined => {
  const dash = stream.indexOf("-")
  const type = stream.slice(0, dash) as AggregateType
  return dash > 0 && AGGREGATE_TYPES.includes(type) ? { type, id: stream.slice(dash + 1) } : undefined
}

const WINDOW = 50

type Mode = "latest" | "revision" | "time"

const atOf = (mode: Mode, revision: string, time: string): string | undefined => {
  if (mode === "latest") return undefined
  if (mode === "revision") {
    if (!/^\d+$/.test(revision.trim())) throw new Error("Enter the revision as a whole number (0 is the first event).")
    return revision.trim()
  }
  const t = new Date(time)
  if (time === "" || Number.isNaN(t.getTime())) throw new Error("Pick a date and time.")
  return t.toISOString()
}

interface Result {
  readonly at: AggregateAt
  readonly page: StreamPage
  readonly from: number
}

const Events = ({ result }: { result: Result }) => {
  const { at, page, from } = result
  const last = page.events.length === 0 ? from : page.events[page.events.length - 1]!.revision
  return html`
    <h4 id="aggregate-events-title">Events of ${at.stream}</h4>
    <p class="hint">Revisions ${from}–${last} of 0–${at.latest.revision}${page.next !== null || from > 0 ? ` (the ${WINDOW} around the point)` : ""}. Events after the point are marked “later”.</p>
    <div class="table-wrap">
      <table class="stack" aria-labelledby="aggregate-events-title">
        <thead><tr><th scope="col">Revision</th><th scope="col">Position</th><th scope="col">Type</th><th scope="col">Recorded</th><th scope="col">By</th><th scope="col">Data</th></tr></thead>
        <tbody>
          ${page.events.map((e) => {
            const later = e.revision > at.revision
            return html`
              <tr class=${later ? "later" : undefined}>
                <td data-label="Revision">${e.revision}${later ? html` <span class="badge">later</span>` : null}</td>
                <td data-label="Position">${e.position}</td>
                <td data-label="Type"><code>${e.type}</code></td>
                <td data-label="Recorded">${formatDate(e.recordedAt)}</td>
                <td data-label="By">${e.metadata.userId ?? "system"}</td>
                <td><details><summary>Data<span class="visually-hidden"> of revision ${e.revision}</span></summary><pre class="json">${JSON.stringify(e.data, null, 2)}</pre></details></td>
              </tr>
            `
          })}
        </tbody>
      </table>
    </div>
  `
}

const ResultView = ({ result }: { result: Result }) => {
  const { at } = result
  const before = at.revision < 0
  return html`
    <div class="subcard" aria-live="polite">
      <h3 id="aggregate-state-title">${at.type} ${at.id} ${at.at === "head" ? "now" : `at ${typeof at.at === "number" ? `revision ${at.at}` : formatDate(at.at)}`}</h3>
      <dl class="facts">
        <dt>Stream</dt><dd><code>${at.stream}</code></dd>
        <dt>Folded up to</dt><dd>${before ? "nothing (the point is before the first event)" : `revision ${at.revision} of ${at.latest.revision} (position ${at.position})`}</dd>
        <dt>Events applied</dt><dd>${at.eventsApplied}</dd>
        <dt>Last event folded</dt><dd>${at.recordedAt === null ? "—" : formatDate(at.recordedAt)}</dd>
        <dt>Latest event</dt><dd>revision ${at.latest.revision}, ${formatDate(at.latest.recordedAt)}</dd>
      </dl>
      <h4 id="aggregate-json-title">State</h4>
      <pre class="json" aria-labelledby="aggregate-json-title" tabindex="0" data-testid="aggregate-state">${JSON.stringify(at.state, null, 2)}</pre>
      <${Events} result=${result} />
    </div>
  `
}

export const AggregateSection = ({ request }: { request?: InspectRequest | undefined }) => {
  const [type, setType] = useState<AggregateType>("quota")
  const [id, setId] = useState("")
  const [mode, setMode] = useState<Mode>("latest")
  const [revision, setRevision] = useState("")
  const [time, setTime] = useState("")
  const [result, setResult] = useState<Result | undefined>()
  const action = useAction()
  const load = async (t: AggregateType, i: string, at: string | undefined) => {
      const q = at === undefined ? "" : `?at=${encodeURIComponent(at)}`
      const state = await get<AggregateAt>(`/audit/aggregates/${t}/${encodeURIComponent(i)}${q}`)
      const from = Math.max(0, state.revision - WINDOW / 2 + 1)
      const page = await get<StreamPage>(`/audit/streams/${encodeURIComponent(state.stream)}?from=${from}&limit=${WINDOW}`)
      setResult({ at: state, page, from })
      return undefined
  }
  useEffect(() => {
    if (request === undefined) return
    setType(request.type)
    setId(request.id)
    setMode("revision")
    setRevision(String(request.revision))
    void action.run(() => load(request.type, request.id, String(request.revision)))
    document.getElementById("aggregate-title")?.scrollIntoView({ block: "start" })
  }, [request])
  const submit = (e: Event) => {
    e.preventDefault()
    void action.run(async () => {
      const at = atOf(mode, revision, time)
      setResult(undefined)
      await load(type, id.trim(), at)
      return undefined
    })
  }
  return html`
    <form onSubmit=${submit} aria-label="Show an aggregate's state">
      <div class="row">
        <div>
          <label for="aggregate-type">Aggregate type</label>
          <select id="aggregate-type" value=${type} onChange=${(e: Event) => setType((e.target as HTMLSelectElement).value as AggregateType)}>
            ${AGGREGATE_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
          </select>
        </div>
        <div class="grow">
          <label for="aggregate-id">Aggregate id</label>
          <input id="aggregate-id" required value=${id} autocomplete="off" aria-describedby="aggregate-id-help" onInput=${(e: Event) => setId(inputValue(e))} />
        </div>
      </div>
      <p id="aggregate-id-help" class="hint">A quota's id is the user id; an upload's, room's or stream's is its id.</p>
      <fieldset>
        <legend>As it was</legend>
        <label class="inline"><input type="radio" name="at-mode" checked=${mode === "latest"} onChange=${() => setMode("latest")} /> Now (latest revision)</label>
        <label class="inline"><input type="radio" name="at-mode" checked=${mode === "revision"} onChange=${() => setMode("revision")} /> At a revision</label>
        <label class="inline"><input type="radio" name="at-mode" checked=${mode === "time"} onChange=${() => setMode("time")} /> At a time</label>
        ${mode === "revision"
          ? html`<label for="aggregate-revision">Revision</label>
            <input id="aggregate-revision" inputmode="numeric" value=${revision} aria-describedby="aggregate-revision-help" onInput=${(e: Event) => setRevision(inputValue(e))} />
            <p id="aggregate-revision-help" class="hint">0 is the stream's first event.</p>`
          : mode === "time"
          ? html`<label for="aggregate-time">Date and time (your time zone)</label>
            <input id="aggregate-time" type="datetime-local" step="1" value=${time} onInput=${(e: Event) => setTime(inputValue(e))} />`
          : null}
      </fieldset>
      <button type="submit" disabled=${action.busy}>${action.busy ? "Loading…" : "Show state"}</button>
    </form>
    <${Outcome} action=${action} />
    ${result === undefined ? null : html`<${ResultView} result=${result} />`}
  `
}
