/**
 * A CORS middleware for every method but OPTIONS: the routes' own OPTIONS handlers answer their preflights
 * (tus discovery, the stream routes), so an OPTIONS to a path with no route stays a 404.
 */
import type { MiddlewareHandler } from "hono"
import type { AppEnv } from "../AppEnv.ts"

export const outsidePreflight = (cors: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) =>
  c.req.method === "OPTIONS" ? next() : cors(c, next)
