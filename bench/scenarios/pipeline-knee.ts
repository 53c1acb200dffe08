// pipeline-knee: the pipeline scenario at a ladder of offered rates, a fresh stack per rate, to find
// where latency turns up (the knee). `--label=before|after` names the run; the report puts every
// labelled run found in bench/results side by side, so two runs back to back on the same machine
// (one on the old code, one on the new) read as one table.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "@spgroup/infra";
import { numberOption, stringOption } from "../lib/args.ts";
import { measureCeilings } from "../lib/ceilings.ts";
import { machine } from "../lib/machine.ts";
import { startBenchStack } from "../lib/stack.ts";
import { measurePipeline, PIPELINE_PAYMENT_LATENCY_MS, pipelineStackEnv } from "./pipeline.ts";

/** Labelled runs the report shows, in this order: before and after a change, and the final code re-run later. */
const LABELS = ["before", "after", "final"] as const;
const resultFile = (label: string) => join(ROOT, "bench", "results", `pipeline-knee-${label}.json`);

type KneeRun = {
  label: string;
  at: string;
  commit: string;
  command: string;
  machine: ReturnType<typeof machine>;
  ceilings: Awaited<ReturnType<typeof measureCeilings>>;
  rows: (Awaited<ReturnType<typeof measurePipeline>> & { rate_per_s: number; fraction_of_postgres: number | null; fraction_of_postgres_batched: number | null; fraction_of_kafka: number | null })[];
};

export async function run(args: string[]) {
  // --report-only: rebuild pipeline-knee-latest.md from the labelled runs already in bench/results.
  if (args.includes("--report-only")) return writeReport();
  const rates = stringOption(args, "rates", "700,1000,1500,2000,3000").split(",").map(Number);
  const seconds = numberOption(args, "seconds", 20);
  const connections = numberOption(args, "connections", 256);
  const warmupSeconds = numberOption(args, "warmup", 5);
  const label = stringOption(args, "label", "after");
  const commit = stringOption(args, "commit", "unknown");
  const measured: Omit<KneeRun["rows"][number], "fraction_of_postgres" | "fraction_of_postgres_batched" | "fraction_of_kafka">[] = [];
  let ceilings: KneeRun["ceilings"] | undefined;
  for (const [i, rate] of rates.entries()) {
    console.log(`pipeline-knee (${label}): ${rate} orders/s for ${seconds} s over ${connections} connections`);
    const stack = await startBenchStack(pipelineStackEnv());
    try {
      const result = await measurePipeline(stack, { rate, seconds, connections, keyed: false, warmupSeconds });
      console.log(JSON.stringify({ rate, ...result }));
      measured.push({ rate_per_s: rate, ...result });
      // The ceilings once, on the last stack, idle after its run: same machine, same minutes.
      if (i === rates.length - 1) ceilings = await measureCeilings(stack, Math.max(...measured.map((m) => m.end_to_end_orders_per_s)));
    } finally {
      await stack.stop();
    }
  }
  if (!ceilings) throw new Error("no rates given");
  const fraction = (rate: number, ceiling: number) => (ceiling > 0 ? Math.round((rate / ceiling) * 1000) / 1000 : null);
  const c = ceilings;
  const result: KneeRun = {
    label,
    at: new Date().toISOString(),
    commit,
    command: `npm run bench -- pipeline-knee --label=${label} --rates=${rates.join(",")} --seconds=${seconds} --connections=${connections} --warmup=${warmupSeconds}`,
    machine: machine(),
    ceilings,
    rows: measured.map((m) => ({
      ...m,
      fraction_of_postgres: fraction(m.end_to_end_orders_per_s, c.postgres_order_inserts_per_s),
      fraction_of_postgres_batched: fraction(m.end_to_end_orders_per_s, c.postgres_batched_order_inserts_per_s),
      fraction_of_kafka: fraction(m.end_to_end_orders_per_s, c.kafka_records_per_s),
    })),
  };
  await writeFile(resultFile(label), `${JSON.stringify(result, null, 2)}\n`);
  await writeReport();
  console.log(`wrote bench/results/pipeline-knee-${label}.json and pipeline-knee-latest.md`);
}

async function writeReport(): Promise<void> {
  const runs: KneeRun[] = [];
  for (const l of LABELS) {
    try {
      runs.push(JSON.parse(await readFile(resultFile(l), "utf8")) as KneeRun);
    } catch {
      // not run (yet)
    }
  }
  await writeFile(join(ROOT, "bench", "results", "pipeline-knee-latest.md"), report(runs));
}

function report(runs: KneeRun[]): string {
  const ms = (n: number) => (Number.isFinite(n) ? Math.round(n) : "–");
  const sections = runs.map(
    (r) => `## ${r.label} (${r.at}, commit ${r.commit})

Command: \`${r.command}\` — machine: ${r.machine.nproc} cores (${r.machine.cpu}), ${r.machine.memory_gib} GiB, Node ${r.machine.node}.

| offered /s | accepted /min | end to end /min | POST p50 ms | POST p99 ms | e2e p99 ms | HTTP errors | lost | dup. payments | of PG single-row | of PG batched | of Kafka |
|---|---|---|---|---|---|---|---|---|---|---|---|
${r.rows
  .map(
    (m) =>
      `| ${m.rate_per_s} | ${m.orders_per_min_accepted} | ${m.orders_per_min_end_to_end} | ${ms(m.post_latency_ms.p50)} | ${ms(m.post_latency_ms.p99)} | ${ms(m.end_to_end_latency_ms.p99)} | ${m.http_errors} | ${m.lost_orders} | ${m.duplicated_payments} | ${m.fraction_of_postgres} | ${m.fraction_of_postgres_batched} | ${m.fraction_of_kafka} |`,
  )
  .join("\n")}

Ceilings measured on the same machine right after the last rate: ${r.ceilings.summary}
`,
  );
  return `# Pipeline knee: offered rate vs latency

Each rate runs on a fresh stack (one order and one payment service process, one Kafka broker with
6 partitions, PostgreSQL, the load generator in its own process; payment gateway answering in
${PIPELINE_PAYMENT_LATENCY_MS} ms). A warm-up (\`--warmup\` seconds at up to 300 orders/s, drained, left out of
every figure) precedes the measured run, for the stated seconds, open model (request i is sent at i / rate
whatever the answers). POST latency is measured at the client; end to end is order insert →
SUCCESS/FAILED, both stamped by the order database's clock. "of PG …/Kafka" is the end-to-end
rate as a fraction of what PostgreSQL (order + outbox write, single-row and 50-row statements) and
Kafka (producer, acks=all) do alone on the same machine. "before" and "after" ran back to back;
"final" is the final code run later: compare its ceilings with theirs before its figures (this
shared machine's speed varies by the hour, and near saturation the figures swing with it).

${sections.join("\n")}`;
}
