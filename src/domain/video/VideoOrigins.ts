/**
 * The web origins a video may be played from (hotlink protection): checked and written the way a browser
 * sends its `Origin` header (`https://example.com`, `http://localhost:8080`), so a comparison is plain equality.
 */

/** More than this many distinct origins are refused (VIDEO_ORIGINS_INVALID). */
export const MAX_ALLOWED_ORIGINS = 20

/** A pasted origin longer than this is refused before it is parsed. */
export const MAX_ORIGIN_LENGTH = 300

// scheme :// authority, and at most the root "/" after it: no path, query or fragment (nor a \ the URL parser reads as /)
const SHAPE = /^(https?):\/\/([^/\\?#\s]+)\/?$/i
// after the URL parser: an ASCII host name (IDNs come back as punycode), an IPv4 address, or a bracketed IPv6 one
const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]+\\])$`)

/** One origin in the form browsers send (lower case, default port dropped), or why not. */
export const normalizeOrigin = (raw: string): { readonly origin: string } | { readonly problem: string } => {
  const text = raw.trim()
  if (text === "") return { problem: "an origin is empty" }
  if (text.length > MAX_ORIGIN_LENGTH) return { problem: `an origin has ${text.length} characters, more than ${MAX_ORIGIN_LENGTH}` }
  const quoted = JSON.stringify(text.slice(0, 80))
  const shape = SHAPE.exec(text)
  if (shape === null) return { problem: `${quoted} is not an origin like https://example.com (http or https, a host, an optional port; no path, query or fragment)` }
  if (shape[2]!.includes("@")) return { problem: `${quoted} carries credentials` }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { problem: `${quoted} is not a valid URL` }
  }
  if (!HOST.test(url.hostname)) return { problem: `${quoted} has no valid host name` }
  return { origin: url.origin.toLowerCase() }
}

/** The list as stored: every origin normalized, duplicates dropped (first kept), at most MAX_ALLOWED_ORIGINS; empty = any origin. */
export const normalizeOrigins = (
  raw: ReadonlyArray<string>
): { readonly origins: ReadonlyArray<string> } | { readonly problem: string } => {
  const origins: Array<string> = []
  for (const entry of raw) {
    const checked = normalizeOrigin(entry)
    if ("problem" in checked) return checked
    if (!origins.includes(checked.origin)) origins.push(checked.origin)
    if (origins.length > MAX_ALLOWED_ORIGINS) return { problem: `more than ${MAX_ALLOWED_ORIGINS} distinct origins` }
  }
  return { origins }
}

/** The same origins, in any order: setting them again changes nothing. */
export const sameOrigins = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((origin) => b.includes(origin))
