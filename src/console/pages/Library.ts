import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const LibraryPage = (_props: PageProps) => html`<h1>Library</h1>`
