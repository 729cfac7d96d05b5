/**
 * A watch room (`#/rooms/:id`): one WebSocket (room/RoomConnection.ts) for the members, presence and
 * chat, the video kept in step with the room (room/RoomPlayer.ts), and the host's settings over HTTP
 * (who may drive playback, closing the room).
 */
import { html } from "htm/preact"
import { useEffect, useRef, useState } from "preact/hooks"
import { consoleConfig, post, put } from "../api.ts"
import { href, type PageProps } from "../router.ts"
import { ErrorText, Show, useLoad } from "../ui.ts"
import { type ChatLine, RoomConnection, type RoomState } from "./room/RoomConnection.ts"
import { RoomPlayer } from "./room/RoomPlayer.ts"
import { ShareLink } from "./room/ShareLink.ts"

declare global {
  interface Window {
    /** The room page's connection, for tests (suspend / resume a drop) and the curious. */
    keyframeRoom?: RoomConnection
  }
}

const CONNECTION_WORDS: Readonly<Record<RoomState["status"], string>> = {
  connecting: "Connecting…",
  open: "Connected",
  reconnecting: "Reconnecting…",
  closed: "Disconnected"
}

const PRESENCE_WORDS: Readonly<Record<string, string>> = { ready: "ready", buffering: "buffering", unknown: "connected" }

const Members = ({ state, roomId, isHost }: { state: RoomState; roomId: string; isHost: boolean }) => {
  const [error, setError] = useState<unknown>()
  const room = state.room!
  const presence = new Map(state.presence.map((p) => [p.userId, p]))
  const watchers = state.presence.filter((p) => !room.members.some((m) => m.userId === p.userId))
  const allow = async (userId: string, allowed: boolean) => {
    setError(undefined)
    try {
      await put(`/rooms/${encodeURIComponent(roomId)}/controllers/${encodeURIComponent(userId)}`, { allowed })
    } catch (e) {
      setError(e)
    }
  }
  return html`
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">Members <span class="hint">(${room.members.length}${room.capacity >= 0 ? ` of ${room.capacity}` : ""})</span></h2>
      <ul class="room-members">
        ${room.members.map((m) => {
          const p = presence.get(m.userId)
          const controls = room.controllers.includes(m.userId)
          return html`<li key=${m.userId}>
            <span class=${`presence-dot ${p === undefined ? "away" : p.state}`} aria-hidden="true"></span>
            <strong>${m.userId}</strong>
            ${m.userId === state.me ? html` <span class="badge">you</span>` : null}
            ${m.userId === room.hostId ? html` <span class="badge ready">host</span>` : null}
            ${controls ? html` <span class="badge">controls playback</span>` : null}
            <span class="hint"> · ${p === undefined ? "not connected" : PRESENCE_WORDS[p.state]}</span>
            ${isHost && m.userId !== room.hostId && p !== undefined
              ? html` <button type="button" class="link" onClick=${() => allow(m.userId, !controls)}>${controls ? `Take playback control from ${m.userId}` : `Let ${m.userId} control playback`}</button>`
              : null}
          </li>`
        })}
        ${watchers.map((p) => html`<li key=${`w-${p.userId}`}>
          <span class=${`presence-dot ${p.state}`} aria-hidden="true"></span>
          <strong>${p.userId}</strong> <span class="hint">· watching (not a member) · ${PRESENCE_WORDS[p.state]}</span>
        </li>`)}
      </ul>
      <${ErrorText} error=${error} />
    </section>
  `
}

const ChatItem = ({ line, me, conn }: { line: ChatLine; me: string | undefined; conn: RoomConnection }) => line.gap === true
  ? html`<li class="chat-line chat-gap hint">${line.text}</li>`
  : html`
  <li class=${`chat-line ${line.status}`}>
    <span class="chat-meta"><strong>${line.userId === me ? "You" : line.userId}</strong> <time class="hint" datetime=${new Date(line.at).toISOString()}>${new Date(line.at).toLocaleTimeString(undefined, { timeStyle: "short" })}</time></span>
    <span class="chat-text">${line.text}</span>
    ${line.status === "pending" ? html`<span class="hint chat-status">sending…</span>` : null}
    ${line.status === "failed"
      ? html`<span class="error chat-status">Not sent: ${line.error} <button type="button" class="link" onClick=${() => conn.resend(line.messageId)}>Retry</button></span>`
      : null}
  </li>
`

const Chat = ({ state, conn }: { state: RoomState; conn: RoomConnection }) => {
  const [text, setText] = useState("")
  const list = useRef<HTMLOListElement>(null)
  useEffect(() => {
    const el = list.current
    if (el !== null) el.scrollTop = el.scrollHeight
  }, [state.chat.length])
  const submit = (e: Event) => {
    e.preventDefault()
    const trimmed = text.trim()
    if (trimmed === "") return
    conn.chat(trimmed)
    setText("")
  }
  const canPost = state.readOnly === undefined && state.room?.status === "open"
  return html`
    <section class="card room-chat" aria-labelledby="chat-title">
      <h2 id="chat-title">Chat</h2>
      <ol class="chat-log" ref=${list} role="log" aria-live="polite" aria-label="Chat history" tabindex="0">
        ${state.chat.length === 0 ? html`<li class="hint">No messages yet.</li>` : state.chat.map((line) => html`<${ChatItem} key=${line.messageId} line=${line} me=${state.me} conn=${conn} />`)}
      </ol>
      <form class="chat-form" onSubmit=${submit}>
        <label for="chat-text">Message</label>
        <div class="row share-row">
          <input id="chat-text" name="text" maxlength="2000" autocomplete="off" value=${text} disabled=${!canPost}
            onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled=${!canPost || text.trim() === ""}>Send</button>
        </div>
        ${state.readOnly === undefined ? null : html`<p class="hint">Read-only: ${state.readOnly}</p>`}
      </form>
    </section>
  `
}

const RoomView = ({ roomId, wsPort }: { roomId: string; wsPort: number }) => {
  const [, setVersion] = useState(0)
  const [conn] = useState(() => new RoomConnection({ roomId, wsPort, onChange: () => setVersion((v) => v + 1) }))
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    conn.start()
    window.keyframeRoom = conn
    return () => {
      conn.stop()
      if (window.keyframeRoom === conn) delete window.keyframeRoom
    }
  }, [conn])
  const state = conn.state()
  const room = state.room
  const isHost = room !== undefined && room.hostId === state.me
  const canControl = room !== undefined && state.me !== undefined && (isHost || room.controllers.includes(state.me)) && state.joined
  const close = async () => {
    if (!confirm("Close this room for everyone?")) return
    setError(undefined)
    try {
      await post(`/rooms/${encodeURIComponent(roomId)}/close`)
    } catch (e) {
      setError(e)
    }
  }
  const leave = () => {
    conn.stop(true)
    location.hash = "#/rooms"
  }
  return html`
    <header class="room-head">
      <h1>${room?.title ?? (room === undefined ? "Room" : "Untitled room")}</h1>
      <p class="row">
        <span class=${`badge ${state.status === "open" ? "ready" : state.status === "closed" ? "failed" : "processing"}`} role="status">${CONNECTION_WORDS[state.status]}${state.retryInSeconds === undefined ? "" : ` (next try in ${state.retryInSeconds} s)`}</span>
        ${room === undefined ? null : html`<span class="hint">Host: ${room.hostId}</span>`}
        ${state.status === "reconnecting" ? html`<button type="button" class="link" onClick=${() => conn.resume()}>Reconnect now</button>` : null}
      </p>
    </header>
    ${state.notice === undefined ? null : html`<p class=${state.status === "closed" || state.notice.includes("(") ? "error" : "warn"} role="alert">${state.notice}</p>`}
    ${room === undefined
      ? state.status === "closed" ? html`<p><a href=${href("/rooms")}>Back to the rooms</a></p>` : html`<p class="loading">Joining the room…</p>`
      : html`
        <div class="room-layout">
          <div class="room-main">
            ${room.videoId === null
              ? html`<section class="card"><p class="hint">This room has no video: chat only.</p></section>`
              : html`<${RoomPlayer} conn=${conn} videoId=${room.videoId} canControl=${canControl} />`}
            <section class="card" aria-label="Share and settings">
              <${ShareLink} id=${roomId} />
              <div class="row">
                ${room.status === "open" && state.joined ? html`<button type="button" class="secondary" onClick=${leave}>Leave the room</button>` : null}
                ${room.status === "open" && !state.joined && state.readOnly !== undefined ? html`<button type="button" onClick=${() => conn.join()}>Try to join again</button>` : null}
                ${isHost && room.status === "open" ? html`<button type="button" class="secondary danger" onClick=${close}>Close the room</button>` : null}
              </div>
              <${ErrorText} error=${error} />
            </section>
          </div>
          <div class="room-side">
            <${Members} state=${state} roomId=${roomId} isHost=${isHost} />
            <${Chat} state=${state} conn=${conn} />
          </div>
        </div>`}
  `
}

export const RoomPage = ({ route }: PageProps) => {
  const roomId = route.params.id ?? ""
  const { loaded } = useLoad(() => consoleConfig(), [])
  return html`<${Show} loaded=${loaded}>${(config: { wsPort: number }) => html`<${RoomView} key=${roomId} roomId=${roomId} wsPort=${config.wsPort} />`}</${Show}>`
}

