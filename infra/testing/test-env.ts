import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Consumer, stringDeserializers } from "@platformatic/kafka";
import { CustomerAuth, LOCAL_ADMIN_SECRET, LOCAL_CUSTOMER_SECRET } from "@spgroup/platform";
import { databaseUrl } from "../stack/local-stack.ts";
import pg from "pg";

export interface SharedInfra {
  postgresUrl: string;
  kafkaBrokers: string;
}

// What the global setup (e2e/support/global-setup.ts) provides to every test file.
declare module "vitest" {
  export interface ProvidedContext {
    infra: SharedInfra;
  }
}

/**
 * Services in tests log to files, never to the terminal (tests that kill brokers on purpose make
 * them warn by the page, and a green run would bury its summary). The files are kept under
 * .data/test/logs/<suffix>/, and a failing test prints the end of every log written while it ran
 * (e2e/support/logs-on-failure.ts). TEST_LOG_LEVEL=warn sends in-process logs to the terminal.
 */
export const IN_PROCESS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "info";
/** Log level of service processes spawned by tests: they write to files under .data/test/logs. */
export const SPAWNED_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "warn";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export { TEST_LOG_FILES } from "./test-logs.ts";
import { TEST_LOG_FILES } from "./test-logs.ts";

/** Where a test's services keep their logs (created by the first line written). */
export function testLogDir(suffix: string): string {
  return join(ROOT, ".data", "test", "logs", suffix);
}

/**
 * An isolated corner of the shared test infrastructure: its own databases and its own topic
 * prefix, so test files run in parallel without seeing each other's rows or events.
 */
export function isolatedEnv(infra: SharedInfra, extra: Record<string, string> = {}) {
  const suffix = randomBytes(4).toString("hex");
  // In-process services append to one file per isolated environment (unless the terminal is asked for).
  const logFile = process.env.TEST_LOG_LEVEL ? "" : join(testLogDir(suffix), "in-process.log");
  if (logFile) TEST_LOG_FILES.add(logFile);
  const db = (name: string) => databaseUrl(infra.postgresUrl, `${name}_${suffix}`);
  const env: Record<string, string> = {
    ORDER_DATABASE_URL: db("order"),
    PAYMENT_DATABASE_URL: db("payment"),
    CAMPAIGN_DATABASE_URL: db("campaign"),
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: `t${suffix}.`,
    KAFKA_PARTITIONS: "4",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: IN_PROCESS_LOG_LEVEL,
    LOG_FILE: logFile,
    ADMIN_TOKEN_SECRET: LOCAL_ADMIN_SECRET,
    PAYMENT_LATENCY_MS: "0",
    ...extra,
  };
  return { suffix, env, topicPrefix: env.KAFKA_TOPIC_PREFIX as string };
}

/** A direct connection to a test database, for asserting what was (not) written. */
export function testPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, options: "-c timezone=UTC" });
  // An idle connection whose server a test stops on purpose must not crash the test process.
  pool.on("error", () => {});
  return pool;
}

/** Polls until `probe` returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

/** Reads every JSON message of a topic from the beginning, in the background. */
export async function recordTopic(brokers: string, topic: string) {
  const messages: { key: string; partition: number; value: Record<string, unknown>; headers: Record<string, string> }[] = [];
  const consumer = new Consumer({
    clientId: "test-recorder",
    groupId: `recorder-${randomBytes(4).toString("hex")}`,
    bootstrapBrokers: [brokers],
    deserializers: stringDeserializers,
  });
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, maxWaitTime: 100 });
  stream.on("data", (m) => messages.push({ key: m.key, partition: m.partition, value: JSON.parse(m.value), headers: Object.fromEntries(m.headers ?? []) }));
  return {
    messages,
    close: () => consumer.close(true),
  };
}

const customers = new CustomerAuth(LOCAL_CUSTOMER_SECRET);

/** The Authorization header of a signed-in customer, as the local stack's identity provider would issue it. */
export async function customerHeaders(customerId: string): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await customers.issue(customerId)}` };
}
