/**
 * `ws://host:WS_PORT/uploads/:id[?since=<position>]`: an upload's live feed over WebSocket, the same
 * messages as its SSE feed (`GET /uploads/:id/events`), one JSON text frame each:
 * `{"type": <SSE event>, "id": <SSE id, when it has one>, "data": <SSE data>}`. Everything is checked
 * at the upgrade, before a socket exists — credential (UpgradeAccess.ts), 404 for an unknown or a
 * stranger's upload, 429 past the caps — by the process's one UploadFeeds, shared with SSE. The socket
 * closes after the last message: 1000 when the upload finished or the lifetime ended, 1008 when the
 * token expired, 1013 when the feed lagged or failed; resume with `?since=` (the last `id`).
 */
import { Cause, type Context, Effect, Exit, Fiber, Schema, type Scope, Stream } from "effect"
import type { FeedTicketStore } from "../auth/FeedTickets.ts"
import type { AuthOptions } from "../auth/TokenAuth.ts"
import { EntityId } from "../domain/shared/Primitives.ts"
import { clientAddressOf } from "../net/ForwardedFor.ts"
import type { FeedMessage } from "../uploads/feed/FeedMessage.ts"
import { type FeedOpening, type FeedServices, UploadFeeds } from "../uploads/feed/UploadFeeds.ts"
import { FrameRate } from "./FrameRate.ts"
import type { Admission, RealtimeChannel } from "./RealtimeChannel.ts"
import type { RoomChannelSettings } from "./RoomSession.ts"
import { CloseCode, type RoomSocket } from "./RoomSocket.ts"
import { hideDetail, offeredProtocols, refuse, upgradeCredential } from "./UpgradeAccess.ts"
import { WireFrame } from "./WireFrame.ts"

/** The subprotocol the server answers with when the client offers it. */
/** The answer to any client frame (one for every socket). */
const NOT_SUPPORTED = new WireFrame(JSON.stringify({ type: "error", code: "NOT_SUPPORTED", message: "this feed takes no messages; it only sends", recoverable: true }))

export const UPLOAD_FEED_SUBPROTOCOL = "keyframe.uploads"

/** An admitted upgrade that never opens (the client went away mid-handshake) gives its feed slot back after this long. */
const OPEN_WITHIN_MS = 10_000

interface FeedAdmitted extends Admission {
  /** Undefined: resumed after the upload's end. */
  readonly opening: Extract<FeedOpening, { _tag: "Open" }> | undefined
  /** Cleared by open: until then a timer gives the slot back. */
  readonly pending: { timer: ReturnType<typeof setTimeout> | undefined }
}

const isEntityId = Schema.is(EntityId)

/** The WebSocket frame of a feed message: its SSE fields, 1:1. */
export const feedFrame = (m: FeedMessage): string =>
  JSON.stringify(m.id === undefined ? { type: m.event, data: m.data } : { type: m.event, id: m.id, data: m.data })

/** How the socket closes after the feed's last message (an `end`, or none when it failed). */
const closeFor = (last: FeedMessage | undefined): readonly [number, string] => {
  const reason = last?.event === "end" ? (last.data as { reason?: unknown }).reason : undefined
  switch (reason) {
    case "finished":
      return [CloseCode.normal, "finished"]
    case "lifetime":
      return [CloseCode.normal, "lifetime: reconnect with since"]
    case "token_expired":
      return [CloseCode.policy, "token expired: reconnect with a fresh token and since"]
    case "lagging":
      return [CloseCode.tryAgainLater, "lagging: reconnect with since"]
    default:
      return [CloseCode.tryAgainLater, "the feed failed: reconnect with since"]
  }
}

/** `trustedProxyHops`: TRUST_PROXY_HOPS when TRUST_PROXY is on (0: the socket's peer is the client), for FEED_MAX_PER_IP. */
export const uploadFeedChannel = (
  auth: AuthOptions,
  settings: RoomChannelSettings,
  tickets?: FeedTicketStore,
  trustedProxyHops = 0
): Effect.Effect<RealtimeChannel<FeedAdmitted>, never, UploadFeeds | FeedServices | Scope.Scope> =>
  Effect.gen(function*() {
    const context: Context.Context<UploadFeeds | FeedServices> = yield* Effect.context<UploadFeeds | FeedServices>()
    const run = <A, E>(effect: Effect.Effect<A, E, UploadFeeds | FeedServices>) => Effect.runPromiseExitWith(context)(effect)
    const sockets = new Set<RoomSocket>()
    const timers = new Set<ReturnType<typeof setTimeout>>()
    let draining = false
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const timer of timers) clearTimeout(timer)
      })
    )

    const admit = (request: Parameters<RealtimeChannel["admit"]>[0]) =>
      Effect.gen(function*() {
        const url = new URL(request.url, "ws://localhost")
        const match = /^\/uploads\/([^/]+)$/.exec(url.pathname)
        const uploadId = match === null ? undefined : decodeURIComponent(match[1]!)
        if (uploadId === undefined || !isEntityId(uploadId)) {
          return refuse(404, "NOT_FOUND", `no upload feed at ${url.pathname.slice(0, 120)}; connect to /uploads/:id`)
        }
        // Last-Event-ID as SSE has it, for clients that can set headers; `since` for the rest
        const rawSince = url.searchParams.get("since") ?? request.header("last-event-id")
        if (rawSince !== undefined && rawSince !== null && !/^\d{1,15}$/.test(rawSince.trim())) {
          return refuse(400, "INVALID_SINCE", "since must be a global position (the id of the last message received)")
        }
        const credential = yield* upgradeCredential(auth, tickets, request, url)
        if ("ok" in credential) return credential
        const opened = yield* (yield* UploadFeeds).open({
          kind: "upload",
          uploadId,
          actor: credential.actor,
          after: rawSince === undefined || rawSince === null ? undefined : Number(rawSince.trim()),
          credentialExpiresAt: credential.expiresAt,
          // the same address the HTTP side counts an SSE feed under
          clientAddress: clientAddressOf(request.header("x-forwarded-for"), request.address, trustedProxyHops)
        }).pipe(Effect.result)
        if (opened._tag === "Failure") {
          const e = opened.failure
          if (e._tag === "FeedNotFound") return refuse(404, "NOT_FOUND", e.message)
          if (e._tag === "TooManyFeeds") return refuse(429, "TOO_MANY_FEEDS", e.message)
          return yield* hideDetail(refuse(503, "EVENT_STORE_UNAVAILABLE", e.message))
        }
        const opening = opened.success._tag === "Open" ? opened.success : undefined
        const pending: FeedAdmitted["pending"] = { timer: undefined }
        if (opening !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer)
            opening.release()
          }, OPEN_WITHIN_MS)
          timers.add(timer)
          pending.timer = timer
        }
        const protocol = offeredProtocols(request).includes(UPLOAD_FEED_SUBPROTOCOL) ? UPLOAD_FEED_SUBPROTOCOL : undefined
        return { ok: true, protocol, opening, pending } satisfies FeedAdmitted
      })

    const open = (admitted: FeedAdmitted, socket: RoomSocket) => {
      let closed = false
      const close = (code: number, reason: string) => {
        if (closed) return
        closed = true
        socket.close(code, reason)
      }
      const opening = admitted.opening
      if (admitted.pending.timer !== undefined) {
        clearTimeout(admitted.pending.timer)
        timers.delete(admitted.pending.timer)
        admitted.pending.timer = undefined
      }
      if (draining || opening === undefined) {
        // resumed after the upload's end (SSE: 204): nothing more will come
        if (draining) opening?.release()
        close(draining ? CloseCode.restart : CloseCode.normal, draining ? "server restarting: reconnect with since" : "finished")
        return { message: () => {}, closed: () => {} }
      }
      sockets.add(socket)
      let last: FeedMessage | undefined
      const send = (m: FeedMessage) =>
        Effect.sync(() => {
          if (closed) return
          last = m
          socket.send(new WireFrame(feedFrame(m)))
          if (socket.bufferedAmount() > settings.maxBackpressureBytes) close(CloseCode.tryAgainLater, "too slow: reconnect with since")
        })
      const fiber = Effect.runForkWith(context)(
        opening.messages.pipe(
          Stream.takeWhile(() => !closed),
          Stream.runForEach(send),
          Effect.onExit((exit) =>
            Effect.gen(function*() {
              opening.release()
              if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
                // the store's own text names hosts and paths: it goes to the log, the client gets an id
                const id = crypto.randomUUID()
                yield* Effect.logWarning("FEED_FAILED", exit.cause).pipe(Effect.annotateLogs({ requestId: id, uploadFeed: true }))
                if (!closed) {
                  socket.send(new WireFrame(JSON.stringify({ type: "error", code: "FEED_FAILED", message: `the live feed failed; reconnect with since (request id ${id})`, recoverable: true })))
                }
                return close(CloseCode.tryAgainLater, "the feed failed: reconnect with since")
              }
              const [code, reason] = closeFor(last)
              close(code, reason)
            })
          )
        )
      )
      const rate = new FrameRate(settings.messagesPerSecond, Date.now())
      return {
        message: (data: string | { readonly binary: number }) => {
          if (closed) return
          if (typeof data === "string" && data.length > settings.maxFrameBytes) return close(CloseCode.tooBig, "frame too large")
          if (rate.take(Date.now()) === "abuse") return close(CloseCode.policy, "too many messages")
          // the feed only sends: a client frame is answered, and changes nothing
          socket.send(NOT_SUPPORTED)
        },
        closed: () => {
          closed = true
          sockets.delete(socket)
          Effect.runFork(Fiber.interrupt(fiber))
        }
      }
    }

    const channel: RealtimeChannel<FeedAdmitted> = {
      settings,
      admit: (request) =>
        run(admit(request)).then((exit) => (Exit.isSuccess(exit) ? exit.value : refuse(503, "UNAVAILABLE", "try again"))),
      open,
      drain: () => {
        draining = true
        for (const socket of sockets) socket.close(CloseCode.restart, "server restarting: reconnect with since")
      },
      connections: () => sockets.size
    }
    return channel
  })
