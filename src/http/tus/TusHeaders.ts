/** Reads and validates the tus request headers; every failure is a 4xx HttpError naming the header. */
import { Result } from "effect"
import * as Base64 from "effect/encoding/Base64"
import type { HttpError } from "../HttpError.ts"
import {
  badHeader,
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  OFFSET_OCTET_STREAM,
  TUS_VERSION,
  unsupportedVersion,
  wrongContentType
} from "./TusProtocol.ts"

export type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: HttpError }

const ok = <A>(value: A): Parsed<A> => ({ ok: true, value })
const fail = (error: HttpError): Parsed<never> => ({ ok: false, error })

/** `Tus-Resumable` must name the version this server speaks (412 otherwise, with Tus-Version). */
export const checkResumable = (header: string | undefined): HttpError | undefined =>
  header?.trim() === TUS_VERSION ? undefined : unsupportedVersion(header)

/** A non-negative integer header (Upload-Length, Upload-Offset, Content-Length): digits only, a safe integer. */
export const parseByteCount = (name: string, header: string | undefined, required: boolean): Parsed<number | undefined> => {
  if (header === undefined) {
    return required ? fail(badHeader("MISSING_HEADER", `the ${name} header is required`)) : ok(undefined)
  }
  const value = header.trim()
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n)) {
    return fail(badHeader("INVALID_HEADER", `${name} must be a non-negative integer number of bytes, got "${value.slice(0, 40)}"`))
  }
  return ok(n)
}

/** True when the Content-Type is `application/offset+octet-stream` (parameters and case ignored). */
export const isOffsetOctetStream = (header: string | undefined): boolean =>
  header !== undefined && header.split(";")[0]!.trim().toLowerCase() === OFFSET_OCTET_STREAM

export const requireOffsetOctetStream = (header: string | undefined): HttpError | undefined =>
  isOffsetOctetStream(header) ? undefined : wrongContentType(header)

export interface ChecksumHeader {
  readonly algorithm: ChecksumAlgorithm
  /** As sent (base64), for the event. */
  readonly value: string
  readonly expected: Uint8Array
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { sha1: 20, sha256: 32 }

/** `Upload-Checksum: <algorithm> <base64 digest>`; an algorithm not offered in Tus-Checksum-Algorithm is a 400. */
export const parseChecksum = (header: string | undefined): Parsed<ChecksumHeader | undefined> => {
  if (header === undefined) return ok(undefined)
  const [name = "", value = "", ...rest] = header.trim().split(/\s+/)
  const algorithm = name.toLowerCase()
  if (!(CHECKSUM_ALGORITHMS as ReadonlyArray<string>).includes(algorithm)) {
    return fail(
      badHeader(
        "CHECKSUM_ALGORITHM_UNSUPPORTED",
        `Upload-Checksum: "${name.slice(0, 20)}" is not supported; use one of ${CHECKSUM_ALGORITHMS.join(", ")}`
      )
    )
  }
  const alg = algorithm as ChecksumAlgorithm
  // Padded standard base64 only (the regex also keeps out the CR/LF Base64.decode would skip)
  const decoded = rest.length === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Base64.decode(value) : undefined
  const expected = decoded !== undefined && Result.isSuccess(decoded) ? decoded.success : undefined
  if (expected === undefined || expected.length !== DIGEST_BYTES[alg]) {
    return fail(badHeader("INVALID_CHECKSUM", `Upload-Checksum: the ${alg} value must be the base64 of ${DIGEST_BYTES[alg]} bytes`))
  }
  return ok({ algorithm: alg, value, expected })
}
