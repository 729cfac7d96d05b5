/** The file-name sanitizer: what may never survive it, and what it keeps. */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { extensionOf, MAX_FILENAME_LENGTH, sanitizeFilename } from "../../../src/domain/upload/Filename.ts"

// Names built from the characters that matter: separators, dots, spaces, controls, invisibles, surrogates, letters.
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom("/", "\\", ".", " ", "\t", "\n", "\u0000", "\u001f", "\u007f", "\u0085", "\u200b", "\u202e", "\ufeff", "\ud800", "\udc00", "é", "😀"),
    fc.string({ minLength: 1, maxLength: 1 })
  ),
  maxLength: 400
})
const anyName = fc.oneof(nasty, fc.string({ unit: "binary", maxLength: 600 }))

describe("sanitizeFilename", () => {
  it("leaves no path separator, control or invisible character, or lone surrogate", () => {
    fc.assert(fc.property(anyName, (raw) => {
      const name = sanitizeFilename(raw)
      expect(name).not.toMatch(/[/\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/)
      expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
      expect(name).not.toMatch(/^[\s.]/)
      expect(name).toBe(name.trimEnd())
    }), { numRuns: 1000 })
  })

  it("is at most 255 characters and keeps a short extension when it cuts", () => {
    fc.assert(fc.property(anyName, fc.constantFrom("mp4", "webm", "MOV"), (raw, extension) => {
      const name = sanitizeFilename(`a${raw}${"x".repeat(300)}.${extension}`)
      expect(Array.from(name).length).toBeLessThanOrEqual(MAX_FILENAME_LENGTH)
      expect(extensionOf(name)).toBe(extension)
    }), { numRuns: 500 })
  })

  it("is idempotent", () => {
    fc.assert(fc.property(anyName, (raw) => {
      const once = sanitizeFilename(raw)
      expect(sanitizeFilename(once)).toBe(once)
    }), { numRuns: 1000 })
  })

  it("keeps ordinary names as they are, and only the last path segment of others", () => {
    expect(sanitizeFilename("Holiday 2025 (final).mp4")).toBe("Holiday 2025 (final).mp4")
    expect(sanitizeFilename("C:\\Users\\me\\clip.MOV")).toBe("clip.MOV")
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd")
    expect(sanitizeFilename(".hidden.webm")).toBe("hidden.webm")
    expect(sanitizeFilename("evil\u202Egpj.mp4")).toBe("evilgpj.mp4")
    expect(sanitizeFilename("  \u0000 ")).toBe("")
    expect(sanitizeFilename("dir/")).toBe("")
  })
})
