/**
 * The Keyframe console: Preact with htm templates, loaded as ES modules straight from the repository
 * (no build step; ConsoleAssets.ts strips the types). Why this stack: Preact is React's model in
 * 4 KB, htm gives JSX's syntax without a compiler, and both are stable, widely used and dependency
 * free — the console stays readable TypeScript that any web developer can change, and works on a
 * closed network (everything is served by Keyframe).
 */
import { html } from "htm/preact"
import { render } from "preact"
import { useEffect, useState } from "preact/hooks"
import { AdminPage } from "./pages/Admin.ts"
import { AuditPage } from "./pages/Audit.ts"
import { CatalogPage } from "./pages/Catalog.ts"
import { LibraryPage } from "./pages/Library.ts"
import { RoomPage } from "./pages/Room.ts"
import { RoomsPage } from "./pages/Rooms.ts"
import { SignInPage } from "./pages/SignIn.ts"
import { UploadPage } from "./pages/Upload.ts"
import { VideoPage } from "./pages/Video.ts"
import { currentRoute, href, type PageProps, useHashChange } from "./router.ts"
import { currentSession, hasRole, onSessionChange, type Role, type Session, signOut } from "./session.ts"

interface PageEntry {
  readonly title: string
  readonly component: (props: PageProps) => unknown
  /** Shown in the navigation (with this label) when set. */
  readonly nav?: string
  /** Any of these roles; unset = every signed-in user. */
  readonly roles?: ReadonlyArray<Role>
}

const PAGES: Readonly<Record<string, PageEntry>> = {
  "/": { title: "Catalog", component: CatalogPage, nav: "Catalog" },
  "/library": { title: "My videos", component: LibraryPage, nav: "My videos" },
  "/upload": { title: "Upload", component: UploadPage, nav: "Upload" },
  "/videos/:id": { title: "Video", component: VideoPage },
  "/rooms": { title: "Rooms", component: RoomsPage, nav: "Rooms" },
  "/rooms/:id": { title: "Room", component: RoomPage },
  "/admin": { title: "Admin", component: AdminPage, nav: "Admin", roles: ["admin"] },
  "/audit": { title: "Audit", component: AuditPage, nav: "Audit", roles: ["auditor", "admin"] }
}

const Nav = ({ session, path }: { session: Session; path: string }) => html`
  <header class="top">
    <a class="brand" href=${href("/")}>Keyframe</a>
    <nav aria-label="Main">
      <ul>
        ${Object.entries(PAGES).filter(([, p]) => p.nav !== undefined && (p.roles === undefined || hasRole(session, ...p.roles))).map(([pattern, p]) =>
          html`<li><a href=${href(pattern)} aria-current=${path === pattern ? "page" : undefined}>${p.nav}</a></li>`
        )}
      </ul>
    </nav>
    <div class="who">
      <span title=${session.roles.join(", ")}>${session.sub}</span>
      <button type="button" class="link" onClick=${signOut}>Sign out</button>
    </div>
  </header>
`

const App = () => {
  useHashChange()
  const [session, setSession] = useState<Session | undefined>(currentSession())
  useEffect(() => onSessionChange(() => setSession(currentSession())), [])
  // a token that expires while the page is open signs the page out
  useEffect(() => {
    if (session?.expiresAt === undefined) return
    const timer = setTimeout(signOut, Math.max(0, session.expiresAt - Date.now()))
    return () => clearTimeout(timer)
  }, [session])
  const route = currentRoute(Object.keys(PAGES))
  const entry = route.pattern === undefined ? undefined : PAGES[route.pattern]
  useEffect(() => {
    document.title = `${entry?.title ?? "Not found"} · Keyframe`
  }, [entry])
  if (session === undefined) return html`<main id="main"><${SignInPage} /></main>`
  const allowed = entry !== undefined && (entry.roles === undefined || hasRole(session, ...entry.roles))
  return html`
    <a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById("main")?.focus())}>Skip to content</a>
    <${Nav} session=${session} path=${route.path} />
    <main id="main" tabindex="-1">
      ${entry === undefined
        ? html`<h1>Not found</h1><p>There is no page at <code>${route.path}</code>. <a href=${href("/")}>Go to the catalog</a>.</p>`
        : !allowed
        ? html`<h1>${entry.title}</h1><p class="error" role="alert">This page needs the ${entry.roles!.join(" or ")} role; you are signed in as ${session.sub} (${session.roles.join(", ")}).</p>`
        : html`<${entry.component} key=${route.path} session=${session} route=${route} />`}
    </main>
  `
}

const root = document.getElementById("app")!
root.textContent = "" // the "Loading…" line: Preact adds to what is there
render(html`<${App} />`, root)
