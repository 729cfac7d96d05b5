import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const CatalogPage = (_props: PageProps) => html`<h1>Catalog</h1>`
