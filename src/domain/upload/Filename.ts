/** Turns a client's file name into a safe display name, and reads its container extension. */

export const MAX_FILENAME_LENGTH = 255
const MAX_EXTENSION_LENGTH = 16

// C0/C1 controls, invisible format characters (zero-width, bidi overrides that can disguise an extension), BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * The last path segment (a name never carries a directory), NFC-normalized, without control or
 * invisible characters, lone surrogates or leading dots, trimmed, at most 255 code points with
 * the extension kept. "" when nothing usable is left.
 */
export const sanitizeFilename = (raw: string): string => {
  const base = raw.replace(LONE_SURROGATE, "").normalize("NFC").split(/[/\\]/).at(-1) ?? ""
  const cleaned = base.replace(UNSAFE, "").replace(/^[\s.]+/, "").trimEnd()
  const chars = Array.from(cleaned)
  if (chars.length <= MAX_FILENAME_LENGTH) return cleaned
  const extension = extensionOf(cleaned)
  const suffix = extension === undefined ? "" : `.${extension}`
  return chars.slice(0, MAX_FILENAME_LENGTH - suffix.length).join("").trimEnd() + suffix
}

/** The extension after the last dot, as written; undefined when there is none. */
export const extensionOf = (filename: string): string | undefined => {
  const match = new RegExp(`\\.([A-Za-z0-9]{1,${MAX_EXTENSION_LENGTH}})$`).exec(filename)
  return match?.[1]
}
