import { defineConfig } from "vitest/config";

// Unit tests only: pure domain rules, contracts and the platform's parsing and policies. No
// PostgreSQL, no Kafka, no Java: `npm run test:unit` answers in seconds.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "apps/*/src/**/*.test.{ts,tsx}"],
    // Property tests run thousands of cases; on a busy 2-core machine they need more than 5 s.
    testTimeout: 30_000,
    pool: "forks",
    maxWorkers: 2,
    // Pure tests share no state through modules: evaluate the shared imports once per worker
    // rather than once per file (the imports were a third of the run).
    isolate: false,
  },
});
