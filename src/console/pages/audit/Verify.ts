/** Hash-chain verification (GET /audit/verify, /audit/verify/:stream): intact with what was checked, or the FIRST broken link. */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { get } from "../../api.ts"
import { inputValue, Outcome, useAction } from "../admin/forms.ts"
import { aggregateOfStream } from "./AggregateAt.ts"

export interface BrokenLink {
  readonly stream: string
  readonly revision: number
  readonly position: number
  readonly eventId: string
  readonly reason: "hash_mismatch" | "prev_hash_mismatch" | "revision_gap"
  readonly expected: string
  readonly actual: string
}

export interface ChainReport {
  readonly ok: boolean
  readonly scope: string
  readonly checked: number
  readonly streams?: number
  readonly broken?: BrokenLink
  readonly seconds: number
}

const STREAM_PATTERN = "[a-z][a-z0-9_]*-[A-Za-z0-9][A-Za-z0-9_.:@\\-]{0,190}"

/** Why the link is broken, in words, and what the two values are. */
export const reasonText = (b: BrokenLink): { why: string; expectedLabel: string; actualLabel: string } =>
  b.reason === "revision_gap"
    ? { why: "a revision is missing: the event's revision is not the one after the previous event's (an event was removed or renumbered)", expectedLabel: "Expected revision", actualLabel: "Found revision" }
    : b.reason === "prev_hash_mismatch"
    ? { why: "its prevHash is not the hash of the stream's previous event (an earlier event was changed, removed or inserted)", expectedLabel: "Previous event's hash", actualLabel: "This event's prevHash" }
    : { why: "its stored hash does not match the hash of its own contents (the event was changed after it was written)", expectedLabel: "Hash of its contents", actualLabel: "Stored hash" }

export const ChainResult = ({ report, onInspect }: { report: ChainReport; onInspect?: (stream: string, revision: number) => void }) => {
  const scope = report.scope === "all" ? "the whole store" : `stream ${report.scope}`
  const counted = `${report.checked.toLocaleString("en")} event${report.checked === 1 ? "" : "s"}${report.streams === undefined || report.scope !== "all" ? "" : ` in ${report.streams.toLocaleString("en")} stream${report.streams === 1 ? "" : "s"}`}`
  if (report.ok || report.broken === undefined) {
    return html`
      <div class="chain chain-ok" role="status">
        <p class="ok"><strong>Chain intact.</strong> Every link of ${scope} holds: ${counted} checked in ${report.seconds} s.</p>
        <p class="hint">Each event's prevHash is its predecessor's hash, each hash matches the event's contents, and no revision is missing.</p>
      </div>
    `
  }
  const b = report.broken
  const r = reasonText(b)
  return html`
    <div class="chain chain-broken" role="alert">
      <p class="error"><strong>Chain broken</strong> in ${scope}: the first broken link is at stream <code>${b.stream}</code>, revision ${b.revision} (position ${b.position}).</p>
      <p><strong>Why:</strong> ${r.why} (<code>${b.reason}</code>).</p>
      <dl class="facts">
        <dt>Stream</dt><dd><code>${b.stream}</code></dd>
        <dt>Revision</dt><dd>${b.revision}</dd>
        <dt>Position</dt><dd>${b.position}</dd>
        <dt>Event id</dt><dd><code>${b.eventId}</code></dd>
        <dt>${r.expectedLabel}</dt><dd><code class="hash">${b.expected}</code></dd>
        <dt>${r.actualLabel}</dt><dd><code class="hash">${b.actual}</code></dd>
      </dl>
      <p class="hint">${counted} before it held. Verification stops at the first broken link; what follows it was not checked.</p>
      ${onInspect === undefined || aggregateOfStream(b.stream) === undefined ? null : html`<button type="button" class="secondary" onClick=${() => onInspect(b.stream, b.revision)}>Inspect ${b.stream} at revision ${b.revision}</button>`}
    </div>
  `
}

export const VerifySection = ({ onInspect }: { onInspect?: (stream: string, revision: number) => void }) => {
  const [stream, setStream] = useState("")
  const [report, setReport] = useState<ChainReport | undefined>()
  const action = useAction()
  const submit = (e: Event) => {
    e.preventDefault()
    setReport(undefined)
    void action.run(async () => {
      const s = stream.trim()
      setReport(await get<ChainReport>(s === "" ? "/audit/verify" : `/audit/verify/${encodeURIComponent(s)}`))
      return undefined
    })
  }
  return html`
    <form onSubmit=${submit} aria-label="Verify the hash chain">
      <label for="verify-stream">Stream (optional)</label>
      <input id="verify-stream" pattern=${STREAM_PATTERN} placeholder="e.g. quota-alice; empty = every stream" value=${stream}
        aria-describedby="verify-stream-help" onInput=${(e: Event) => setStream(inputValue(e))} />
      <p id="verify-stream-help" class="hint">Empty verifies the whole store in position order.</p>
      <button type="submit" disabled=${action.busy}>${action.busy ? "Verifying…" : "Verify chain"}</button>
    </form>
    <${Outcome} action=${action} />
    ${report === undefined ? null : html`<${ChainResult} report=${report} onInspect=${onInspect} />`}
  `
}
