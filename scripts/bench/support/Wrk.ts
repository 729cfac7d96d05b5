/** wrk (the load generator) for the HTTP benchmarks: a request script, the run, and its output parsed. */
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export interface WrkResult {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
}

const millis = (text: string): number => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim())
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n
}

export const parseWrk = (out: string): WrkResult => {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN)
  const p50 = millis(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "")
  const p99 = millis(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "")
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0)
  return { rps: Math.round(rps), p50: Number(p50.toFixed(2)), p99: Number(p99.toFixed(2)), errors }
}

const lua = (s: string) => JSON.stringify(s)

/** A wrk script file: each request picks one of `requests` at random; `delayMs` paces each connection. */
export const wrkScript = (dir: string, name: string, requests: ReadonlyArray<{ method?: string; path: string; headers: Record<string, string> }>, delayMs = 0) => {
  const rows = requests.map((r) =>
    `{${lua(r.method ?? "GET")}, ${lua(r.path)}, {${Object.entries(r.headers).map(([k, v]) => `[${lua(k)}]=${lua(v)}`).join(",")}}}`
  )
  const file = join(dir, `${name}.lua`)
  writeFileSync(
    file,
    `local reqs = {${rows.join(",\n")}}\n` +
      `math.randomseed(os.time())\n` +
      `request = function() local r = reqs[math.random(#reqs)] return wrk.format(r[1], r[2], r[3]) end\n` +
      (delayMs > 0 ? `delay = function() return ${delayMs} end\n` : "")
  )
  return file
}

/** Runs wrk (2 threads) against `origin` with `file`'s requests. */
export const runWrk = (origin: string, file: string, connections: number, seconds: number) =>
  new Promise<WrkResult>((resolve, reject) => {
    const child = spawn("wrk", ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", file, origin], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.on("error", reject)
    child.on("exit", (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk exited ${code}: ${out}`))))
  })

/** CPU time (user + system) a process has used so far, µs, from /proc (Linux; NaN elsewhere). */
export const processCpuMicros = (pid: number | undefined): number => {
  try {
    // fields after the command's closing parenthesis: state is 3rd, utime 14th, stime 15th of the whole line
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) / 100) * 1_000_000
  } catch {
    return Number.NaN
  }
}

/** runWrk, plus the server process's CPU µs per answered request over the run. */
export const runWrkWithCpu = async (origin: string, file: string, connections: number, seconds: number, serverPid: number | undefined) => {
  const before = processCpuMicros(serverPid)
  const result = await runWrk(origin, file, connections, seconds)
  const used = processCpuMicros(serverPid) - before
  return { ...result, cpuMicrosPerRequest: Math.round(used / Math.max(1, result.rps * seconds)) }
}
