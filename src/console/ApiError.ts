/** An answer of Keyframe's API that was not 2xx: its status, the server's error code, and its words as the message. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}
