/**
 * What a client is told when a backend did not answer (503), whichever transport answers: the
 * backend's own text names paths under DATA_DIR, hosts and URLs, so it goes to the log with an id
 * and the client gets a generic message with that id. READ_MODEL_UNAVAILABLE carries a runner's last error.
 */
const unavailableText: Readonly<Record<string, string>> = {
  EVENT_STORE_UNAVAILABLE: "the event store is unavailable",
  READ_STORE_UNAVAILABLE: "the read store is unavailable",
  READ_MODEL_UNAVAILABLE: "the read model is unavailable",
  OBJECT_STORE_UNAVAILABLE: "the object store is unavailable",
  AUTH_UNAVAILABLE: "the token signing keys (JWKS) cannot be fetched"
}

/** A 503 code of a backend that did not answer. */
export const isUnavailableCode = (code: unknown): code is string => typeof code === "string" && Object.hasOwn(unavailableText, code)

/** The generic message of a backend's 503, e.g. "the event store is unavailable; try again (request id …)". */
export const unavailableMessage = (code: string, requestId: string): string =>
  `${unavailableText[code] ?? "a backend is unavailable"}; try again (request id ${requestId})`
