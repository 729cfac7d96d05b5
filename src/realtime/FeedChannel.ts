/**
 * A live feed over WebSocket, `ws://host:WS_PORT/<segment>/:id[?since=<position>]` — the same messages as
 * its SSE feed, one JSON text frame each: `{"type": <SSE event>, "id": <SSE id, when it has one>,
 * "data": <SSE data>}`. Everything is checked at the upgrade, before a socket exists — credential
 * (UpgradeAccess.ts), 404 for an unknown id or someone else's, 429 past the caps — by the process's
 * feeds, shared with SSE. The socket closes after the last message: 1000 when the feed finished or the
 * lifetime ended, 1008 when the token expired, 1013 when the feed lagged or failed; resume with
 * `?since=` (the last `id`). Upload feeds (UploadFeedChannel.ts) and stream feeds (StreamFeedChannel.ts)
 * are this channel with their own path and opener.
 */
import { Cause, type Context, Effect, Exit, Fiber, Schema, type Scope, Stream } from "effect"
import type { FeedTicketStore } from "../auth/FeedTickets.ts"
import type { AuthOptions } from "../auth/TokenAuth.ts"
import { EntityId } from "../domain/shared/Primitives.ts"
import type { FeedMessage } from "../feeds/FeedMessage.ts"
import type { FeedClient, FeedOpenError, FeedOpening } from "../feeds/LiveFeeds.ts"
import { clientAddressOf } from "../net/ForwardedFor.ts"
import { FrameRate } from "./FrameRate.ts"
import type { Admission, RealtimeChannel } from "./RealtimeChannel.ts"
import type { RoomChannelSettings } from "./RoomSession.ts"
import { CloseCode, type RoomSocket } from "./RoomSocket.ts"
import { hideDetail, offeredProtocols, refuse, upgradeCredential } from "./UpgradeAccess.ts"
import { WireFrame } from "./WireFrame.ts"

/** The answer to any client frame (one for every socket). */
const NOT_SUPPORTED = new WireFrame(JSON.stringify({ type: "error", code: "NOT_SUPPORTED", message: "this feed takes no messages; it only sends", recoverable: true }))

/** An admitted upgrade that never opens (the client went away mid-handshake) gives its feed slot back after this long. */
const OPEN_WITHIN_MS = 10_000

export interface FeedAdmitted<R> extends Admission {
  /** Undefined: resumed after the feed's end. */
  readonly opening: Extract<FeedOpening<R>, { _tag: "Open" }> | undefined
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

/** Which feed a channel serves. */
export interface FeedRoute<R> {
  /** The path's first segment: `uploads` serves `/uploads/:id`. */
  readonly segment: string
  /** What the feed is of, for the 404 text ("upload", "stream"). */
  readonly noun: string
  /** The subprotocol the server answers with when the client offers it. */
  readonly subprotocol: string
  readonly open: (id: string, client: FeedClient) => Effect.Effect<FeedOpening<R>, FeedOpenError, R>
}

/** The transport's part of an upgrade, besides the feed's own. */
export interface FeedChannelOptions {
  readonly auth: AuthOptions
  readonly settings: RoomChannelSettings
  readonly tickets?: FeedTicketStore | undefined
  /** TRUST_PROXY_HOPS when TRUST_PROXY is on (0: the socket's peer is the client), for FEED_MAX_PER_IP. */
  readonly trustedProxyHops?: number | undefined
}

export const feedChannel = <R>(
  route: FeedRoute<R>,
  { auth, settings, tickets, trustedProxyHops = 0 }: FeedChannelOptions
): Effect.Effect<RealtimeChannel<FeedAdmitted<R>>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const context: Context.Context<R> = yield* Effect.context<R>()
    const run = <A, E>(effect: Effect.Effect<A, E, R>) => Effect.runPromiseExitWith(context)(effect)
    const path = new RegExp(`^/${route.segment}/([^/]+)$`)
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
        const match = path.exec(url.pathname)
        const id = match === null ? undefined : decodeURIComponent(match[1]!)
        if (id === undefined || !isEntityId(id)) {
          return refuse(404, "NOT_FOUND", `no ${route.noun} feed at ${url.pathname.slice(0, 120)}; connect to /${route.segment}/:id`)
        }
        // Last-Event-ID as SSE has it, for clients that can set headers; `since` for the rest
        const rawSince = url.searchParams.get("since") ?? request.header("last-event-id")
        if (rawSince !== undefined && rawSince !== null && !/^\d{1,15}$/.test(rawSince.trim())) {
          return refuse(400, "INVALID_SINCE", "since must be a global position (the id of the last message received)")
        }
        const credential = yield* upgradeCredential(auth, tickets, request, url)
        if ("ok" in credential) return credential
        const opened = yield* route.open(id, {
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
        const pending: FeedAdmitted<R>["pending"] = { timer: undefined }
        if (opening !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer)
            opening.release()
          }, OPEN_WITHIN_MS)
          timers.add(timer)
          pending.timer = timer
        }
        const protocol = offeredProtocols(request).includes(route.subprotocol) ? route.subprotocol : undefined
        return { ok: true, protocol, opening, pending } satisfies FeedAdmitted<R>
      })

    const open = (admitted: FeedAdmitted<R>, socket: RoomSocket) => {
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
        // resumed after the feed's end (SSE: 204): nothing more will come
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
                yield* Effect.logWarning("FEED_FAILED", exit.cause).pipe(Effect.annotateLogs({ requestId: id, feed: route.segment }))
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

    const channel: RealtimeChannel<FeedAdmitted<R>> = {
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
