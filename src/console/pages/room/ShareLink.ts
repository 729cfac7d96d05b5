/** A room's absolute link (`…/#/rooms/<id>`) in a read-only field with a copy button. */
import { html } from "htm/preact"
import { useRef, useState } from "preact/hooks"

export const roomLink = (id: string) => `${location.origin}${location.pathname}#/rooms/${encodeURIComponent(id)}`

export const ShareLink = ({ id }: { id: string }) => {
  const input = useRef<HTMLInputElement>(null)
  const [copied, setCopied] = useState<string | undefined>()
  const link = roomLink(id)
  const fieldId = `share-${id}`
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link)
      setCopied("Link copied.")
    } catch {
      // no clipboard API (an insecure origin): select it for the user's own copy
      input.current?.select()
      setCopied(document.execCommand("copy") ? "Link copied." : "Select the link and copy it (Ctrl+C).")
    }
  }
  return html`
    <div class="share-link">
      <label for=${fieldId}>Share link</label>
      <div class="row share-row">
        <input id=${fieldId} ref=${input} readonly value=${link} onFocus=${(e: Event) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="secondary" onClick=${copy} aria-describedby=${`${fieldId}-status`}>Copy link</button>
      </div>
      <p id=${`${fieldId}-status`} class="hint" aria-live="polite">${copied ?? ""}</p>
    </div>
  `
}
