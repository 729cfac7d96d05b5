import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const AuditPage = (_props: PageProps) => html`<h1>Audit</h1>`
