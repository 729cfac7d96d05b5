// `npm start`: checks the Node version, turns on Node's compile cache, then runs node.ts. From the
// second start on, Node reuses the stripped TypeScript and V8's compiled code from the cache
// (os.tmpdir()/node-compile-cache), so the type stripper is never loaded: a faster start and ~20 MB
// less memory. Plain JavaScript that parses on old Node on purpose: a .ts entry would load the
// stripper before the cache could be turned on, and an old Node (no type stripping, no
// enableCompileCache) would die on a syntax error or a missing export instead of saying which Node
// is needed. On an old Node, scripts/require-node.js re-runs this same command line (Node flags
// included) under Node 24, or prints the command to run.
import module from "module"
import { nodeIsRecentEnough } from "../../scripts/require-node.js"

if (await nodeIsRecentEnough()) {
  module.enableCompileCache()
  await import("./node.ts")
}
