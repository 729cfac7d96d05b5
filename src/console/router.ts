/**
 * Hash routes (`#/videos/abc`): every page is a link that can be shared or reloaded, and the server
 * needs no fallback route (the API owns the real paths: /videos, /rooms, …).
 */
import { useEffect, useState } from "preact/hooks"
import type { Session } from "./session.ts"

export interface Route {
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
}

/** What every page gets: who is signed in and the route's params and query. */
export interface PageProps {
  readonly session: Session
  readonly route: Route
}

export const currentRoute = (patterns: ReadonlyArray<string>): { readonly pattern: string | undefined } & Route => {
  const hash = location.hash.replace(/^#/, "") || "/"
  const [path = "/", search = ""] = hash.split("?", 2)
  for (const pattern of patterns) {
    const names: Array<string> = []
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name: string) => (names.push(name), "([^/]+)"))}$`)
    const match = regex.exec(path)
    if (match) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]))
      return { pattern, path, params, query: new URLSearchParams(search) }
    }
  }
  return { pattern: undefined, path, params: {}, query: new URLSearchParams(search) }
}

/** Re-renders on every hash change. */
export const useHashChange = () => {
  const [, setTick] = useState(0)
  useEffect(() => {
    const onChange = () => setTick((t) => t + 1)
    addEventListener("hashchange", onChange)
    return () => removeEventListener("hashchange", onChange)
  }, [])
}

export const navigate = (path: string) => {
  location.hash = `#${path}`
}

export const href = (path: string) => `#${path}`
