// Log files of this test worker's services, for the failure report (e2e/support/logs-on-failure.ts).
// No imports: the setup file that reads it runs in every test environment, the browser-like too.
const KEY = Symbol.for("spgroup.test-log-files");
const store = globalThis as unknown as Record<symbol, Set<string> | undefined>;

export const TEST_LOG_FILES: Set<string> = store[KEY] ?? new Set<string>();
store[KEY] = TEST_LOG_FILES;
