/** The allowed-origins rules of a video: what is an origin, how it is written, how many. */
import { describe, expect, it } from "vitest"
import { MAX_ALLOWED_ORIGINS, normalizeOrigin, normalizeOrigins, sameOrigins } from "../../../src/domain/video/VideoOrigins.ts"

describe("normalizeOrigin", () => {
  it("writes an origin as browsers send it in the Origin header", () => {
    const cases: Array<[string, string]> = [
      ["https://example.com", "https://example.com"],
      ["  HTTPS://Example.COM/  ", "https://example.com"],
      ["https://example.com:443", "https://example.com"],
      ["http://example.com:80", "http://example.com"],
      ["http://localhost:8080", "http://localhost:8080"],
      ["https://sub.example.co.uk:8443", "https://sub.example.co.uk:8443"],
      ["http://127.0.0.1:3000", "http://127.0.0.1:3000"],
      ["http://[::1]:8080", "http://[::1]:8080"],
      ["https://bücher.example", "https://xn--bcher-kva.example"]
    ]
    for (const [raw, origin] of cases) expect(normalizeOrigin(raw), raw).toEqual({ origin })
  })

  it("refuses paths, queries, fragments, credentials, other schemes, wildcards and non-URLs", () => {
    const bad = [
      "", "   ", "not a url", "example.com", "//example.com", "https:example.com", "https:/example.com", "https://",
      "https://example.com/watch", "https://example.com//", "https://example.com?x", "https://example.com#x",
      "https://example.com\\evil", "https://user@example.com", "https://user:pw@example.com", "ftp://example.com",
      "ws://example.com", "javascript:alert(1)", "null", "*", "https://*.example.com", "https://exa mple.com",
      "https://example.com:99999", "https://example.com:abc", "https://example.com.", "https://ex_ample.com",
      `https://${"a".repeat(300)}.com`
    ]
    for (const raw of bad) expect(normalizeOrigin(raw), raw).toHaveProperty("problem")
  })
})

describe("normalizeOrigins", () => {
  it("normalizes each, drops duplicates (the first kept), allows none (= any) and at most 20 distinct", () => {
    expect(normalizeOrigins([])).toEqual({ origins: [] })
    expect(normalizeOrigins(["https://b.example", "https://A.example", "https://b.example/", "https://a.example:443"]))
      .toEqual({ origins: ["https://b.example", "https://a.example"] })
    const twenty = Array.from({ length: MAX_ALLOWED_ORIGINS }, (_, i) => `https://s${i}.example`)
    expect(normalizeOrigins([...twenty, ...twenty])).toEqual({ origins: twenty })
    expect(normalizeOrigins([...twenty, "https://one-more.example"])).toEqual({ problem: "more than 20 distinct origins" })
    expect(normalizeOrigins(["https://ok.example", "https://ok.example/path"])).toHaveProperty("problem")
  })

  it("compares lists as sets", () => {
    expect(sameOrigins(["https://a.example", "https://b.example"], ["https://b.example", "https://a.example"])).toBe(true)
    expect(sameOrigins(["https://a.example"], ["https://a.example", "https://b.example"])).toBe(false)
    expect(sameOrigins([], [])).toBe(true)
  })
})
