import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites share one PostgreSQL and Redis; each suite isolates itself (own database or key prefix).
    fileParallelism: true,
    maxWorkers: 2
  }
})
