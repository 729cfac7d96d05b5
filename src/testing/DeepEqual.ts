/** Structural equality and printing for states and events (framework-agnostic, web-standard only). */

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !(u instanceof Map) && !(u instanceof Set)

const definedKeys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined).sort()

/**
 * Structural equality of JSON-like data, Maps and Sets. Like `toEqual`, a key whose value is
 * `undefined` counts as absent (an optional field survives a JSON round trip that way);
 * prototypes are ignored, so a class instance equals a plain object with the same fields; and
 * -0 equals 0 (JSON, hence the event store, cannot tell them apart).
 */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b || Object.is(a, b)) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false
    return true
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false
    for (const v of a) if (!b.has(v)) return false
    return true
  }
  const ak = definedKeys(a as Record<string, unknown>)
  const bk = definedKeys(b as Record<string, unknown>)
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] &&
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** Indented JSON-ish text of a value, for assertion messages. */
export const show = (value: unknown): string => {
  try {
    return JSON.stringify(
      value,
      (_key, v: unknown) => {
        if (v instanceof Map) return { "<Map>": [...v.entries()] }
        if (v instanceof Set) return { "<Set>": [...v.values()] }
        if (typeof v === "bigint") return `${v}n`
        if (v instanceof Error && isPlainObject(v)) return { ...v, message: v.message }
        return v
      },
      2
    ) ?? String(value)
  } catch {
    return String(value)
  }
}
