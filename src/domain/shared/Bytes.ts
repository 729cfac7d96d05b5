/** Byte counts as people read them, for error messages. */

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"] as const

export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${UNITS[unit]}`
}
