import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const VideoPage = (_props: PageProps) => html`<h1>Video</h1>`
