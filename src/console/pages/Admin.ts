/**
 * Admin (role admin): users' quotas, the catalog's categories, the runtime settings and the read models,
 * one section each. The local nav links are routes too (`#/admin?section=settings`): shareable, and the
 * page scrolls to (and focuses) that section's heading.
 */
import { html } from "htm/preact"
import { useEffect } from "preact/hooks"
import type { PageProps } from "../router.ts"
import { href } from "../router.ts"
import { CategorySection } from "./admin/Categories.ts"
import { ProjectionSection } from "./admin/Projections.ts"
import { QuotaSection } from "./admin/Quotas.ts"
import { SettingsSection } from "./admin/Settings.ts"

const SECTIONS = [
  { id: "quotas", title: "Users' quotas", component: QuotaSection, intro: "Look up a user by id to see this week's usage, set their weekly upload limit, or grant sponsor." },
  { id: "categories", title: "Categories", component: CategorySection, intro: "The catalog's categories, oldest first. Removing one leaves its videos without a category." },
  { id: "settings", title: "Runtime settings", component: SettingsSection, intro: "Limits an admin may change while Keyframe runs; they override the environment's." },
  { id: "projections", title: "Read models", component: ProjectionSection, intro: "Each projection's health, checkpoint and lag. A rebuild runs beside the live build and swaps in when caught up." }
] as const

export const AdminPage = ({ route }: PageProps) => {
  const section = route.query.get("section")
  useEffect(() => {
    if (section === null) return
    const heading = document.getElementById(`${section}-title`)
    if (heading === null) return
    heading.scrollIntoView({ block: "start" })
    heading.focus({ preventScroll: true })
  }, [section])
  return html`
    <h1>Admin</h1>
    <nav aria-label="Admin sections" class="local-nav">
      <ul>
        ${SECTIONS.map((s) => html`<li><a href=${href(`/admin?section=${s.id}`)} aria-current=${section === s.id ? "location" : undefined}>${s.title}</a></li>`)}
      </ul>
    </nav>
    ${SECTIONS.map((s) => html`
      <section class="card" aria-labelledby=${`${s.id}-title`} id=${s.id}>
        <h2 id=${`${s.id}-title`} tabindex="-1">${s.title}</h2>
        <p class="hint">${s.intro}</p>
        <${s.component} />
      </section>
    `)}
  `
}
