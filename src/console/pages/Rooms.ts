/**
 * Rooms (`#/rooms`): the open rooms (GET /rooms), a form to open one (a title, optionally a video:
 * one of my ready videos or one from the catalog; the sponsor tier for sponsors), and each room's
 * share link.
 */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { get, post } from "../api.ts"
import { href, type PageProps } from "../router.ts"
import { hasRole, type Session } from "../session.ts"
import { ErrorText, formatDate, Show, useLoad } from "../ui.ts"
import { ShareLink } from "./room/ShareLink.ts"

interface RoomItem {
  readonly id: string
  readonly hostId: string
  readonly title: string | null
  readonly videoId: string | null
  readonly tier: "sponsor" | "standard"
  readonly capacity: number
  readonly status: "open" | "closed"
  readonly memberCount: number
  readonly lastActivityAt: number
}

interface VideoItem {
  readonly id: string
  readonly title: string
  readonly ownerId: string
}

interface Page<A> {
  readonly items: ReadonlyArray<A>
}

const CreateRoom = ({ session, onCreated }: { session: Session; onCreated: (id: string) => void }) => {
  const videos = useLoad(async (signal) => {
    const [mine, catalog] = await Promise.all([
      get<Page<VideoItem>>("/videos?owner=me&status=ready&limit=100", { signal }),
      get<Page<VideoItem>>("/videos?limit=100", { signal })
    ])
    return { mine: mine.items, catalog: catalog.items.filter((v) => v.ownerId !== session.sub) }
  }, [])
  const [title, setTitle] = useState("")
  const [videoId, setVideoId] = useState("")
  const [tier, setTier] = useState<"standard" | "sponsor">("standard")
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const sponsor = hasRole(session, "sponsor", "admin")
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const body = { ...(title.trim() === "" ? {} : { title: title.trim() }), ...(videoId === "" ? {} : { videoId }), ...(sponsor ? { tier } : {}) }
      const { id } = await post<{ id: string }>("/rooms", body)
      setTitle("")
      onCreated(id)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="create-room-title">
      <h2 id="create-room-title">Open a room</h2>
      <label for="room-title">Title</label>
      <input id="room-title" name="title" maxlength="200" value=${title} placeholder="Friday movie night"
        onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)} />
      <label for="room-video">Video</label>
      <select id="room-video" name="videoId" value=${videoId} onChange=${(e: Event) => setVideoId((e.target as HTMLSelectElement).value)}
        aria-describedby="room-video-help">
        <option value="">No video (chat only)</option>
        ${videos.loaded.state === "ready"
          ? html`
            ${videos.loaded.value.mine.length === 0 ? null : html`<optgroup label="My ready videos">
              ${videos.loaded.value.mine.map((v) => html`<option value=${v.id}>${v.title}</option>`)}
            </optgroup>`}
            ${videos.loaded.value.catalog.length === 0 ? null : html`<optgroup label="Catalog">
              ${videos.loaded.value.catalog.map((v) => html`<option value=${v.id}>${v.title} (${v.ownerId})</option>`)}
            </optgroup>`}`
          : null}
      </select>
      <p id="room-video-help" class="hint">${videos.loaded.state === "loading" ? "Loading your videos and the catalog…" : "Everyone in the room watches it together; the guests need to be allowed to watch it (public or unlisted)."}</p>
      ${videos.loaded.state === "failed" ? html`<${ErrorText} error=${videos.loaded.error} />` : null}
      ${sponsor
        ? html`<label for="room-tier">Tier</label>
          <select id="room-tier" value=${tier} onChange=${(e: Event) => setTier((e.target as HTMLSelectElement).value as "standard" | "sponsor")}>
            <option value="standard">Standard</option>
            <option value="sponsor">Sponsor (more participants)</option>
          </select>`
        : null}
      <${ErrorText} error=${error} />
      <button type="submit" disabled=${busy}>${busy ? "Opening…" : "Open the room"}</button>
    </form>
  `
}

const RoomCard = ({ room, me }: { room: RoomItem; me: string }) => html`
  <li class="card room-card">
    <h3><a href=${href(`/rooms/${encodeURIComponent(room.id)}`)}>${room.title ?? "Untitled room"}</a></h3>
    <p class="hint">
      Host ${room.hostId === me ? "you" : room.hostId} · ${room.memberCount}${room.capacity >= 0 ? ` of ${room.capacity}` : ""} members
      ${room.videoId === null ? " · chat only" : " · with a video"}${room.tier === "sponsor" ? " · sponsor" : ""} · active ${formatDate(room.lastActivityAt)}
    </p>
    <${ShareLink} id=${room.id} />
  </li>
`

export const RoomsPage = ({ session }: PageProps) => {
  const { loaded, reload } = useLoad((signal) => get<Page<RoomItem>>("/rooms?limit=100", { signal }), [])
  const [created, setCreated] = useState<string | undefined>()
  return html`
    <h1>Rooms</h1>
    <div class="rooms-layout">
      <div>
        <${CreateRoom} session=${session} onCreated=${(id: string) => (setCreated(id), reload())} />
        ${created === undefined
          ? null
          : html`<section class="card" aria-labelledby="created-title" role="status">
            <h2 id="created-title">Your room is open</h2>
            <${ShareLink} id=${created} />
            <p><a href=${href(`/rooms/${encodeURIComponent(created)}`)}>Go to the room</a></p>
          </section>`}
      </div>
      <section aria-labelledby="open-rooms-title">
        <h2 id="open-rooms-title">Open rooms</h2>
        <${Show} loaded=${loaded}>${(page: Page<RoomItem>) =>
          page.items.length === 0
            ? html`<p class="hint">No open rooms yet: open one.</p>`
            : html`<ul class="room-list">${page.items.map((room) => html`<${RoomCard} key=${room.id} room=${room} me=${session.sub} />`)}</ul>`}</${Show}>
      </section>
    </div>
  `
}
