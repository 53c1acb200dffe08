import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "@spgroup/infra";
import { ensureTopics } from "@spgroup/platform";
import { BENCH_DATA } from "./stack.ts";

const run = promisify(execFile);

// The order service's write per placed order: the order row and its outbox row in one statement.
const PGBENCH_SCRIPT = `\\set id random(1, 99999999999999)
\\set customer random(1, 100000)
WITH o AS (INSERT INTO orders (id, status, total_amount, customer_id, customer_name) VALUES ('PGB' || :id, 'PROCESSING', 250.00, 'pgb-' || :customer, 'pgbench customer') RETURNING id, customer_id, created_at), ob AS (INSERT INTO outbox (topic, message_key, payload) SELECT 'pgbench', customer_id, jsonb_build_object('order_id', id, 'created_at', created_at) FROM o) SELECT 1;
`;

// The same write, 50 orders per statement (what a group commit of 50 waiting POSTs does).
const PGBENCH_BATCH_SCRIPT = `\\set id random(1, 99999999999)
WITH o AS (INSERT INTO orders (id, status, total_amount, customer_id, customer_name) SELECT 'PGBB' || :id || '-' || g, 'PROCESSING', 250.00, 'pgb-' || g, 'pgbench customer' FROM generate_series(1, 50) g RETURNING id, customer_id, created_at), ob AS (INSERT INTO outbox (topic, message_key, payload) SELECT 'pgbench', customer_id, jsonb_build_object('order_id', id, 'created_at', created_at) FROM o) SELECT 1;
`;
export const PGBENCH_BATCH_ROWS = 50;

async function pgbenchTps(dbUrl: string, file: string, body: string): Promise<number> {
  const script = join(BENCH_DATA, file);
  await writeFile(script, body);
  try {
    const { stdout } = await run("pgbench", ["-n", "-f", script, "-c", "16", "-j", "2", "-T", "15", dbUrl], { maxBuffer: 16 * 1024 * 1024 });
    return Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
  } catch (error) {
    console.error("pgbench failed:", (error as Error).message);
    return Number.NaN;
  }
}

/**
 * What the same machine's PostgreSQL and Kafka do alone, while the stack is idle, and the measured
 * end-to-end rate as a fraction of each.
 */
export async function measureCeilings(stack: { orderDbUrl: string; kafkaBrokers: string }, endToEndPerSecond: number) {
  const pgTps = await pgbenchTps(stack.orderDbUrl, "pgbench-order.sql", PGBENCH_SCRIPT);
  const pgBatchedRows = (await pgbenchTps(stack.orderDbUrl, "pgbench-order-batch.sql", PGBENCH_BATCH_SCRIPT)) * PGBENCH_BATCH_ROWS;

  let kafkaPerSecond = Number.NaN;
  try {
    const settings = { brokers: [stack.kafkaBrokers], clientId: "ceiling", topicPrefix: "" };
    await ensureTopics(settings, ["bench.ceiling"], 6);
    const { stdout } = await run(
      "java",
      ["-cp", `${join(ROOT, "infra/kafka/target/libs")}/*`, "org.apache.kafka.tools.ProducerPerformance", "--topic", "bench.ceiling", "--num-records", "400000", "--record-size", "350", "--throughput", "-1", "--producer-props", `bootstrap.servers=${stack.kafkaBrokers}`, "acks=all", "enable.idempotence=true", "linger.ms=5"],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const last = stdout.trim().split("\n").at(-1) ?? "";
    kafkaPerSecond = Number(/([\d.]+) records\/sec/.exec(last)?.[1]);
  } catch (error) {
    console.error("kafka ProducerPerformance failed:", (error as Error).message);
  }
  const fraction = (ceiling: number) => (Number.isFinite(ceiling) && ceiling > 0 ? Math.round((endToEndPerSecond / ceiling) * 1000) / 1000 : null);
  const result = {
    postgres_order_inserts_per_s: Math.round(pgTps),
    postgres_batched_order_inserts_per_s: Math.round(pgBatchedRows),
    kafka_records_per_s: Math.round(kafkaPerSecond),
    end_to_end_orders_per_s: Math.round(endToEndPerSecond * 10) / 10,
    fraction_of_postgres: fraction(pgTps),
    fraction_of_postgres_batched: fraction(pgBatchedRows),
    fraction_of_kafka: fraction(kafkaPerSecond),
  };
  return {
    ...result,
    summary: `PostgreSQL alone (\`pgbench -f order-insert.sql -c 16 -T 15\`, the order row plus its outbox row in one statement): **${result.postgres_order_inserts_per_s} orders/s**; the same write ${PGBENCH_BATCH_ROWS} orders per statement: **${result.postgres_batched_order_inserts_per_s} orders/s**. Kafka alone (\`ProducerPerformance\`, 350-byte records, acks=all, idempotent): **${result.kafka_records_per_s} records/s**. The measured end-to-end rate, ${result.end_to_end_orders_per_s} orders/s, is **${result.fraction_of_postgres}** of the single-row PostgreSQL figure, **${result.fraction_of_postgres_batched}** of the batched one and **${result.fraction_of_kafka}** of the Kafka figure. Each order costs the pipeline five database transactions in three databases (insert + outbox; payment + outbox + inbox; completion + outbox + inbox; campaign ingest + inbox; outbox deletes) and three Kafka records, so the end-to-end ceiling is a fraction of either.`,
  };
}
