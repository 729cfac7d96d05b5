/**
 * Documents leave the read store deeply frozen: adapters may then hand the same value to every reader
 * (parsed once, no garbage per read) while no caller can change what another one reads.
 */
export const deepFreeze = <A>(value: A): A => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
