// pipeline: a fixed open-model arrival rate of orders for a bounded time, then the whole pipeline
// is measured from the databases: POST latency at the client, order insert → SUCCESS/FAILED from
// the order database's own clock, orders lost (accepted but missing or not terminal), payments
// duplicated.
import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "@spgroup/infra";
import { customerHeaders } from "@spgroup/infra/testing";
import pg from "pg";
import { Pool } from "undici";
import { summariseProfiles } from "../lib/cpu-profile.ts";
import { machine } from "../lib/machine.ts";
import { type BenchStack, startBenchStack } from "../lib/stack.ts";
import { summary } from "../lib/stats.ts";
import { numberOption, stringOption } from "../lib/args.ts";

/** The simulated gateway's answer time in the pipeline runs. */
export const PIPELINE_PAYMENT_LATENCY_MS = 5;

/**
 * The stack's settings for a pipeline run. The load generator is one client address standing for
 * thousands of customers: the per-address limit (20,000/min by default, there for one real client)
 * would answer 429 to most of a run above 333 orders/s, so it is lifted; the per-customer limit stays.
 */
export function pipelineStackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PAYMENT_LATENCY_MS: String(PIPELINE_PAYMENT_LATENCY_MS), RATE_LIMIT_PER_CLIENT_PER_MINUTE: "100000000", ...extra };
}

export interface PipelineLoad {
  rate: number;
  seconds: number;
  connections: number;
  keyed: boolean;
  /**
   * Seconds of warm-up before the measured run, at up to WARMUP_RATE orders/s, drained before the
   * clock starts: a freshly started stack (cold JIT, caches, consumer group joining) is not what a
   * sale meets after the first seconds. Orders of the warm-up are left out of every figure.
   */
  warmupSeconds?: number;
}

const WARMUP_RATE = 300;
/** Distinct signed-in customers the load cycles through. */
const CUSTOMERS = 5000;

/**
 * Offers `rate` orders/s for `seconds` to a running stack (open model), waits for every accepted
 * order to end SUCCESS/FAILED, and measures it all from the databases.
 */
export async function measurePipeline(stack: BenchStack, load: PipelineLoad) {
  const { rate, seconds, connections, keyed } = load;
  const client = new Pool(stack.orderUrl, { connections, pipelining: 1 });
  const orderDb = new pg.Pool({ connectionString: stack.orderDbUrl, max: 2 });
  const paymentDb = new pg.Pool({ connectionString: stack.paymentDbUrl, max: 2 });
  try {
    // Each customer signs in once (a token from the local identity provider), before the clock starts.
    const tokens = await Promise.all(Array.from({ length: CUSTOMERS }, async (_, c) => (await customerHeaders(`bench-${c}`)).authorization));
    /** Order i, from customer i mod CUSTOMERS. */
    const postOrder = (i: number, order: { name: string; amount: string }, headers: Record<string, string> = {}) =>
      client.request({
        method: "POST",
        path: "/api/v1/orders",
        headers: { "content-type": "application/json", authorization: tokens[i % CUSTOMERS] as string, ...headers },
        body: JSON.stringify({ customer_id: `bench-${i % CUSTOMERS}`, customer_name: order.name, total_amount: order.amount }),
      });
    const terminalCount = async () => (await orderDb.query("SELECT count(*)::int AS n FROM orders WHERE status IN ('SUCCESS','FAILED')")).rows[0].n as number;

    const warmupRate = Math.min(rate, WARMUP_RATE);
    const warmupOrders = Math.round(warmupRate * (load.warmupSeconds ?? 0));
    if (warmupOrders > 0) {
      const warmupStart = performance.now();
      await Promise.all(
        Array.from({ length: warmupOrders }, async (_, i) => {
          await sleep(Math.max(0, warmupStart + (i * 1000) / warmupRate - performance.now()));
          await (await postOrder(i, { name: "Warm-up Customer", amount: "10.00" })).body.dump();
        }),
      );
      const until = Date.now() + 60_000;
      while ((await terminalCount()) < warmupOrders && Date.now() < until) await sleep(250);
    }

    // Figures count orders created from here on (the order database's clock).
    const measureFrom = (await orderDb.query<{ t: string }>("SELECT now()::text AS t")).rows[0]?.t;
    const latencies: number[] = [];
    const accepted: string[] = [];
    let errors = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const started = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < rate * seconds; i++) {
      // Open model: request i is due at i / rate seconds, whether or not earlier ones answered.
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 1) await sleep(wait);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const t0 = performance.now();
      sends.push(
        postOrder(i, { name: "Bench Customer", amount: `${(i % 500) + 1}.25` }, keyed ? { "idempotency-key": randomUUID() } : {})
          .then(async (response) => {
            const body = (await response.body.json()) as { data?: { id: string } };
            latencies.push(performance.now() - t0);
            if (response.statusCode === 202 && body.data) accepted.push(body.data.id);
            else errors++;
          })
          .catch(() => {
            errors++;
          })
          .finally(() => {
            inFlight--;
          }),
      );
    }
    await Promise.all(sends);
    const sendSeconds = (performance.now() - started) / 1000;

    const deadline = Date.now() + 120_000;
    while ((await terminalCount()) < accepted.length + warmupOrders && Date.now() < deadline) await sleep(250);
    const measured = "status IN ('SUCCESS','FAILED') AND created_at >= $1::timestamptz";
    const e2e = await orderDb.query(`SELECT extract(epoch FROM (updated_at - created_at)) * 1000 AS ms FROM orders WHERE ${measured}`, [measureFrom]);
    const span = await orderDb.query(`SELECT extract(epoch FROM (max(updated_at) - min(created_at))) AS s, count(*)::int AS n FROM orders WHERE ${measured}`, [measureFrom]);
    const found = await orderDb.query("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status IN ('SUCCESS','FAILED')", [accepted]);
    const duplicated = await paymentDb.query("SELECT count(*)::int AS n FROM (SELECT order_id FROM payments GROUP BY order_id HAVING count(*) > 1) d");
    const payments = await paymentDb.query("SELECT count(*)::int AS n FROM payments");
    const completedPerSecond = span.rows[0].n / Number(span.rows[0].s);
    return {
      orders_offered: rate * seconds,
      orders_accepted: accepted.length,
      http_errors: errors,
      orders_per_min_accepted: Math.round((accepted.length / sendSeconds) * 60),
      orders_per_min_end_to_end: Math.round(completedPerSecond * 60),
      end_to_end_orders_per_s: completedPerSecond,
      post_latency_ms: summary(latencies),
      end_to_end_latency_ms: summary(e2e.rows.map((r) => Number(r.ms))),
      max_in_flight: maxInFlight,
      warmup_orders: warmupOrders,
      lost_orders: accepted.length - found.rows[0].n,
      payments: payments.rows[0].n,
      duplicated_payments: duplicated.rows[0].n,
    };
  } finally {
    await client.close();
    await orderDb.end();
    await paymentDb.end();
  }
}

export async function run(args: string[]) {
  const rate = numberOption(args, "rate", 300); // orders per second
  const seconds = numberOption(args, "seconds", 30);
  const connections = numberOption(args, "connections", 64);
  // --idempotency-keys: every order carries its own Idempotency-Key, as a client that retries would send.
  const keyed = args.includes("--idempotency-keys");
  const name = stringOption(args, "name", "pipeline");
  const warmupSeconds = numberOption(args, "warmup", 5);
  console.log(`pipeline: ${rate} orders/s for ${seconds} s over ${connections} keep-alive connections`);
  // --profile: the services run under the V8 CPU profiler; the report says where their CPU went.
  const profile = args.includes("--profile");
  const profileDir = join(ROOT, ".data", "bench-profiles");
  if (profile) await rm(profileDir, { recursive: true, force: true });
  const stack = await startBenchStack(pipelineStackEnv(profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}));
  try {
    const { end_to_end_orders_per_s: _, ...measured } = await measurePipeline(stack, { rate, seconds, connections, keyed, warmupSeconds });
    const result = {
      scenario: "pipeline",
      at: new Date().toISOString(),
      command: `npm run bench -- pipeline --rate=${rate} --seconds=${seconds} --connections=${connections} --warmup=${warmupSeconds}${keyed ? " --idempotency-keys" : ""}${name === "pipeline" ? "" : ` --name=${name}`}`,
      machine: machine(),
      configuration: { rate_per_s: rate, seconds, connections, payment_latency_ms: PIPELINE_PAYMENT_LATENCY_MS, partitions: 6, idempotency_keys: keyed },
      ...measured,
    };
    console.log(JSON.stringify(result, null, 2));
    await writeFile(join(ROOT, "bench", "results", `${name}-latest.json`), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(ROOT, "bench", "results", `${name}-latest.md`), report(result));
  } finally {
    await stack.stop();
  }
  if (profile) {
    const summary = await summariseProfiles(profileDir);
    const table = (rows: { name: string; share: number }[]) => rows.map((r) => `| ${r.name} | ${r.share}% |`).join("\n");
    await writeFile(
      join(ROOT, "bench", "results", "profile-latest.md"),
      `# Where the services' CPU goes (${new Date().toISOString()})\n\nCommand: \`npm run bench -- pipeline ${args.join(" ")}\`; the order and payment services ran under \`--cpu-prof\`. Self time over ${summary.total_cpu_s} s of profiled time (both processes, idle included).\n\n| package | share |\n|---|---|\n${table(summary.by_package)}\n\n| function | share |\n|---|---|\n${table(summary.by_function)}\n`,
    );
    console.log(JSON.stringify(summary, null, 2));
  }
}

function report(r: Record<string, unknown> & { post_latency_ms: object; end_to_end_latency_ms: object; machine: object }): string {
  const rows = (o: object) => Object.entries(o).map(([k, v]) => `| ${k} | ${v} |`).join("\n");
  return `# Pipeline benchmark (${r.at})

Command: \`${r.command}\`. Everything on one machine: Kafka, PostgreSQL, order and payment
services (one process each) and the load generator (its own process, undici keep-alive pool).
End-to-end latency is order insert → SUCCESS/FAILED, both stamped by the order database's clock.

| machine | |
|---|---|
${rows(r.machine)}

| result | |
|---|---|
| orders accepted / offered | ${r.orders_accepted} / ${r.orders_offered} |
| orders per minute accepted | ${r.orders_per_min_accepted} |
| orders per minute end to end | ${r.orders_per_min_end_to_end} |
| lost orders | ${r.lost_orders} |
| duplicated payments | ${r.duplicated_payments} |
| HTTP errors | ${r.http_errors} |

| POST latency (ms) | |
|---|---|
${rows(r.post_latency_ms)}

| end-to-end latency (ms) | |
|---|---|
${rows(r.end_to_end_latency_ms)}
`;
}
