import { html } from "htm/preact"
import type { PageProps } from "../router.ts"

export const RoomPage = (_props: PageProps) => html`<h1>Room</h1>`
