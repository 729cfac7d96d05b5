import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const RoomsPage = (_props: PageProps) => html`<h1>Rooms</h1>`
