/** Instants as people read them, for error messages. */

/** An instant as ISO-8601 (pure: formats the number it is given). */
export const formatInstant = (epochMillis: number): string =>
  Number.isFinite(epochMillis) && Math.abs(epochMillis) <= 8.64e15 ? new Date(epochMillis).toISOString() : String(epochMillis)
