import { defineConfig } from "vitest/config";

// One run: unit tests beside the domain code, integration tests per service (real PostgreSQL and
// Kafka, started once by the global setup), end-to-end tests across service processes.
export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "services/*/src/**/*.test.ts",
      "services/*/test/**/*.test.ts",
      "apps/*/src/**/*.test.{ts,tsx}",
      "apps/*/e2e/**/*.test.ts",
      "e2e/**/*.test.ts",
    ],
    globalSetup: ["./e2e/support/global-setup.ts"],
    // A failing test prints what its services logged meanwhile (they log to files under .data/test/logs).
    setupFiles: ["./e2e/support/logs-on-failure.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default", ["json", { outputFile: ".data/test-results.json" }]],
    // Console output of passing tests is dropped; a failing test's is printed with its failure
    // (service logs: infra/testing/test-env.ts).
    silent: "passed-only",
    maxWorkers: 2,
    // expect.poll waits on a real browser and real services; its 1 s default failed CI when the
    // first page after sign-in took longer on a loaded machine. A poll that never matches still fails.
    expect: { poll: { timeout: 10_000 } },
  },
});
