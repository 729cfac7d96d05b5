/**
 * The client's address behind trusted proxies (TRUST_PROXY, TRUST_PROXY_HOPS), transport-neutral: the
 * HTTP middleware (src/http/middleware/ClientIp.ts) and the WebSocket upgrades (src/realtime/) read it
 * the same way. Each proxy appends the address it was reached from, so with `hops` proxies the entry
 * that counts is the `hops`-th from the right; everything left of it is whatever the client sent and is
 * never used. A header with fewer entries than `hops`, or no address at that place, did not pass
 * through every trusted proxy: the socket's peer is used then, the one address the client cannot choose.
 */

// IPv4 or IPv6 text only: anything else at the trusted position is not taken as an address (nor logged)
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]*)$/i

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) counts as the IPv4 address. */
export const normalizedAddress = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "")

/** The address `hops` trusted proxies report, or undefined when the header cannot be trusted that far. */
export const forwardedFor = (header: string | undefined, hops: number): string | undefined => {
  if (header === undefined || hops <= 0) return undefined
  // several X-Forwarded-For lines arrive joined with ", ": one list either way
  const entries = header.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const entry = entries[entries.length - hops]
  return entry !== undefined && entry.length <= 45 && ADDRESS.test(entry) ? normalizedAddress(entry) : undefined
}

/** The client's address: the trusted X-Forwarded-For entry, else the socket's peer ("unknown" without one). */
export const clientAddressOf = (forwardedHeader: string | undefined, peer: string | undefined, trustedProxyHops: number): string =>
  forwardedFor(forwardedHeader, trustedProxyHops) ?? (peer === undefined ? "unknown" : normalizedAddress(peer))
