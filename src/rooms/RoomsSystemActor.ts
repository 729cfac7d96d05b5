/** Who the rooms layer acts as when no person does: the realtime grace timer and the idle-room janitor. */
import type { Principal } from "../domain/shared/Decider.ts"

export const ROOMS_SYSTEM_ACTOR: Principal = { userId: "system", roles: ["system"] }
