/** Where Node.js entry points (server, worker, token, demo) read settings: the environment, then `.env` if there is one. deno.ts does the same with Deno's API. */
import { readFileSync } from "node:fs"
import { ConfigProvider } from "effect"

const dotEnv = (): string => {
  try {
    return readFileSync(".env", "utf8")
  } catch {
    return ""
  }
}

export const nodeConfigProvider = (): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromEnv().pipe(ConfigProvider.orElse(ConfigProvider.fromDotEnvContents(dotEnv())))
