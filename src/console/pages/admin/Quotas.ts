/**
 * A user's quota: look the user up (the override on their Quota aggregate, and this week's usage from
 * GET /me/quota?user=), set the weekly limit (default, unlimited or an amount), grant or withdraw sponsor.
 */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { get, put } from "../../api.ts"
import { ErrorText, formatDate } from "../../ui.ts"
import { BytesField, bytesText, inputValue, Outcome, splitBytes, toBytes, type Unit, useAction } from "./forms.ts"

interface QuotaOverride {
  readonly userId: string
  readonly limitOverride: number | null
  readonly sponsor: boolean
  readonly revision: number
}

interface QuotaUsage {
  readonly limitBytes: number | null
  readonly unlimited: boolean
  readonly usedBytes: number
  readonly reservedBytes: number
  readonly committedBytes: number
  readonly remainingBytes: number | null
  readonly resetsAt: string
}

interface Looked {
  readonly override: QuotaOverride
  readonly usage: QuotaUsage
}

const USER_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.:@\\-]{0,99}"

const load = async (userId: string): Promise<Looked> => {
  const id = encodeURIComponent(userId)
  const [override, usage] = await Promise.all([
    get<QuotaOverride>(`/admin/users/${id}/quota`),
    get<QuotaUsage>(`/me/quota?user=${id}`)
  ])
  return { override, usage }
}

const overrideText = (o: QuotaOverride) =>
  o.limitOverride === null ? "none (the default limit applies)" : o.limitOverride === -1 ? "unlimited (sponsor)" : bytesText(o.limitOverride)

type Mode = "default" | "unlimited" | "custom"

const LimitForm = ({ looked, onChanged }: { looked: Looked; onChanged: (userId: string) => Promise<void> }) => {
  const { override } = looked
  const initial = override.limitOverride === null || override.limitOverride === -1 ? { amount: "", unit: "GiB" as Unit } : splitBytes(override.limitOverride)
  const [mode, setMode] = useState<Mode>(override.limitOverride === null ? "default" : override.limitOverride === -1 ? "unlimited" : "custom")
  const [amount, setAmount] = useState(initial.amount)
  const [unit, setUnit] = useState<Unit>(initial.unit)
  const [reason, setReason] = useState("")
  const action = useAction()
  const sponsorAction = useAction()
  const path = `/admin/users/${encodeURIComponent(override.userId)}`
  const submit = (e: Event) => {
    e.preventDefault()
    void action.run(async () => {
      const limitBytes = mode === "default" ? null : mode === "unlimited" ? -1 : toBytes(amount, unit)
      if (Number.isNaN(limitBytes)) throw new Error("Enter the weekly limit as a number (for example 5 with the unit GiB).")
      const r = await put<{ limitBytes: number | null; changed: boolean }>(`${path}/quota-limit`, { limitBytes, ...(reason.trim() === "" ? {} : { reason: reason.trim() }) })
      await onChanged(override.userId)
      const what = r.limitBytes === null ? "the default limit" : r.limitBytes === -1 ? "unlimited" : bytesText(r.limitBytes)
      return r.changed ? `${override.userId}'s weekly limit is now ${what}.` : `${override.userId}'s weekly limit already was ${what}.`
    })
  }
  const setSponsor = (sponsor: boolean) =>
    sponsorAction.run(async () => {
      const r = await put<{ changed: boolean }>(`${path}/sponsor`, { sponsor, ...(reason.trim() === "" ? {} : { reason: reason.trim() }) })
      await onChanged(override.userId)
      return `${sponsor ? "Sponsor quota granted to" : "Sponsor quota withdrawn from"} ${override.userId}${r.changed ? "" : " (no change)"}.`
    })
  return html`
    <form onSubmit=${submit} aria-labelledby="limit-title">
      <h4 id="limit-title">Weekly upload limit</h4>
      <fieldset>
        <legend>Limit for ${override.userId}</legend>
        <label class="inline"><input type="radio" name="limit-mode" value="default" checked=${mode === "default"} onChange=${() => setMode("default")} /> Default limit</label>
        <label class="inline"><input type="radio" name="limit-mode" value="unlimited" checked=${mode === "unlimited"} onChange=${() => setMode("unlimited")} /> Unlimited</label>
        <label class="inline"><input type="radio" name="limit-mode" value="custom" checked=${mode === "custom"} onChange=${() => setMode("custom")} /> Custom amount</label>
        ${mode === "custom"
          ? html`<${BytesField} id="limit-amount" label="Weekly limit" amount=${amount} unit=${unit} onAmount=${setAmount} onUnit=${setUnit} />`
          : null}
      </fieldset>
      <label for="limit-reason">Reason (optional, kept in the audit trail)</label>
      <input id="limit-reason" maxlength="500" value=${reason} onInput=${(e: Event) => setReason(inputValue(e))} />
      <div class="row">
        <button type="submit" disabled=${action.busy}>${action.busy ? "Saving…" : "Set weekly limit"}</button>
        ${override.sponsor
          ? html`<button type="button" class="secondary" disabled=${sponsorAction.busy} onClick=${() => setSponsor(false)}>Withdraw sponsor</button>`
          : html`<button type="button" class="secondary" disabled=${sponsorAction.busy} onClick=${() => setSponsor(true)}>Grant sponsor</button>`}
      </div>
      <${Outcome} action=${action} />
      <${Outcome} action=${sponsorAction} />
      <p class="hint">Sponsor here is the quota side (an unlimited weekly limit); the token's <code>sponsor</code> role, which gives sponsor rooms, is separate.</p>
    </form>
  `
}

const QuotaDetails = ({ looked }: { looked: Looked }) => {
  const { override, usage } = looked
  return html`
    <dl class="facts">
      <dt>Override</dt><dd>${overrideText(override)}</dd>
      <dt>Limit in force</dt><dd>${usage.unlimited || usage.limitBytes === null ? "unlimited" : bytesText(usage.limitBytes)}</dd>
      <dt>Used this week</dt><dd>${bytesText(usage.usedBytes)} (${bytesText(usage.reservedBytes)} reserved by uploads in flight)</dd>
      <dt>Remaining</dt><dd>${usage.remainingBytes === null ? "unlimited" : bytesText(usage.remainingBytes)}</dd>
      <dt>Resets</dt><dd>${formatDate(usage.resetsAt)}</dd>
    </dl>
  `
}

export const QuotaSection = () => {
  const [userId, setUserId] = useState("")
  const [looked, setLooked] = useState<Looked | undefined>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const lookUp = async (id: string) => {
    setBusy(true)
    setError(undefined)
    try {
      setLooked(await load(id))
    } catch (e) {
      setLooked(undefined)
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  const submit = (e: Event) => {
    e.preventDefault()
    if (userId.trim() !== "") void lookUp(userId.trim())
  }
  return html`
    <form class="row lookup" onSubmit=${submit} role="search" aria-label="Look up a user's quota">
      <div class="grow">
        <label for="quota-user">User id</label>
        <input id="quota-user" name="user" required pattern=${USER_PATTERN} value=${userId} autocomplete="off"
          onInput=${(e: Event) => setUserId(inputValue(e))} />
      </div>
      <button type="submit" disabled=${busy}>${busy ? "Looking up…" : "Look up"}</button>
    </form>
    <${ErrorText} error=${error} />
    ${looked === undefined
      ? null
      : html`
        <div class="subcard" aria-live="polite">
          <h3>Quota of ${looked.override.userId}</h3>
          <${QuotaDetails} looked=${looked} />
          <${LimitForm} key=${looked.override.userId} looked=${looked} onChanged=${lookUp} />
        </div>
      `}
  `
}
