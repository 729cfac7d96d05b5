/** Who the rooms layer acts as when no person does: the realtime grace timer and the idle-room janitor. */
import type { Actor } from "../domain/shared/Decider.ts"

export const ROOMS_SYSTEM_ACTOR: Actor = { userId: "system", roles: ["system"] }
