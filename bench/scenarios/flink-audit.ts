// `npm run bench -- flink-audit [--orders=10000,1000000]`: what the Flink auditor costs on this
// machine. One Kafka broker of its own; for each size, that many OrderCompleted events (90%
// SUCCESS, 1% delivered twice, customers ordering about three times each, amounts around the
// threshold, created_at over a one-hour window) are produced to a fresh topic, then the audit job
// computes the winners: wall time (JVM start, MiniCluster, read, SQL), peak resident memory of the
// Java process, and the winners checked against the rule computed here in TypeScript on the same
// generated orders. An empty topic first gives the fixed cost (start-up).
import { randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { ROOT } from "@spgroup/infra";
import { ensureTopics } from "@spgroup/platform";
import { runFlinkAudit } from "../../auditor/flink-job.ts";
import { startKafka } from "../../infra/kafka/broker.ts";
import { stringOption } from "../lib/args.ts";
import { machine } from "../lib/machine.ts";
import { BENCH_DATA, BENCH_PORTS } from "../lib/stack.ts";

const WINDOW_START = Date.parse("2026-11-01T00:00:00Z");
const WINDOW_MS = 3_600_000;
const POLICY = { maxTracked: 50, minAmount: "200.00", totalReward: 20 };

interface Generated {
  order_id: string;
  customer_id: string;
  total_cents: number;
  status: "SUCCESS" | "FAILED";
  created_us: number;
}

function iso(us: number): string {
  return `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, "0")}Z`;
}

/** The rule on the generated orders (in the window, SUCCESS, once per order id). */
function expectedWinners(orders: Generated[]): string[] {
  const first = new Map<string, { at: number; id: string; max: number }>();
  for (const o of orders) {
    if (o.status !== "SUCCESS" || o.created_us < WINDOW_START * 1000 || o.created_us > (WINDOW_START + WINDOW_MS) * 1000) continue;
    const c = first.get(o.customer_id);
    if (!c) first.set(o.customer_id, { at: o.created_us, id: o.order_id, max: o.total_cents });
    else {
      if (o.created_us < c.at || (o.created_us === c.at && o.order_id < c.id)) Object.assign(c, { at: o.created_us, id: o.order_id });
      c.max = Math.max(c.max, o.total_cents);
    }
  }
  return [...first.entries()]
    .sort(([, a], [, b]) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, POLICY.maxTracked)
    .filter(([, c]) => c.max > 20_000)
    .slice(0, POLICY.totalReward)
    .map(([customer]) => customer);
}

async function produce(brokers: string, topic: string, count: number): Promise<Generated[]> {
  const producer = new Producer({ clientId: "flink-audit-bench", bootstrapBrokers: [brokers], serializers: stringSerializers, acks: ProduceAcks.LEADER });
  const orders: Generated[] = [];
  try {
    const customers = Math.max(1, Math.floor(count / 3));
    for (let i = 0; i < count; i += 2_000) {
      const batch: { topic: string; key: string; value: string }[] = [];
      for (let j = i; j < Math.min(count, i + 2_000); j++) {
        // Deterministic spread; created_at in whole milliseconds 1 in 4 times (ties happen).
        const created = WINDOW_START * 1000 + Math.floor(((j * 7919) % count) * (WINDOW_MS * 1000 / count)) - (j % 4 === 0 ? ((j * 7919) % count) % 1000 : 0);
        const order: Generated = {
          order_id: `O${String(j).padStart(9, "0")}`,
          customer_id: `c-${(j * 31) % customers}`,
          total_cents: 15_000 + ((j * 37) % 11_000),
          status: j % 10 === 9 ? "FAILED" : "SUCCESS",
          created_us: created,
        };
        orders.push(order);
        const value = JSON.stringify({
          event_id: randomUUID(),
          type: "OrderCompleted",
          version: 1,
          occurred_at: iso(created + 1_000_000),
          data: {
            order_id: order.order_id,
            customer_id: order.customer_id,
            customer_name: `Customer ${order.customer_id}`,
            total_amount: (order.total_cents / 100).toFixed(2),
            status: order.status,
            created_at: iso(created),
            completed_at: iso(created + 1_000_000),
          },
        });
        batch.push({ topic, key: order.customer_id, value });
        if (j % 100 === 50) batch.push({ topic, key: order.customer_id, value }); // delivered twice
      }
      await producer.send({ messages: batch });
    }
  } finally {
    await producer.close();
  }
  return orders;
}

async function peakRss(pid: number, until: Promise<unknown>): Promise<number> {
  let peak = 0;
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, rss);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Math.round(peak / 1024);
}

export async function run(args: string[]) {
  const sizes = [0, ...stringOption(args, "orders", "10000,1000000").split(",").map(Number)];
  const dataDir = join(BENCH_DATA, "flink-audit-kafka");
  await rm(dataDir, { recursive: true, force: true });
  const kafka = await startKafka({ dataDir, port: BENCH_PORTS.kafkaPort, controllerPort: BENCH_PORTS.kafkaControllerPort, partitions: 6, heapMb: 512 });
  const runs = [];
  try {
    for (const size of sizes) {
      const topic = `audit-bench-${size}-${Date.now()}`;
      await ensureTopics({ brokers: [kafka.brokers], clientId: "flink-audit-bench", topicPrefix: "" }, [topic], 6);
      const producedAt = Date.now();
      const orders = await produce(kafka.brokers, topic, size);
      const produceSeconds = (Date.now() - producedAt) / 1000;
      let pid = 0;
      let rss: Promise<number> = Promise.resolve(0);
      const began = Date.now();
      const audit = runFlinkAudit({
        bootstrapServers: kafka.brokers,
        topic,
        start: iso(WINDOW_START * 1000),
        end: iso((WINDOW_START + WINDOW_MS) * 1000),
        ...POLICY,
        onStart: (p) => {
          pid = p;
        },
      });
      await new Promise((r) => setTimeout(r, 50));
      if (pid) rss = peakRss(pid, audit);
      const result = await audit;
      const wall = (Date.now() - began) / 1000;
      const expected = expectedWinners(orders);
      const entry = {
        completed_orders: size,
        records_in_topic: size + Math.floor((size + 49) / 100),
        produce_seconds: produceSeconds,
        audit_wall_seconds: wall,
        job_seconds: result.seconds,
        peak_rss_mib: await rss,
        records_read: result.records_read,
        winners: result.winners.length,
        winners_equal_rule: JSON.stringify(result.winners.map((w) => w.customer_id)) === JSON.stringify(expected),
      };
      console.log(JSON.stringify(entry));
      runs.push(entry);
    }
  } finally {
    await kafka.stop();
  }
  const report = { scenario: "flink-audit", at: new Date().toISOString(), command: `npm run bench -- flink-audit --orders=${sizes.slice(1).join(",")}`, machine: machine(), java_heap_mb: 768, parallelism: 2, runs };
  await writeFile(join(ROOT, "bench", "results", "flink-audit-latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    "# Flink auditor: cost on this machine",
    "",
    `\`${report.command}\` on ${report.machine.nproc} cores (${report.machine.cpu}), commit ${report.machine.commit}, ${report.at}. One Kafka broker (6 partitions), Java heap ${report.java_heap_mb} MB, parallelism 2.`,
    "",
    "| completed orders | records read | audit wall time (s) | of which the job (s) | peak RSS of the JVM (MiB) | winners = rule computed in TypeScript |",
    "|---:|---:|---:|---:|---:|---|",
    ...runs.map((r) => `| ${r.completed_orders.toLocaleString("en")} | ${r.records_read.toLocaleString("en")} | ${r.audit_wall_seconds.toFixed(1)} | ${r.job_seconds.toFixed(1)} | ${r.peak_rss_mib} | ${r.winners_equal_rule ? "yes" : "**no**"} |`),
    "",
    "The 0-order row is the fixed cost: JVM start, the embedded MiniCluster and the SQL planner.",
    "",
  ].join("\n");
  await writeFile(join(ROOT, "bench", "results", "flink-audit-latest.md"), md);
  if (runs.some((r) => !r.winners_equal_rule)) process.exitCode = 1;
}
