// The Node.js version guard of `npm start`, `npm test` and `npm run demo`. Plain JavaScript that
// parses on old Node (14 and up: no TypeScript, no newer syntax), so an old Node says which version
// Keyframe needs instead of dying on a syntax error or a missing export.
//
// Too old: on linux-x64 it re-launches the same command under Node 24 (`scripts/node24.sh`, which
// fetches Node 24 from the npm registry once and caches it), with stdio inherited, signals forwarded
// and the exit code passed on. Elsewhere, or when the fetch fails, it prints the one command to run
// and exits 1.
//
// Two uses:
// - imported by an entry (src/runtime/node-start.js): `if (await nodeIsRecentEnough()) { …start… }`
//   (when it answers false the relaunched child runs, and this process exits with its code);
// - as a command: `node scripts/require-node.js <command> [args…]` runs the command (a leading
//   `node` means this very Node) when this Node is recent enough, else under Node 24.
import { spawn, spawnSync } from "child_process"
import { readFileSync } from "fs"
import { basename, dirname, join, relative } from "path"
import { fileURLToPath } from "url"

var ROOT = join(dirname(fileURLToPath(import.meta.url)), "..")
var NODE24 = join(ROOT, "scripts", "node24.sh")
/** Set in the relaunched child: if it is still too old, it stops rather than relaunching again. */
var RELAUNCHED = "KEYFRAME_NODE_RELAUNCHED"

function parseVersion(text) {
  var m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text)
  return m ? [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)] : null
}

function compare(a, b) {
  for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return 0
}

/** package.json's engines.node (`>=22.19`, `>=22.19 <25`, `^22.19 || >=24`); an unknown form passes. */
export function engineRange() {
  try {
    return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines.node || ""
  } catch (e) {
    return ""
  }
}

export function satisfies(version, range) {
  var v = parseVersion(version)
  if (!v || !range.trim()) return true
  return range.split("||").some(function(alternative) {
    return alternative.trim().split(/\s+/).every(function(part) {
      var m = /^(>=|<=|>|<|=|\^|~)?\s*v?(\d+(?:\.\d+){0,2})/.exec(part)
      if (!m) return true
      var w = parseVersion(m[2])
      var c = compare(v, w)
      switch (m[1]) {
        case ">=": return c >= 0
        case ">": return c > 0
        case "<=": return c <= 0
        case "<": return c < 0
        case "^": return c >= 0 && v[0] === w[0]
        case "~": return c >= 0 && v[0] === w[0] && v[1] === w[1]
        default: return c === 0
      }
    })
  })
}

/** What the user typed, as near as we can tell: `npm start`, `npm test`, `npm run demo`, or the node command line. */
function userCommand(argv) {
  var event = process.env.npm_lifecycle_event
  if (event === "start" || event === "test") return "npm " + event
  if (event) return "npm run " + event
  return ["node"].concat(argv).map(function(a) { return /^[\w@%+=:,./-]+$/.test(a) ? a : "'" + a.replace(/'/g, "'\\''") + "'" }).join(" ")
}

function say(line) {
  process.stderr.write("keyframe: " + line + "\n")
}

function giveUp(command, why) {
  var canFetch = process.platform === "linux" && process.arch === "x64"
  say(why)
  if (canFetch) {
    say("run it with Node 24 once npm can reach its registry (or install Node.js " + engineRange() + " from https://nodejs.org and run `" + command + "`):")
    process.stderr.write("\n  scripts/node24.sh " + command + "\n\n")
  } else {
    say("install Node.js 24 (https://nodejs.org/en/download, or `nvm install 24`; scripts/node24.sh fetches it on linux-x64 only), then run:")
    process.stderr.write("\n  " + command + "\n\n")
  }
  process.exit(1)
}

/** Node 24's binary from scripts/node24.sh (fetching it on first use), or undefined when that fails. */
function node24() {
  // node24.sh keeps PATH's node when that one is new enough (then it is the one to use)
  var r = spawnSync("bash", [NODE24, "node", "-p", "process.execPath + ' ' + process.versions.node"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  var out = r.status === 0 && typeof r.stdout === "string" ? r.stdout.trim().split(" ") : []
  return out.length === 2 && satisfies(out[1], engineRange()) ? { path: out[0], version: out[1] } : undefined
}

/** Runs `argv` (argv[0] "node" = Node 24) under Node 24 and exits with its code; the promise never settles. */
function relaunch(argv, command) {
  var why = "Node.js " + engineRange() + " is needed (package.json engines); this is Node " + process.versions.node + " (" + process.execPath + ")"
  if (process.env[RELAUNCHED]) giveUp(command, why + ", even after switching to Node 24")
  if (process.platform !== "linux" || process.arch !== "x64") giveUp(command, why)
  say(why + ": re-running with Node 24 (scripts/node24.sh)")
  var node = node24()
  if (!node) giveUp(command, "fetching Node 24 with scripts/node24.sh failed (see above)")
  run(node.path, argv, { RELAUNCHED_VALUE: node.version })
  return new Promise(function() {})
}

/** Runs `argv` with `nodePath` first on PATH (argv[0] "node" = that Node) and exits with its code. */
function run(nodePath, argv, extra) {
  var env = Object.assign({}, process.env)
  env.PATH = dirname(nodePath) + (env.PATH ? ":" + env.PATH : "")
  if (extra) env[RELAUNCHED] = extra.RELAUNCHED_VALUE
  var file = argv[0] === "node" ? nodePath : argv[0]
  var child = spawn(file, argv.slice(1), { stdio: "inherit", env: env })
  // a signal to us goes on to the child (a terminal's Ctrl-C reaches both: the child decides)
  var signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]
  var handler = function(signal) {
    try {
      child.kill(signal)
    } catch (e) {}
  }
  signals.forEach(function(s) { process.on(s, handler) })
  child.on("error", function(e) {
    say("could not run " + file + ": " + e.message)
    process.exit(127)
  })
  child.on("exit", function(code, signal) {
    signals.forEach(function(s) { process.removeListener(s, handler) })
    if (signal) {
      // end the way the child did, so a parent sees the same signal
      try {
        process.kill(process.pid, signal)
      } catch (e) {}
      setTimeout(function() { process.exit(1) }, 200)
      return
    }
    process.exit(code === null ? 1 : code)
  })
}

/**
 * True when this Node satisfies package.json's engines. Otherwise it re-launches this process's own
 * command line (Node flags, entry, arguments) under Node 24 and never settles (the process exits with
 * the child's code), or prints the command to run and exits 1.
 */
export function nodeIsRecentEnough() {
  if (satisfies(process.versions.node, engineRange())) return Promise.resolve(true)
  var script = relative(process.cwd(), process.argv[1]) || process.argv[1]
  var argv = process.execArgv.concat([script], process.argv.slice(2))
  return relaunch(["node"].concat(argv), userCommand(argv))
}

function main(argv) {
  if (argv.length === 0) {
    process.stderr.write("usage: node scripts/require-node.js <command> [args…]\n")
    process.exit(2)
  }
  if (!satisfies(process.versions.node, engineRange())) return relaunch(argv, userCommand([relative(process.cwd(), process.argv[1])].concat(argv)))
  // recent enough: run it, with this Node first on PATH (for the command's `#!/usr/bin/env node`)
  run(process.execPath, argv)
}

if (process.argv[1] && basename(process.argv[1]) === "require-node.js") main(process.argv.slice(2))
