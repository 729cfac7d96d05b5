/**
 * What every realtime transport (ws, uWebSockets.js, Deno) serves: one channel, checked at the upgrade
 * and fed each socket's frames. `routeByPath` makes one channel of several — rooms at `/rooms/:id`,
 * upload feeds at `/uploads/:id`, stream feeds at `/streams/:id` — by the upgrade's first path segment, so the transports stay one
 * small adapter each and know nothing of what a path serves.
 */
import type { RoomConnection, RoomSocket } from "./RoomSocket.ts"
import { type Refused, refuse, type UpgradeRequest } from "./UpgradeAccess.ts"

/** An upgrade a channel accepted: the transport completes it, with `protocol` as the chosen subprotocol. */
export interface Admission {
  readonly ok: true
  readonly protocol: string | undefined
}

export interface RealtimeChannel<A extends Admission = Admission> {
  /** The upgrade check; call it before the socket exists. */
  admit(request: UpgradeRequest): Promise<A | Refused>
  /** Starts the connection of an admitted upgrade. */
  open(admitted: A, socket: RoomSocket): RoomConnection
  /** Closes every socket with 1012 (service restart): the shutdown path. */
  drain(): void
  readonly connections: () => number
  /** The transport's frame cap and backpressure bound. */
  readonly settings: { readonly maxFrameBytes: number; readonly maxBackpressureBytes: number }
}

interface Routed extends Admission {
  readonly channel: RealtimeChannel<Admission>
  readonly inner: Admission
}

/** One channel per first path segment (`{ rooms: …, uploads: … }`); the first one's settings bound the transport. */
export const routeByPath = (routes: Readonly<Record<string, RealtimeChannel<any>>>): RealtimeChannel => {
  const channels = Object.values(routes) as ReadonlyArray<RealtimeChannel<Admission>>
  const paths = Object.keys(routes).map((segment) => `/${segment}/:id`).join(" or ")
  const routed: RealtimeChannel<Routed> = {
    admit: async (request) => {
      const segment = /^\/([^/?#]+)\//.exec(new URL(request.url, "ws://localhost").pathname)?.[1]
      const channel = segment !== undefined && Object.hasOwn(routes, segment) ? routes[segment] as RealtimeChannel<Admission> : undefined
      if (channel === undefined) {
        const path = new URL(request.url, "ws://localhost").pathname.slice(0, 120)
        return refuse(404, "NOT_FOUND", `no WebSocket at ${path}; connect to ${paths}`)
      }
      const result = await channel.admit(request)
      return result.ok ? { ok: true, protocol: result.protocol, channel, inner: result } : result
    },
    open: (admitted, socket) => admitted.channel.open(admitted.inner, socket),
    drain: () => {
      for (const channel of channels) channel.drain()
    },
    connections: () => channels.reduce((n, c) => n + c.connections(), 0),
    settings: {
      maxFrameBytes: Math.max(...channels.map((c) => c.settings.maxFrameBytes)),
      maxBackpressureBytes: Math.max(...channels.map((c) => c.settings.maxBackpressureBytes))
    }
  }
  return routed as unknown as RealtimeChannel
}

/** The 426 text for a plain HTTP request on WS_PORT. */
export const UPGRADE_REQUIRED = "connect with WebSocket to /rooms/:id, /uploads/:id or /streams/:id"
