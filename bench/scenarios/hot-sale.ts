// hot-sale: many customers hold keep-alive connections to the order service and place orders with
// think time at an aggregate rate, during an active campaign; the whole pipeline is then measured
// from the databases. Several load-generator processes and order-service processes (sharing one
// port) are used because this sandbox caps every process at 20,000 open files.
import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "@spgroup/infra";
import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";
import pg from "pg";
import { lineChartSvg } from "../lib/chart.ts";
import { summariseProfiles } from "../lib/cpu-profile.ts";
import { measureCeilings } from "../lib/ceilings.ts";
import { machine } from "../lib/machine.ts";
import { pidFromFile, processTree, ResourceSampler } from "../lib/resources.ts";
import { BENCH_DATA, shardPools, startBenchStack } from "../lib/stack.ts";
import { summary } from "../lib/stats.ts";
import { numberOption, stringOption } from "../lib/args.ts";

interface WorkerReport {
  connections_opened: number;
  connections_open_at_end: number;
  accepted: number;
  errors: number;
  error_statuses: Record<string, number>;
  skipped_busy: number;
  latencies: number[];
  series: { second: number; sent: number; accepted: number; errors: number; p99: number }[];
}

export async function run(args: string[]) {
  const connections = numberOption(args, "connections", 100_000);
  const rate = numberOption(args, "rate", 200);
  const seconds = numberOption(args, "seconds", 300);
  const workers = numberOption(args, "workers", Math.max(1, Math.ceil(connections / 17_000)));
  const orderInstances = numberOption(args, "order-instances", workers);
  // --order-workers=N (default 1): the order instances holding the connections are edges
  // (ORDER_ROLE=edge), and N more order-service processes on ports of their own do the relay,
  // consumer and sweeps; --order-workers=0 is the earlier layout, every instance doing everything.
  const orderWorkers = numberOption(args, "order-workers", 1);
  // --shards=N: N order and N payment databases, one PostgreSQL server each (SHARDS=N npm start).
  const shards = numberOption(args, "shards", 1);
  const name = stringOption(args, "name", shards > 1 ? `hot-sale-${shards}-shards` : "hot-sale");
  const sources = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
  console.log(`${name}: ${connections} connections over ${workers} generator processes to ${orderInstances} order-service processes${orderWorkers > 0 ? ` (edges; ${orderWorkers} more for the background work)` : ""}; ${rate} orders/s for ${seconds} s`);

  // --profile: every service process runs under the V8 CPU profiler; a report says where their CPU went.
  const profile = args.includes("--profile");
  const profileDir = join(ROOT, ".data", "bench-profiles");
  if (profile) await rm(profileDir, { recursive: true, force: true });
  const stack = await startBenchStack(
    {
      HTTP_KEEP_ALIVE_TIMEOUT_MS: "3600000",
      PAYMENT_LATENCY_MS: "5",
      DATABASE_POOL_SIZE: "12",
      ORDER_PAYMENT_TIMEOUT_MS: "120000",
      OUTBOX_RELAY_IDLE_POLL_MS: "20",
      ...(profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    },
    { orderInstances, workerInstances: orderWorkers, campaign: true, shards },
  );
  try {
    const config = loadPlatformConfig("bench", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" });
    const token = (await new AdminAuth(config.admin).issue("bench")).token;
    const created = await fetch(`${stack.campaignUrl}/api/admin/v1/campaigns/iphones`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Bench hot sale", start_time: new Date().toISOString(), end_time: new Date(Date.now() + 3 * 3_600_000).toISOString() }),
    });
    if (created.status !== 201) throw new Error(`campaign not created: ${created.status}`);

    const generators = Array.from({ length: workers }, (_, worker) => {
      const share = Math.floor(connections / workers) + (worker < connections % workers ? 1 : 0);
      const child = spawn(process.execPath, [join(ROOT, "bench/load/hold-connections.ts"), JSON.stringify({
        host: "127.0.0.1", port: 18080, connections: share, sources, connectPerSecond: 1_500, ordersPerSecond: rate / workers, seconds, worker,
      })], { stdio: ["pipe", "pipe", "inherit"] });
      const messages: Record<string, unknown>[] = [];
      const waiters: (() => void)[] = [];
      createInterface({ input: child.stdout }).on("line", (line) => {
        try {
          messages.push(JSON.parse(line));
        } catch {
          // A broken line must not kill the orchestrator before it has stopped the stack.
          messages.push({ type: "garbled", line: line.slice(0, 200) });
          console.error(`generator ${worker}: unreadable line`);
        }
        for (const w of waiters.splice(0)) w();
      });
      let exited = false;
      // "close", not "exit": the last lines of stdout may still be unread when the process exits.
      child.on("close", () => {
        exited = true;
        for (const w of waiters.splice(0)) w();
      });
      const next = async (type: string) => {
        for (;;) {
          const found = messages.find((m) => m.type === type);
          if (found) return found;
          if (exited) throw new Error(`generator ${worker} exited without a ${type} message`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      };
      return { child, next };
    });
    const connected = await Promise.all(generators.map((g) => g.next("connected")));
    const held = connected.reduce((sum, m) => sum + Number(m.open), 0);
    console.log(`${held} connections open; measuring…`);

    // The main PostgreSQL server (shard 0 and the campaign) and each further shard's.
    const postmasters = await Promise.all(
      ["postgres", ...Array.from({ length: shards - 1 }, (_, i) => `postgres-shard-${i + 1}`)].map((dir) => pidFromFile(join(BENCH_DATA, dir, "postmaster.pid"))),
    );
    const broker = await pidFromFile(join(BENCH_DATA, "kafka", "broker.pid"));
    const sampler = new ResourceSampler({
      "order-service (all instances)": async () => stack.services.filter((s) => s.name === "order").map((s) => s.child.pid ?? 0),
      "payment-service": async () => stack.services.filter((s) => s.name === "payment").map((s) => s.child.pid ?? 0),
      "campaign-service": async () => stack.services.filter((s) => s.name === "campaign").map((s) => s.child.pid ?? 0),
      [shards > 1 ? `postgresql (${shards} servers)` : "postgresql"]: async () => (await Promise.all(postmasters.map((pid) => (pid ? processTree(pid) : [])))).flat(),
      kafka: async () => (broker ? [broker] : []),
      "load generators": async () => generators.map((g) => g.child.pid ?? 0),
    });
    sampler.start();
    const runStart = Date.now();
    for (const g of generators) g.child.stdin.write("GO\n");
    const reports = (await Promise.all(generators.map((g) => g.next("report")))) as unknown as WorkerReport[];
    const sendSeconds = (Date.now() - runStart) / 1000;
    const resources = sampler.stop();

    // Drain: every accepted order terminal and counted by the campaign service.
    const orderDb = shardPools(stack.orderDbUrls);
    const paymentDb = shardPools(stack.paymentDbUrls);
    const campaignDb = new pg.Pool({ connectionString: stack.campaignDbUrl, max: 2 });
    const accepted = reports.reduce((s, r) => s + r.accepted, 0);
    const drainDeadline = Date.now() + 180_000;
    for (;;) {
      const terminal = await orderDb.sum("SELECT count(*)::int AS n FROM orders WHERE status IN ('SUCCESS','FAILED')");
      const counted = (await campaignDb.query("SELECT count(*)::int AS n FROM orders")).rows[0].n;
      if ((terminal >= accepted && counted >= terminal) || Date.now() > drainDeadline) break;
      await sleep(500);
    }

    const terminal = await orderDb.sum("SELECT count(*)::int AS n FROM orders WHERE status IN ('SUCCESS','FAILED')");
    const stored = await orderDb.sum("SELECT count(*)::int AS n FROM orders");
    const bounds = await orderDb.rows("SELECT extract(epoch FROM min(created_at))::float AS first, extract(epoch FROM max(updated_at))::float AS last FROM orders");
    const span = Math.max(...bounds.map((b) => b.last ?? 0)) - Math.min(...bounds.map((b) => b.first ?? Number.POSITIVE_INFINITY));
    const e2e = (await orderDb.rows("SELECT extract(epoch FROM updated_at - created_at)::float * 1000 AS ms FROM orders WHERE status IN ('SUCCESS','FAILED')")).map((r) => r.ms);
    const lag = (await campaignDb.query("SELECT extract(epoch FROM ingested_at - updated_at)::float * 1000 AS ms FROM orders")).rows.map((r) => Math.max(0, r.ms));
    // A customer's payments are all in her shard: distinct orders per database add up.
    const paymentRows = await paymentDb.rows("SELECT count(*)::int AS n, count(DISTINCT order_id)::int AS d FROM payments");
    const payments = { n: paymentRows.reduce((t, r) => t + r.n, 0), d: paymentRows.reduce((t, r) => t + r.d, 0) };
    await Promise.all([orderDb.end(), paymentDb.end(), campaignDb.end()]);

    const post = summary(reports.flatMap((r) => r.latencies));
    const e2eSummary = summary(e2e);
    const result = {
      scenario: name,
      at: new Date().toISOString(),
      command: `npm run bench -- hot-sale --connections=${connections} --rate=${rate} --seconds=${seconds}${shards > 1 ? ` --shards=${shards}` : ""}${name === (shards > 1 ? `hot-sale-${shards}-shards` : "hot-sale") ? "" : ` --name=${name}`}`,
      shards,
      machine: machine(),
      configuration: { connections, rate_per_s: rate, seconds, generator_processes: workers, order_service_processes: orderInstances, order_worker_processes: orderWorkers, source_addresses: sources, payment_latency_ms: 5, kafka_partitions: 6, fd_limit_per_process: 20_000 },
      concurrent_connections: reports.reduce((s, r) => s + r.connections_open_at_end, 0),
      connections_opened: held,
      orders_accepted: accepted,
      http_errors: reports.reduce((s, r) => s + r.errors, 0),
      http_error_statuses: reports.reduce<Record<string, number>>((all, r) => {
        for (const [status, n] of Object.entries(r.error_statuses)) all[status] = (all[status] ?? 0) + n;
        return all;
      }, {}),
      orders_per_min_accepted: Math.round((accepted / sendSeconds) * 60),
      orders_per_min_end_to_end: Math.round((terminal / span) * 60),
      post_latency_ms: post,
      end_to_end_latency_ms: { p50: e2eSummary.p50, p99: e2eSummary.p99 },
      standings_lag_ms: { p99: summary(lag).p99 },
      lost_orders: accepted - terminal,
      orders_stored: stored,
      duplicated_payments: payments.n - payments.d,
      payments: payments.n,
      resources,
      ceilings: await measureCeilings({ ...stack, orderDbUrl: stack.orderDbUrls[0] as string }, terminal / span),
    };
    console.log(JSON.stringify({ ...result, resources: undefined }, null, 2));
    const merged = new Map<number, { a: number; b: number }>();
    for (const r of reports) for (const s of r.series) {
      const m = merged.get(s.second) ?? { a: 0, b: 0 };
      merged.set(s.second, { a: m.a + s.accepted, b: Math.max(m.b, s.p99) });
    }
    const points = [...merged.entries()].sort(([a], [b]) => a - b).map(([x, v]) => ({ x, a: v.a * 60, b: v.b }));
    await writeFile(join(ROOT, "bench", "results", `${name}-latest.json`), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(join(ROOT, "bench", "results", `${name}-latest.svg`), lineChartSvg(`${name}: accepted orders/min (blue) and POST p99 ms (red) per second`, points, { a: "orders/min", b: "p99 ms", x: "second" }));
    await writeFile(join(ROOT, "bench", "results", `${name}-latest.md`), report(result, name));
  } finally {
    await stack.stop();
  }
  if (profile) {
    const summary = await summariseProfiles(profileDir);
    const table = (rows: { name: string; share: number }[]) => rows.map((r) => `| ${r.name} | ${r.share}% |`).join("\n");
    await writeFile(
      join(ROOT, "bench", "results", `${name}-profile-latest.md`),
      `# Where the services' CPU goes under the hot sale (${new Date().toISOString()})\n\nCommand: \`npm run bench -- hot-sale ${args.join(" ")}\`; every service process (${orderInstances + orderWorkers} order, payment, campaign) ran under \`--cpu-prof\`. Self time over ${summary.total_cpu_s} s of profiled time (all processes, idle included).\n\n| package | share |\n|---|---|\n${table(summary.by_package)}\n\n| function | share |\n|---|---|\n${table(summary.by_function)}\n`,
    );
  }
}

interface Report {
  at: string;
  command: string;
  shards: number;
  machine: object;
  configuration: { order_service_processes: number; order_worker_processes?: number; generator_processes: number; source_addresses: string[]; fd_limit_per_process: number };
  concurrent_connections: number;
  connections_opened: number;
  orders_accepted: number;
  http_errors: number;
  http_error_statuses: Record<string, number>;
  orders_per_min_accepted: number;
  orders_per_min_end_to_end: number;
  lost_orders: number;
  duplicated_payments: number;
  post_latency_ms: object;
  end_to_end_latency_ms: object;
  standings_lag_ms: object;
  resources: Record<string, { cpu_percent_avg: number; cpu_percent_max: number; pss_mb_max: number }>;
  ceilings: { summary: string };
}

function report(r: Report, name: string): string {
  const rows = (o: object) => Object.entries(o).map(([k, v]) => `| ${k} | ${typeof v === "object" ? JSON.stringify(v) : v} |`).join("\n");
  return `# ${name} benchmark (${r.at})

Command: \`${r.command}\`. One 2-core machine runs everything: Kafka (KRaft), PostgreSQL 18${r.shards > 1 ? ` (${r.shards} servers: the order and payment databases sharded by customer, one shard per server)` : ""}, ${r.configuration.order_service_processes} order-service processes sharing one port (SO_REUSEPORT)${r.configuration.order_worker_processes ? ` that only take orders (ORDER_ROLE=edge), ${r.configuration.order_worker_processes} more order-service process(es) on a port of their own for the outbox relay, payment-result consumer and sweeps (ORDER_ROLE=all)` : ""}, the payment and campaign services, and ${r.configuration.generator_processes} load-generator processes holding the connections (spread over ${r.configuration.source_addresses.length} loopback source addresses). An active campaign counts every order. Each process is capped at ${r.configuration.fd_limit_per_process} open files by this sandbox, hence several processes on each side.

![throughput and latency](${name}-latest.svg)

| result | |
|---|---|
| concurrent connections held to the end | **${r.concurrent_connections}** (opened ${r.connections_opened}) |
| orders accepted | ${r.orders_accepted} (refused: ${r.http_errors} ${JSON.stringify(r.http_error_statuses)}; status 0 = connection closed) |
| orders per minute accepted | **${r.orders_per_min_accepted}** |
| orders per minute end to end (accepted → paid → SUCCESS/FAILED) | **${r.orders_per_min_end_to_end}** |
| lost orders | **${r.lost_orders}** |
| duplicated payments | **${r.duplicated_payments}** |
| POST latency ms | ${JSON.stringify(r.post_latency_ms)} |
| end-to-end latency ms (insert → terminal, database clock) | ${JSON.stringify(r.end_to_end_latency_ms)} |
| standings lag ms (completion → counted by the campaign) | ${JSON.stringify(r.standings_lag_ms)} |

## Machine

| | |
|---|---|
${rows(r.machine)}

## Resources per process group (while the load ran; 200% = both cores)

| process | CPU % of one core (avg / max over 2 s samples) | peak memory MB (PSS) |
|---|---|---|
${Object.entries(r.resources).map(([k, v]) => `| ${k} | ${v.cpu_percent_avg} / ${v.cpu_percent_max} | ${v.pss_mb_max} |`).join("\n")}

## Ceilings on the same machine

${r.ceilings.summary}
`;
}
