/**
 * With neither JWT_SECRET nor JWKS_URL set, Keyframe signs and checks development tokens with a
 * random secret kept in DATA_DIR/jwt-dev-secret (created on first start, mode 0600). `npm run token`
 * reads the same file, so its tokens work against a server with the same DATA_DIR. Nothing is a
 * known default: a token is only as reachable as that file, so a file other users may read or
 * replace is refused rather than used.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect } from "effect"
import * as Base64Url from "effect/encoding/Base64Url"

export const DEV_SECRET_FILE = "jwt-dev-secret"

export class DevSecretUnavailable extends Data.TaggedError("DevSecretUnavailable")<{
  readonly path: string
  readonly reason: string
  /** The setting that replaces the file (default JWT_SECRET). */
  readonly setting?: string
}> {
  override get message() {
    const setting = this.setting ?? "JWT_SECRET"
    return `${setting} is unset and the development secret at ${this.path} cannot be read or created: ${this.reason} ` +
      `(set ${setting}, or make DATA_DIR writable)`
  }
}

/** The secret file is open to group or others (any of the 0o077 bits): whoever can read it can mint tokens. */
export class DevSecretExposed extends Data.TaggedError("DevSecretExposed")<{ readonly path: string; readonly mode: number; readonly setting?: string }> {
  override get message() {
    return `the development secret at ${this.path} is open to other users (mode 0${(this.mode & 0o777).toString(8)}): ` +
      `run \`chmod 600 ${this.path}\` (or set ${this.setting ?? "JWT_SECRET"})`
  }
}

/** 32 random bytes, base64url (43 characters). */
const randomSecret = (): string => Base64Url.encode(crypto.getRandomValues(new Uint8Array(32)))

/** fsync of an open file or directory, then close. */
const syncAndClose = (fd: number) => {
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Creates `path` holding `text`, failing with EEXIST when it is there (`wx`), and makes it durable
 * before returning: the file, then the directory entry. Tokens minted with a secret a power loss
 * could take back would stop working after the restart.
 */
const createDurably = (path: string, dir: string, text: string) => {
  const fd = openSync(path, "wx", 0o600)
  try {
    writeSync(fd, text)
  } finally {
    syncAndClose(fd)
  }
  // Windows cannot open a directory (and NTFS journals the entry itself)
  if (process.platform !== "win32") syncAndClose(openSync(dir, "r"))
}

/** Other users' access to a file, or 0 where mode bits mean nothing (Windows reports 0o666 for every file). */
const openToOthers = (path: string): number => (process.platform === "win32" ? 0 : statSync(path).mode & 0o077)

/**
 * Reads DATA_DIR/jwt-dev-secret, creating it when missing (`wx`: two processes starting at once agree on one).
 * The same for another generated secret (the playback signing key): its file and the setting that replaces it.
 */
export const loadOrCreateDevSecret = (
  dataDir: string,
  file: string = DEV_SECRET_FILE,
  setting?: string
): Effect.Effect<{ readonly secret: string; readonly path: string; readonly created: boolean }, DevSecretUnavailable | DevSecretExposed> => {
  const path = join(dataDir, file)
  return Effect.try({
    try: () => {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      try {
        createDurably(path, dataDir, `${randomSecret()}\n`)
        return { secret: readFileSync(path, "utf8").trim(), path, created: true }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
      }
      // checked before use: a file others can read or replace is not a secret of ours any more
      if (openToOthers(path) !== 0) throw new DevSecretExposed({ path, mode: statSync(path).mode, ...(setting ? { setting } : {}) })
      const secret = readFileSync(path, "utf8").trim()
      if (secret.length < 32) throw new Error("the file holds less than 32 characters")
      return { secret, path, created: false }
    },
    catch: (e) => e instanceof DevSecretExposed ? e : new DevSecretUnavailable({ path, reason: e instanceof Error ? e.message : String(e), ...(setting ? { setting } : {}) })
  })
}
