/** Small form helpers of the admin and audit pages: a command's busy/error/done state, byte amounts with a unit. */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { ErrorText, formatBytes } from "../../ui.ts"

export interface Action {
  readonly busy: boolean
  readonly error: unknown
  /** The last success's words (shown in a polite live region). */
  readonly done: string | undefined
  /** Runs `work`; its result (a string) becomes `done`. Errors are kept to be shown, never thrown. */
  readonly run: (work: () => Promise<string | undefined>) => Promise<void>
  readonly reset: () => void
}

export const useAction = (): Action => {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState<string | undefined>(undefined)
  return {
    busy,
    error,
    done,
    run: async (work) => {
      setBusy(true)
      setError(undefined)
      setDone(undefined)
      try {
        setDone(await work())
      } catch (e) {
        setError(e)
      } finally {
        setBusy(false)
      }
    },
    reset: () => {
      setError(undefined)
      setDone(undefined)
    }
  }
}

/** The action's outcome: the server's error in words, or what was done. */
export const Outcome = ({ action }: { action: Action }) => html`
  <${ErrorText} error=${action.error} />
  <p class="ok" aria-live="polite">${action.done ?? ""}</p>
`

export const UNITS = [
  { name: "bytes", factor: 1 },
  { name: "KiB", factor: 1024 },
  { name: "MiB", factor: 1024 ** 2 },
  { name: "GiB", factor: 1024 ** 3 },
  { name: "TiB", factor: 1024 ** 4 }
] as const
export type Unit = (typeof UNITS)[number]["name"]

/** The largest unit that shows `bytes` exactly (so an edit starts from the value as it is). */
export const splitBytes = (bytes: number): { amount: string; unit: Unit } => {
  for (let i = UNITS.length - 1; i > 0; i--) {
    const u = UNITS[i]!
    if (bytes >= u.factor && bytes % u.factor === 0) return { amount: String(bytes / u.factor), unit: u.name }
  }
  return { amount: String(bytes), unit: "bytes" }
}

/** `amount` of `unit` as whole bytes; NaN when it is not a number (the server then words the refusal). */
export const toBytes = (amount: string, unit: Unit): number => {
  const value = Number(amount.trim())
  if (amount.trim() === "" || !Number.isFinite(value)) return Number.NaN
  return Math.round(value * (UNITS.find((u) => u.name === unit)?.factor ?? 1))
}

/** "4 GiB (4,294,967,296 bytes)". */
export const bytesText = (bytes: number) => bytes < 1024 ? `${bytes.toLocaleString("en")} bytes` : `${formatBytes(bytes)} (${bytes.toLocaleString("en")} bytes)`

/** A number input and a unit select, labelled `label` (the select's label says it is the unit of it). */
export const BytesField = ({ id, label, amount, unit, onAmount, onUnit, disabled, describedBy }: {
  id: string
  label: string
  amount: string
  unit: Unit
  onAmount: (v: string) => void
  onUnit: (u: Unit) => void
  disabled?: boolean
  describedBy?: string
}) => html`
  <div class="bytes-field">
    <div>
      <label for=${id}>${label}</label>
      <input id=${id} type="text" inputmode="decimal" autocomplete="off" value=${amount} disabled=${disabled}
        aria-describedby=${describedBy} onInput=${(e: Event) => onAmount((e.target as HTMLInputElement).value)} />
    </div>
    <div>
      <label for=${`${id}-unit`}>Unit<span class="visually-hidden"> of ${label.toLowerCase()}</span></label>
      <select id=${`${id}-unit`} value=${unit} disabled=${disabled} onChange=${(e: Event) => onUnit((e.target as HTMLSelectElement).value as Unit)}>
        ${UNITS.map((u) => html`<option value=${u.name}>${u.name}</option>`)}
      </select>
    </div>
  </div>
`

export const inputValue = (e: Event) => (e.target as HTMLInputElement).value
