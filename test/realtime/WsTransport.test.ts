/** The room protocol suite against the `ws` transport: `src/runtime/node.ts` under Node 24 (no uWS build loads here). */
import { roomProtocolSuite } from "./RoomProtocolSuite.ts"

roomProtocolSuite("rooms over ws (Node 24)", [process.execPath, "src/runtime/node.ts"], "ws 8")
