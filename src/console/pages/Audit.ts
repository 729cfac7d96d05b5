/**
 * Audit (role auditor or admin): verify the hash chain, see an aggregate as it was at a revision or an
 * instant, export the history as NDJSON. A broken link's "Inspect" opens its stream in the aggregate section.
 */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import type { PageProps } from "../router.ts"
import { AggregateSection, aggregateOfStream, type InspectRequest } from "./audit/AggregateAt.ts"
import { ExportSection } from "./audit/Export.ts"
import { VerifySection } from "./audit/Verify.ts"

export const AuditPage = (_props: PageProps) => {
  const [request, setRequest] = useState<InspectRequest | undefined>()
  const inspect = (stream: string, revision: number) => {
    const aggregate = aggregateOfStream(stream)
    if (aggregate !== undefined) setRequest({ ...aggregate, revision })
  }
  return html`
    <h1>Audit</h1>
    <p class="hint">Every change Keyframe records is an event in a tamper-evident hash chain: verify it, replay any aggregate to a point in its history, export it all.</p>
    <section class="card" aria-labelledby="verify-title">
      <h2 id="verify-title">Verify the hash chain</h2>
      <${VerifySection} onInspect=${inspect} />
    </section>
    <section class="card" aria-labelledby="aggregate-title">
      <h2 id="aggregate-title">An aggregate at a point in time</h2>
      <${AggregateSection} request=${request} />
    </section>
    <section class="card" aria-labelledby="export-title">
      <h2 id="export-title">Export events</h2>
      <${ExportSection} />
    </section>
  `
}
