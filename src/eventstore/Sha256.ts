/**
 * SHA-256 as hex, synchronously (@noble/hashes, audited, runs on every runtime). The hash chain
 * hashes every event on the append path, where Web Crypto's asynchronous digest (a thread-pool
 * round trip per call) cost more than the INSERT itself.
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"

const encoder = new TextEncoder()

export const sha256Hex = (bytes: Uint8Array): string => bytesToHex(sha256(bytes))

export const sha256HexOfText = (text: string): string => sha256Hex(encoder.encode(text))
