/** HTTP `Range: bytes=…` (RFC 9110 §14): the one range Keyframe serves from media objects. Pure. */

export type RangeRequest =
  /** No usable Range header (absent, another unit, several ranges, malformed): serve the whole object. */
  | { readonly kind: "whole" }
  | { readonly kind: "range"; readonly start: number; readonly end: number }
  /** Well-formed but outside the object: 416 with `Content-Range: bytes *\/size`. */
  | { readonly kind: "unsatisfiable" }

const SINGLE = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i

/** Resolves a Range header against an object of `size` bytes (`end` inclusive and clamped). */
export const parseRange = (header: string | undefined, size: number): RangeRequest => {
  if (header === undefined) return { kind: "whole" }
  const m = SINGLE.exec(header.trim())
  if (m === null) return { kind: "whole" }
  const [, first = "", last = ""] = m
  if (first === "" && last === "") return { kind: "whole" }
  if (first === "") {
    // A suffix: the last N bytes.
    const n = Number(last)
    if (!Number.isSafeInteger(n)) return { kind: "whole" }
    if (n === 0 || size === 0) return { kind: "unsatisfiable" }
    return { kind: "range", start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === "" ? size - 1 : Number(last)
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { kind: "whole" }
  if (start >= size) return { kind: "unsatisfiable" }
  // An end before the start makes the header invalid: ignored (RFC 9110 §14.1.1).
  if (end < start) return { kind: "whole" }
  return { kind: "range", start, end: Math.min(end, size - 1) }
}

export const contentRange = (start: number, end: number, size: number): string => `bytes ${start}-${end}/${size}`
