/**
 * The read models (GET /admin/projections): state, health, checkpoint, lag and rebuild progress, refreshed
 * every few seconds; a rebuild (POST /admin/projections/:name/rebuild) after a confirmation.
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { get, post } from "../../api.ts"
import { Show, useLoad } from "../../ui.ts"
import { Outcome, useAction } from "./forms.ts"

interface Projection {
  readonly projection: string
  readonly version: number
  readonly state: string
  readonly runner?: { readonly state: string; readonly role: string; readonly checkpoint: number; readonly eventsApplied: number; readonly restarts: number; readonly lastError?: string }
  readonly rebuild?: { readonly state: string; readonly fraction: number; readonly checkpoint: number; readonly head: number; readonly startedAt: string }
  readonly health?: { readonly ok: boolean; readonly checkpoint: number; readonly positionsBehind: number | null; readonly secondsBehind: number | null; readonly caughtUp: boolean | null; readonly restarts: number; readonly lastError?: string }
}

const REFRESH_MS = 3000

const lagText = (p: Projection) => {
  const h = p.health
  if (h === undefined || h.positionsBehind === null) return "unknown"
  if (h.caughtUp === true || h.positionsBehind === 0) return "caught up"
  return `${h.positionsBehind.toLocaleString("en")} positions, ${h.secondsBehind ?? "?"} s`
}

const Rebuild = ({ p, onStarted }: { p: Projection; onStarted: () => void }) => {
  const [confirming, setConfirming] = useState(false)
  const action = useAction()
  const running = p.rebuild !== undefined && p.rebuild.state !== "done" && p.rebuild.state !== "failed"
  const start = () =>
    action.run(async () => {
      await post(`/admin/projections/${encodeURIComponent(p.projection)}/rebuild`)
      setConfirming(false)
      onStarted()
      return `Rebuild of ${p.projection} started.`
    })
  return html`
    ${confirming
      ? html`
        <div role="group" aria-label=${`Confirm rebuilding ${p.projection}`} class="confirm">
          <p>Rebuild ${p.projection} from the start of history? Queries keep reading the current build until the new one has caught up.</p>
          <div class="row">
            <button type="button" class="danger" disabled=${action.busy} onClick=${start}>Yes, rebuild ${p.projection}</button>
            <button type="button" class="secondary" onClick=${() => (setConfirming(false), action.reset())}>Cancel</button>
          </div>
        </div>`
      : html`<button type="button" class="secondary" disabled=${running} aria-label=${`Rebuild ${p.projection}`}
          onClick=${() => (action.reset(), setConfirming(true))}>${running ? "Rebuilding…" : "Rebuild"}</button>`}
    <${Outcome} action=${action} />
  `
}

const Row = ({ p, onStarted }: { p: Projection; onStarted: () => void }) => {
  const ok = p.health?.ok === true
  const error = p.health?.lastError ?? p.runner?.lastError
  return html`
    <tr>
      <th scope="row">${p.projection}<div class="hint">v${p.version}${p.runner ? `, ${p.runner.role}` : ""}</div></th>
      <td data-label="Health"><span class=${`badge ${ok ? "ready" : "failed"}`}>${ok ? "healthy" : "unhealthy"}</span><div class="hint">${p.state}${p.runner && p.runner.state !== "running" ? ` / ${p.runner.state}` : ""}</div></td>
      <td data-label="Checkpoint">${(p.health?.checkpoint ?? p.runner?.checkpoint ?? 0).toLocaleString("en")}</td>
      <td data-label="Lag">${lagText(p)}</td>
      <td data-label="Restarts">${p.health?.restarts ?? p.runner?.restarts ?? 0}${error ? html`<div class="error">${error}</div>` : null}</td>
      <td data-label="Rebuild">
        ${p.rebuild === undefined
          ? html`<span class="hint">none</span>`
          : html`
            <label class="inline" for=${`rebuild-${p.projection}`}>${p.rebuild.state}, ${Math.round(p.rebuild.fraction * 100)} %</label>
            <progress id=${`rebuild-${p.projection}`} max="1" value=${p.rebuild.fraction} aria-label=${`Rebuild of ${p.projection}`}></progress>
            <div class="hint">${p.rebuild.checkpoint.toLocaleString("en")} of ${p.rebuild.head.toLocaleString("en")}</div>`}
      </td>
      <td><${Rebuild} p=${p} onStarted=${onStarted} /></td>
    </tr>
  `
}

export const ProjectionSection = () => {
  const { loaded, reload } = useLoad((signal) => get<{ projections: ReadonlyArray<Projection> }>("/admin/projections", { signal }), [])
  const [checkedAt, setCheckedAt] = useState<Date | undefined>()
  const [auto, setAuto] = useState(true)
  useEffect(() => {
    if (loaded.state !== "loading") setCheckedAt(new Date())
  }, [loaded])
  useEffect(() => {
    if (!auto) return
    const timer = setInterval(() => document.visibilityState === "visible" && reload(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [auto])
  return html`
    <div class="row">
      <button type="button" class="secondary" onClick=${reload}>Refresh now</button>
      <label class="inline"><input type="checkbox" checked=${auto} onChange=${(e: Event) => setAuto((e.target as HTMLInputElement).checked)} /> Refresh every ${REFRESH_MS / 1000} s</label>
      <span class="hint">${checkedAt === undefined ? "" : `Checked at ${checkedAt.toLocaleTimeString()}`}</span>
    </div>
    <${Show} loaded=${loaded}>
      ${({ projections }: { projections: ReadonlyArray<Projection> }) => html`
        <div class="table-wrap">
          <table class="projections stack">
            <caption class="visually-hidden">Read models</caption>
            <thead><tr>
              <th scope="col">Read model</th><th scope="col">Health</th><th scope="col">Checkpoint</th><th scope="col">Lag</th>
              <th scope="col">Restarts</th><th scope="col">Rebuild</th><th scope="col">Action</th>
            </tr></thead>
            <tbody>
              ${projections.map((p) => html`<${Row} key=${p.projection} p=${p} onStarted=${reload} />`)}
            </tbody>
          </table>
        </div>
      `}
    <//>
  `
}
