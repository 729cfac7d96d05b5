// `npm start`: turns on Node's compile cache, then runs node.ts. From the second start on, Node
// reuses the stripped TypeScript and V8's compiled code from the cache (os.tmpdir()/node-compile-cache),
// so the type stripper is never loaded: a faster start and ~20 MB less memory. Plain JavaScript on
// purpose: a .ts entry would load the stripper before the cache could be turned on.
import { enableCompileCache } from "node:module"

enableCompileCache()
await import("./node.ts")
