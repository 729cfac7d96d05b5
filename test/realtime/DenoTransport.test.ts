/** The room protocol suite against Deno's transport: `src/runtime/deno.ts` under the npm-shipped Deno (as `npm run start:deno`). */
import { join } from "node:path"
import { roomProtocolSuite } from "./RoomProtocolSuite.ts"
import { ROOT } from "./RoomServerProcess.ts"

roomProtocolSuite("rooms over Deno's WebSocket", [join(ROOT, "node_modules", ".bin", "deno"), "run", "-A", "--unstable-no-legacy-abort", "src/runtime/deno.ts"], "Deno", {
  floodCloseCodes: [1008, 1006]
})
