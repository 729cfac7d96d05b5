import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites share one PostgreSQL and Redis; each suite isolates itself (own database or key prefix).
    fileParallelism: true,
    // 3 on this 2-core machine: many suites wait on child processes, timers and sockets; measured, the
    // whole run (console page suites included) took 624 s with 2 and 520 s with 3, the CPU then ~92 % busy
    maxWorkers: 3
  }
})
