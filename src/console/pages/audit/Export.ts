/**
 * The NDJSON export (GET /audit/export): fetched with the session's token (a plain link could not send it),
 * kept as a Blob and offered as an object URL, saved at once and linked for saving again.
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { authHeaders, errorOf } from "../../api.ts"
import { formatBytes } from "../../ui.ts"
import { inputValue, Outcome, useAction } from "../admin/forms.ts"

interface Saved {
  readonly url: string
  readonly filename: string
  readonly bytes: number
  readonly events: number
}

/** `attachment; filename="x.ndjson"` → x.ndjson. */
const filenameOf = (disposition: string | null, fallback: string) => /filename="?([^";]+)"?/.exec(disposition ?? "")?.[1] ?? fallback

const save = (url: string, filename: string) => {
  const a = document.createElement("a")
  a.href = url
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
}

export const ExportSection = () => {
  const [from, setFrom] = useState("")
  const [category, setCategory] = useState("")
  const [types, setTypes] = useState("")
  const [saved, setSaved] = useState<Saved | undefined>()
  const action = useAction()
  // the object URL holds the whole file in memory: let it go with the page or the next export
  useEffect(() => () => saved && URL.revokeObjectURL(saved.url), [saved])
  const submit = (e: Event) => {
    e.preventDefault()
    void action.run(async () => {
      const q = new URLSearchParams()
      if (from.trim() !== "") q.set("from", from.trim())
      if (category.trim() !== "") q.set("category", category.trim())
      if (types.trim() !== "") q.set("types", types.replace(/\s+/g, ""))
      const query = q.toString()
      let response: Response
      try {
        response = await fetch(`/audit/export${query === "" ? "" : `?${query}`}`, { headers: { Accept: "application/x-ndjson", ...authHeaders() } })
      } catch {
        throw new Error("Keyframe cannot be reached: check your network connection")
      }
      if (!response.ok) throw await errorOf(response)
      const blob = await response.blob()
      const text = blob.size < 64 * 1024 * 1024 ? await blob.text() : undefined
      const events = text === undefined ? Number.NaN : text.split("\n").filter((l) => l.trim() !== "").length
      const filename = filenameOf(response.headers.get("Content-Disposition"), "keyframe-events.ndjson")
      const url = URL.createObjectURL(new Blob([blob], { type: "application/x-ndjson" }))
      setSaved({ url, filename, bytes: blob.size, events })
      save(url, filename)
      return `Exported ${Number.isNaN(events) ? "" : `${events.toLocaleString("en")} events, `}${formatBytes(blob.size)}.`
    })
  }
  return html`
    <form onSubmit=${submit} aria-label="Export events">
      <div class="row">
        <div class="grow">
          <label for="export-from">From position (optional)</label>
          <input id="export-from" inputmode="numeric" pattern="[0-9]*" placeholder="1" value=${from} onInput=${(e: Event) => setFrom(inputValue(e))} />
        </div>
        <div class="grow">
          <label for="export-category">Stream category (optional)</label>
          <input id="export-category" pattern="[a-z][a-z0-9_]*" placeholder="e.g. quota, room, upload" value=${category} onInput=${(e: Event) => setCategory(inputValue(e))} />
        </div>
        <div class="grow">
          <label for="export-types">Event types (optional)</label>
          <input id="export-types" placeholder="e.g. QuotaLimitSet,RoomOpened" aria-describedby="export-types-help" value=${types} onInput=${(e: Event) => setTypes(inputValue(e))} />
        </div>
      </div>
      <p id="export-types-help" class="hint">Comma-separated. One stored event per line, in position order, with its metadata and hashes.</p>
      <button type="submit" disabled=${action.busy}>${action.busy ? "Exporting…" : "Download NDJSON export"}</button>
    </form>
    <${Outcome} action=${action} />
    ${saved === undefined ? null : html`<p><a href=${saved.url} download=${saved.filename}>Save ${saved.filename} again</a> (${formatBytes(saved.bytes)})</p>`}
  `
}
