/**
 * One room's WebSocket for the console: a ticket per connection (POST /feeds/tickets, so the JWT is
 * never in a URL), `join` after each welcome, ping/pong every few seconds for the clock, reconnect
 * after a drop with backoff and `?since=<last revision>`. The first connection asks for `since=-1`
 * so the server replays the room's whole history (the chat); a later one gets exactly what it missed,
 * or a snapshot when too much was missed. Chat is keyed by its message id (`<user>.<client id>`), so a
 * replayed or resent message is shown once; an unacked chat is resent with the same id after a
 * reconnect (the server posts it once). Every frame also goes to the PlaybackClient (the clock and
 * the expected position). The page renders `state()` on every change.
 */
import { get, post } from "../../api.ts"
import { PlaybackClient } from "../../../realtime/client/PlaybackClient.ts"
import { type ChatLine, foldRoomEvent, type PresenceEntry, type RoomInfo, type RoomState, withPosted } from "./RoomView.ts"

export type { ChatLine, ConnectionStatus, PresenceEntry, RoomInfo, RoomState } from "./RoomView.ts"

interface Frame {
  readonly type: string
  readonly [key: string]: unknown
}

const randomId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000]
const PING_EVERY_MS = 3000
/** No frame for this long (pongs answer every ping): the connection is taken for dead. */
const SILENT_AFTER_MS = 7000

export interface RoomConnectionOptions {
  readonly roomId: string
  readonly wsPort: number
  /** Called after every change of state(). */
  readonly onChange: () => void
  /** Called with every frame after it is folded (the player reacts to playback events). */
  readonly onFrame?: (frame: Frame) => void
}

export class RoomConnection {
  readonly playback = new PlaybackClient(() => performance.timeOrigin + performance.now())
  private readonly options: RoomConnectionOptions
  private socket: WebSocket | undefined
  private current: RoomState = {
    status: "connecting", room: undefined, me: undefined, joined: false, readOnly: undefined,
    chat: [], presence: [], notice: undefined, revision: -1, retryInSeconds: undefined
  }
  /** -1 until the first welcome: the first connection replays everything. */
  private lastRevision = -1
  private welcomeRevision = -1
  private attempt = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private pingTimer: ReturnType<typeof setInterval> | undefined
  private stopped = false
  /** Tests: a suspended connection is cut and stays down until resume(). */
  private suspended = false
  private readonly pendingPlayback = new Map<string, string>()
  /** How many welcomes so far (a new connection: the player answers an open wait again). */
  welcomes = 0
  private lastFrameAt = 0
  private connecting = false

  constructor(options: RoomConnectionOptions) {
    this.options = options
  }

  state(): RoomState {
    return this.current
  }

  private set(patch: Partial<RoomState>) {
    this.current = { ...this.current, ...patch }
    this.options.onChange()
  }

  start() {
    this.stopped = false
    addEventListener("online", this.onOnline)
    void this.connect()
  }

  /** Back online: try now rather than at the end of the backoff. */
  private readonly onOnline = () => {
    if (this.socket === undefined && !this.stopped && !this.suspended) {
      this.attempt = 0
      void this.connect()
    }
  }

  /** Leaves the page: no reconnect. `leave` sends the leave frame first (the member leaves the room). */
  stop(leave = false) {
    this.stopped = true
    removeEventListener("online", this.onOnline)
    clearTimeout(this.retryTimer)
    clearInterval(this.pingTimer)
    if (leave) this.send({ type: "leave", id: randomId("l") })
    this.socket?.close(1000, "left the page")
    this.socket = undefined
  }

  /** Tests and the "Reconnect now" button: cut the socket as a network drop would. */
  suspend() {
    this.suspended = true
    clearTimeout(this.retryTimer)
    this.socket?.close(4000, "suspended")
  }

  resume() {
    this.suspended = false
    this.attempt = 0
    if (this.socket === undefined && !this.stopped) void this.connect()
  }

  private async connect() {
    if (this.stopped || this.suspended || this.connecting) return
    clearTimeout(this.retryTimer)
    this.set({ status: this.current.room === undefined ? "connecting" : "reconnecting", retryInSeconds: undefined })
    const path = `/rooms/${encodeURIComponent(this.options.roomId)}`
    let ticket: string
    this.connecting = true
    try {
      ticket = (await post<{ ticket: string }>("/feeds/tickets", { path })).ticket
    } catch (e) {
      if ((e as { status?: number }).status === 401) return this.fail(`${(e as Error).message}`)
      return this.retry(`${(e as Error).message}; trying again…`)
    } finally {
      this.connecting = false
    }
    if (this.stopped || this.suspended) return
    const scheme = location.protocol === "https:" ? "wss" : "ws"
    const url = `${scheme}://${location.hostname}:${this.options.wsPort}${path}?ticket=${encodeURIComponent(ticket)}&since=${this.lastRevision}`
    const socket = new WebSocket(url, ["keyframe.rooms"])
    this.socket = socket
    let welcomed = false
    socket.onmessage = (message) => {
      if (this.socket !== socket || typeof message.data !== "string") return
      this.lastFrameAt = performance.now()
      let frame: Frame
      try {
        frame = JSON.parse(message.data) as Frame
      } catch {
        return
      }
      if (frame.type === "welcome") welcomed = true
      this.receive(frame)
    }
    socket.onclose = (event) => {
      if (this.socket !== socket) return
      const why = event.code === 1012 ? "The server is restarting" : event.code === 1008 ? "Too many messages" : event.code === 1013 ? "The connection fell behind" : "The connection dropped"
      this.dropped(socket, welcomed, `${why}; reconnecting…`)
    }
  }

  /** The socket is gone (closed, or silent past the watchdog): reconnect, unless the room or the page is done. */
  private dropped(socket: WebSocket, welcomed: boolean, notice: string) {
    if (this.socket !== socket) return
    this.socket = undefined
    clearInterval(this.pingTimer)
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(4001, "silent")
    if (this.stopped) return
    if (this.current.room?.status === "closed") return this.set({ status: "closed" })
    if (this.suspended) return this.set({ status: "reconnecting", retryInSeconds: undefined, notice: "Disconnected." })
    if (!welcomed) return void this.explainRefusal()
    this.retry(notice)
  }

  /** A refused upgrade shows no status to a browser: ask the read side what the room is. */
  private async explainRefusal() {
    try {
      const doc = await get<{ status: string; closeReason: string | null }>(`/rooms/${encodeURIComponent(this.options.roomId)}`)
      if (doc.status === "closed") return this.fail(`This room was closed${doc.closeReason === null ? "" : ` (${doc.closeReason})`}.`)
    } catch (e) {
      if ((e as { status?: number }).status === 404) return this.fail("There is no such room (ROOM_NOT_FOUND).")
    }
    this.retry("The room's connection was refused; trying again…")
  }

  private fail(notice: string) {
    this.stopped = true
    this.set({ status: "closed", notice })
  }

  private retry(notice: string) {
    if (this.stopped) return
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!
    const delay = Math.round(base * (0.75 + Math.random() * 0.5))
    this.attempt++
    this.set({ status: "reconnecting", notice, retryInSeconds: Math.ceil(delay / 1000) })
    this.retryTimer = setTimeout(() => void this.connect(), delay)
  }

  send(frame: Record<string, unknown>): boolean {
    const socket = this.socket
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return false
    socket.send(JSON.stringify(frame))
    return true
  }

  private ping() {
    // a connection that went silent (the network vanished without a close: no pong for a while) is dropped
    const socket = this.socket
    if (socket !== undefined && performance.now() - this.lastFrameAt > SILENT_AFTER_MS) {
      return this.dropped(socket, true, "The connection went silent; reconnecting…")
    }
    this.send(this.playback.ping(randomId("t")))
  }

  chat(text: string) {
    const me = this.current.me ?? "me"
    const clientId = randomId("c")
    const line: ChatLine = { messageId: `${me}.${clientId}`, userId: me, text, at: this.playback.serverNow(), status: "pending", clientId }
    this.set({ chat: [...this.current.chat, line] })
    this.send({ type: "chat", id: clientId, text })
  }

  /** Asks to become a member again (after ROOM_FULL: someone may have left). */
  join() {
    this.set({ readOnly: undefined, notice: undefined })
    this.send({ type: "join", id: randomId("j") })
  }

  /** Sends a failed or unacked message again with its own id (posted once however often it is sent). */
  resend(messageId: string) {
    const line = this.current.chat.find((l) => l.messageId === messageId)
    if (line?.clientId === undefined) return
    this.updateChat(messageId, { status: "pending", error: undefined })
    this.send({ type: "chat", id: line.clientId, text: line.text })
  }

  /** A play, pause or seek for the room (the host, or a member it allowed). */
  playbackCommand(action: "play" | "pause" | "seek", positionMs: number): boolean {
    const id = randomId("p")
    this.pendingPlayback.set(id, action)
    return this.send({ type: "playback", id, action, positionMs: Math.max(0, Math.round(positionMs)) })
  }

  report(kind: "ready" | "buffering", positionMs: number) {
    this.send({ type: kind, id: randomId(kind === "ready" ? "r" : "b"), positionMs: Math.max(0, Math.round(positionMs)) })
  }

  private updateChat(messageId: string, patch: Partial<ChatLine>) {
    this.set({ chat: this.current.chat.map((l) => (l.messageId === messageId ? { ...l, ...patch } : l)) })
  }

  private receive(frame: Frame) {
    switch (frame.type) {
      case "welcome":
        this.onWelcome(frame)
        break
      case "event":
        this.onEvent(frame)
        break
      case "ack": {
        const id = String(frame.id)
        this.pendingPlayback.delete(id)
        const mine = this.current.chat.find((l) => l.clientId === id)
        if (mine !== undefined && mine.status !== "sent") this.updateChat(mine.messageId, { status: "sent", error: undefined })
        break
      }
      case "error":
        this.onError(frame)
        break
      case "presence":
        this.set({ presence: (frame.connected as ReadonlyArray<PresenceEntry>) ?? [] })
        break
      case "pong":
        this.playback.receive(frame as never)
        break
    }
    this.options.onFrame?.(frame)
  }

  private onWelcome(frame: Frame) {
    this.playback.receive(frame as never)
    const room = frame.room as RoomInfo
    const revision = Number(frame.revision)
    const resumed = String(frame.resumed)
    this.welcomeRevision = revision
    this.welcomes++
    const me = String(frame.userId)
    const firstTime = this.current.room === undefined
    let notice: string | undefined
    if (resumed === "snapshot") {
      notice = firstTime
        ? "This room has a long history: earlier chat is not shown."
        : "You were away for long: some chat messages from that time are not shown."
    }
    this.lastRevision = Math.max(this.lastRevision, revision)
    this.attempt = 0
    if (resumed === "snapshot" && !firstTime) {
      const at = Number(frame.serverTime)
      this.current = { ...this.current, chat: [...this.current.chat, { messageId: `gap-${revision}`, userId: "", text: "Messages missed while you were away are not shown.", at, status: "sent", gap: true }] }
    }
    this.set({ status: "open", room, me, revision: this.lastRevision, notice, retryInSeconds: undefined, joined: room.members.some((m) => m.userId === me) })
    if (this.current.readOnly === undefined) this.send({ type: "join", id: randomId("j") })
    // my unacked messages: again, with their own ids (the server posts each once)
    for (const line of this.current.chat) if (line.status === "pending" && line.clientId !== undefined) this.send({ type: "chat", id: line.clientId, text: line.text })
    // a few quick pings for the clock, then every few seconds
    this.ping()
    setTimeout(() => this.ping(), 150)
    setTimeout(() => this.ping(), 400)
    clearInterval(this.pingTimer)
    this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS)
  }

  private onEvent(frame: Frame) {
    const revision = Number(frame.revision)
    const name = String(frame.event)
    const data = frame.data as Record<string, unknown>
    // replayed before the welcome's snapshot: only the chat is news (the snapshot holds the rest)
    const replayed = revision <= this.welcomeRevision
    if (revision > this.lastRevision) this.lastRevision = revision
    if (name === "ChatPosted") {
      const messageId = String(data.messageId)
      const line: ChatLine = { messageId, userId: String(data.userId), text: String(data.text), at: Number(data.at), status: "sent" }
      this.set({ chat: withPosted(this.current.chat, line), revision: this.lastRevision })
      return
    }
    if (replayed) return this.set({ revision: this.lastRevision })
    if (name === "PlaybackChanged" || name === "PlaybackReady") this.playback.receive(frame as never)
    const room = this.current.room
    if (room === undefined) return
    const next = foldRoomEvent(room, name, data)
    const me = this.current.me
    const patch: { -readonly [K in keyof RoomState]?: RoomState[K] } = { room: next, revision: this.lastRevision }
    if (me !== undefined) patch.joined = next.members.some((m) => m.userId === me)
    if (name === "RoomClosed") {
      patch.notice = `The room was closed by ${String(data.closedBy)} (${String(data.reason)}).`
      patch.status = "closed"
      this.stopped = true
    }
    this.set(patch)
  }

  private onError(frame: Frame) {
    const id = frame.id === undefined ? undefined : String(frame.id)
    const words = `${String(frame.message)} (${String(frame.code)})`
    if (frame.code === "ROOM_FULL") {
      this.set({ readOnly: words, notice: `${words} You can watch and read the chat, but not post.` })
      return
    }
    const mine = id === undefined ? undefined : this.current.chat.find((l) => l.clientId === id)
    if (mine !== undefined) {
      this.updateChat(mine.messageId, { status: "failed", error: words })
      return
    }
    if (id !== undefined && this.pendingPlayback.has(id)) {
      this.pendingPlayback.delete(id)
      this.set({ notice: `The room did not take that: ${words}` })
      return
    }
    this.set({ notice: words })
  }
}
