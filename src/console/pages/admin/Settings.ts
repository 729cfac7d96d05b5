/** The runtime settings (GET/PUT /admin/settings): what is in force, the environment's defaults, an admin's overrides. */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { get, put } from "../../api.ts"
import { formatDate, Show, useLoad } from "../../ui.ts"
import { BytesField, bytesText, Outcome, splitBytes, toBytes, type Unit, useAction } from "./forms.ts"

type Key = "maxFileSizeBytes" | "weeklyUploadLimitBytes"

interface RuntimeSettings {
  readonly effective: Readonly<Record<Key, number>>
  readonly overrides: Readonly<Record<Key, number | null>>
  readonly defaults: Readonly<Record<Key, number>>
  readonly changedBy: string | null
  readonly changedAt: string | null
  readonly revision: number
}

const FIELDS: ReadonlyArray<{ key: Key; label: string; env: string }> = [
  { key: "maxFileSizeBytes", label: "Largest upload", env: "MAX_FILE_SIZE_BYTES" },
  { key: "weeklyUploadLimitBytes", label: "Weekly upload allowance per user", env: "WEEKLY_UPLOAD_LIMIT_BYTES" }
]

interface Draft {
  readonly useDefault: boolean
  readonly amount: string
  readonly unit: Unit
}

const draftOf = (s: RuntimeSettings, key: Key): Draft => ({ useDefault: s.overrides[key] === null, ...splitBytes(s.effective[key]) })

const SettingsForm = ({ settings, onSaved }: { settings: RuntimeSettings; onSaved: (s: RuntimeSettings) => void }) => {
  const [drafts, setDrafts] = useState<Record<Key, Draft>>({
    maxFileSizeBytes: draftOf(settings, "maxFileSizeBytes"),
    weeklyUploadLimitBytes: draftOf(settings, "weeklyUploadLimitBytes")
  })
  const action = useAction()
  const edit = (key: Key, change: Partial<Draft>) => setDrafts({ ...drafts, [key]: { ...drafts[key], ...change } })
  const submit = (e: Event) => {
    e.preventDefault()
    void action.run(async () => {
      const body: Record<string, number | null> = {}
      for (const { key, label } of FIELDS) {
        const d = drafts[key]
        const bytes = d.useDefault ? null : toBytes(d.amount, d.unit)
        if (Number.isNaN(bytes)) throw new Error(`${label}: enter a number (for example 2 with the unit GiB).`)
        body[key] = bytes
      }
      const saved = await put<RuntimeSettings>("/admin/settings", body)
      onSaved(saved)
      return `Saved: largest upload ${bytesText(saved.effective.maxFileSizeBytes)}, weekly allowance ${bytesText(saved.effective.weeklyUploadLimitBytes)}.`
    })
  }
  return html`
    <form onSubmit=${submit} aria-labelledby="settings-form-title" class="subcard">
      <h3 id="settings-form-title">Change</h3>
      ${FIELDS.map(({ key, label, env }) => {
        const d = drafts[key]
        return html`
          <fieldset>
            <legend>${label}</legend>
            <label class="inline">
              <input type="checkbox" checked=${d.useDefault} onChange=${(e: Event) => edit(key, { useDefault: (e.target as HTMLInputElement).checked })} />
              Use the environment's value (${env} = ${bytesText(settings.defaults[key])})
            </label>
            <${BytesField} id=${`setting-${key}`} label=${label} amount=${d.amount} unit=${d.unit} disabled=${d.useDefault}
              onAmount=${(amount: string) => edit(key, { amount })} onUnit=${(unit: Unit) => edit(key, { unit })} />
          </fieldset>
        `
      })}
      <p class="hint">Every node's upload checks follow within moments; what was already reserved or uploaded is not revisited.</p>
      <button type="submit" disabled=${action.busy}>${action.busy ? "Saving…" : "Save settings"}</button>
      <${Outcome} action=${action} />
    </form>
  `
}

export const SettingsSection = () => {
  const [saved, setSaved] = useState<RuntimeSettings | undefined>()
  const { loaded } = useLoad((signal) => get<RuntimeSettings>("/admin/settings", { signal }), [])
  return html`
    <${Show} loaded=${loaded}>
      ${(fetched: RuntimeSettings) => {
        const s = saved ?? fetched
        return html`
          <div class="table-wrap">
            <table class="stack">
              <caption class="visually-hidden">Runtime settings</caption>
              <thead><tr><th scope="col">Setting</th><th scope="col">In force</th><th scope="col">Environment</th><th scope="col">Override</th></tr></thead>
              <tbody>
                ${FIELDS.map(({ key, label }) => html`
                  <tr>
                    <th scope="row">${label}</th>
                    <td data-label="In force" data-setting=${key}>${bytesText(s.effective[key])}</td>
                    <td data-label="Environment">${bytesText(s.defaults[key])}</td>
                    <td data-label="Override">${s.overrides[key] === null ? "none" : bytesText(s.overrides[key]!)}</td>
                  </tr>
                `)}
              </tbody>
            </table>
          </div>
          <p class="hint">${s.changedBy === null ? "Never changed: the environment's values are in force." : `Last changed by ${s.changedBy}, ${formatDate(s.changedAt ?? undefined)}.`}</p>
          <${SettingsForm} settings=${fetched} onSaved=${setSaved} />
        `
      }}
    <//>
  `
}
