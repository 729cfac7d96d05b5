/** Small pieces every page uses: error text, loading state, formatting. */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { ApiError } from "./api.ts"

/** An error as words for the user: the server's message with its code, or the exception's message. */
export const describeError = (e: unknown): string =>
  e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e)

export const ErrorText = ({ error }: { error: unknown }) =>
  error === undefined || error === null ? null : html`<p class="error" role="alert">${describeError(error)}</p>`

export type Loaded<A> =
  | { readonly state: "loading" }
  | { readonly state: "failed"; readonly error: unknown }
  | { readonly state: "ready"; readonly value: A }

/**
 * Loads `load()` when `deps` change (the previous load is aborted) and returns its state and a
 * `reload`. Pages render the three states with `Show`.
 */
export const useLoad = <A>(load: (signal: AbortSignal) => Promise<A>, deps: ReadonlyArray<unknown>) => {
  const [loaded, setLoaded] = useState<Loaded<A>>({ state: "loading" })
  const [round, setRound] = useState(0)
  useEffect(() => {
    const abort = new AbortController()
    load(abort.signal).then(
      (value) => !abort.signal.aborted && setLoaded({ state: "ready", value }),
      (error: unknown) => !abort.signal.aborted && setLoaded({ state: "failed", error })
    )
    return () => abort.abort()
  }, [...deps, round])
  return { loaded, reload: () => setRound((r) => r + 1) }
}

export const Show = <A>({ loaded, children }: { loaded: Loaded<A>; children: (value: A) => unknown }) =>
  loaded.state === "loading"
    ? html`<p class="loading" aria-live="polite">Loading…</p>`
    : loaded.state === "failed"
    ? html`<${ErrorText} error=${loaded.error} />`
    : children(loaded.value)

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"]
export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${UNITS[unit]}`
}

/** 75 → "1:15", 3725 → "1:02:05". */
export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`
}

export const formatDate = (iso: string | number | undefined): string =>
  iso === undefined ? "" : new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
