/** Free text a person typed (titles, names, descriptions): trimmed, then bounded in characters (code points). */

/** Trimmed text of `min` to `max` characters, or why not. */
export const boundedText = (raw: string, min: number, max: number): { readonly text: string } | { readonly problem: string } => {
  const text = raw.trim()
  const length = Array.from(text).length
  if (length < min) return { problem: "it is empty" }
  if (length > max) return { problem: `it has ${length} characters, more than ${max}` }
  return { text }
}
