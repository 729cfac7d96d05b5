import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const UploadPage = (_props: PageProps) => html`<h1>Upload</h1>`
