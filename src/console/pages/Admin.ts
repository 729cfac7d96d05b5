import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const AdminPage = (_props: PageProps) => html`<h1>Admin</h1>`
