/** What Hono's context carries for Keyframe's handlers: the request id, the client's address and the acting user. */
import type { Principal } from "../domain/shared/Decider.ts"

export interface AppEnv {
  Variables: {
    /** Set first by `requestId` (RequestId.ts). */
    requestId: string
    /** The client's address, set by `clientAddress` (middleware/ClientIp.ts) before any route. */
    clientIp: string
    /** `actor` is set by `requireAuth` (src/http/auth/Auth.ts) on the routes it guards. */
    actor: Principal
    /** Headers for the answer, added by middleware (ResponseHeaders.ts). */
    responseHeaders: Record<string, string> | undefined
  }
}
