// admin: search latency on tables of 1,000,000 orders and 1,000,000 payments, for every sort and
// filter the portal offers, deep pages included, measured over HTTP through the services.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "@spgroup/infra";
import { AdminAuth, loadPlatformConfig, loadShardMap, logicalShardOf } from "@spgroup/platform";
import pg from "pg";
import { Pool } from "undici";
import { numberOption } from "../lib/args.ts";
import { machine } from "../lib/machine.ts";
import { startBenchStack } from "../lib/stack.ts";
import { summary } from "../lib/stats.ts";

const ROWS = Number(process.env.BENCH_ADMIN_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_ADMIN_RUNS ?? 10);

// Rows spread over 30 days, 20,000 customers, amounts 1.00..999.99, 90% SUCCESS.
const SEED_ORDERS = `
INSERT INTO orders (id, status, total_amount, customer_id, customer_name, created_at, updated_at)
SELECT 'B' || lpad(i::text, 9, '0'),
       (CASE WHEN i % 10 = 0 THEN 'FAILED' WHEN i % 997 = 0 THEN 'PROCESSING' ELSE 'SUCCESS' END)::order_status,
       ((i::bigint * 7919) % 99900 + 100) / 100.0,
       'cust-' || (i % 20000), 'Customer ' || (i % 20000),
       now() - interval '30 days' + i * (interval '30 days' / $1),
       now() - interval '30 days' + i * (interval '30 days' / $1) + interval '50 milliseconds'
FROM generate_series(1, $1) AS i
WHERE (i % 20000) = ANY($2::int[])`;
const SEED_PAYMENTS = `
INSERT INTO payments (id, order_id, status, total_amount, customer_id, created_at, updated_at)
SELECT 'P' || lpad(i::text, 9, '0'), 'B' || lpad(i::text, 9, '0'),
       (CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'SUCCESS' END)::payment_status,
       ((i::bigint * 7919) % 99900 + 100) / 100.0, 'cust-' || (i % 20000),
       now() - interval '30 days' + i * (interval '30 days' / $1) + interval '20 milliseconds',
       now() - interval '30 days' + i * (interval '30 days' / $1) + interval '20 milliseconds'
FROM generate_series(1, $1) AS i
WHERE (i % 20000) = ANY($2::int[])`;

export async function run(args: string[]) {
  // --shards=4: four order and four payment databases (one PostgreSQL server each); every row is
  // seeded into its customer's shard, as the services would have written it.
  const shards = numberOption(args, "shards", 1);
  const stack = await startBenchStack({}, { shards });
  const http = new Pool(stack.orderUrl, { connections: 4 });
  const paymentsHttp = new Pool("http://127.0.0.1:18081", { connections: 4 });
  try {
    console.log(`seeding ${ROWS.toLocaleString()} orders and payments…`);
    const seedStart = performance.now();
    const targets = [
      ...databasesOf(stack.env, "ORDER", stack.orderDbUrl).map((d) => ({ ...d, sql: SEED_ORDERS, table: "orders" })),
      ...databasesOf(stack.env, "PAYMENT", stack.paymentDbUrl).map((d) => ({ ...d, sql: SEED_PAYMENTS, table: "payments" })),
    ];
    await Promise.all(
      targets.map(async ({ url, customers, sql, table }) => {
        const db = new pg.Client({ connectionString: url });
        db.on("error", () => {}); // a failed query is thrown below; the stack's shutdown must not crash us
        await db.connect();
        try {
          await db.query(sql, [ROWS, customers]);
          await db.query(`VACUUM ANALYZE ${table}`);
        } finally {
          await db.end();
        }
      }),
    );
    console.log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const config = loadPlatformConfig("bench", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" });
    const token = (await new AdminAuth(config.admin).issue("bench")).token;
    const lastPage = Math.ceil(ROWS / 20);
    const from = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const to = new Date(Date.now() - 9 * 86_400_000).toISOString();
    const cases: [name: string, client: Pool, path: string][] = [];
    for (const [entity, client] of [["orders", http], ["payments", paymentsHttp]] as const) {
      const base = `/api/admin/v1/${entity}/search`;
      const sorts = entity === "orders" ? ["-created_at", "created_at", "total_amount", "-total_amount", "customer_id", "status", "-updated_at", "id"] : ["-created_at", "total_amount", "-total_amount", "customer_id", "order_id", "status", "id"];
      for (const sort of sorts) {
        cases.push([`${entity} sort=${sort}`, client, `${base}?sort=${sort}`]);
        cases.push([`${entity} sort=${sort} last page`, client, `${base}?sort=${sort}&page=${lastPage}`]);
      }
      cases.push([`${entity} page 1000`, client, `${base}?page=1000`]);
      cases.push([`${entity} last page (${lastPage})`, client, `${base}?page=${lastPage}`]);
      cases.push([`${entity} status=FAILED`, client, `${base}?status=FAILED`]);
      cases.push([`${entity} status=FAILED page 500 by -amount`, client, `${base}?status=FAILED&page=500&sort=-total_amount`]);
      cases.push([`${entity} customer`, client, `${base}?customer_id=cust-4242`]);
      cases.push([`${entity} order id`, client, `${base}?order_id=B000500000`]);
      cases.push([`${entity} one day`, client, `${base}?created_from=${from}&created_to=${to}`]);
      cases.push([`${entity} amount 200..300`, client, `${base}?min_amount=200&max_amount=300&sort=total_amount`]);
      cases.push([`${entity} day + amount + status`, client, `${base}?created_from=${from}&created_to=${to}&min_amount=500&status=SUCCESS&sort=-total_amount`]);
    }
    const queries: { name: string; p50_ms: number; p95_ms: number; total: number }[] = [];
    for (const [name, client, path] of cases) {
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const response = await client.request({ method: "GET", path, headers: { authorization: `Bearer ${token}` } });
        const body = (await response.body.json()) as { metadata?: { total: number } };
        if (response.statusCode !== 200) throw new Error(`${name}: HTTP ${response.statusCode} ${JSON.stringify(body)}`);
        times.push(performance.now() - t0);
        total = body.metadata?.total ?? 0;
      }
      const s = summary(times);
      queries.push({ name, p50_ms: s.p50, p95_ms: s.p95, total });
      console.log(`${name.padEnd(48)} p50 ${String(s.p50).padStart(8)} ms  p95 ${String(s.p95).padStart(8)} ms  (${total.toLocaleString()} matching)`);
    }
    const result = {
      scenario: "admin",
      at: new Date().toISOString(),
      command: `npm run bench -- admin${shards > 1 ? ` --shards=${shards}` : ""}`,
      shards,
      machine: machine(),
      rows: ROWS,
      runs_per_query: RUNS,
      queries,
      worst_p95_ms: Math.max(...queries.map((q) => q.p95_ms)),
    };
    const name = shards > 1 ? `admin-${shards}-shards-latest` : "admin-latest";
    await writeFile(join(ROOT, "bench", "results", `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const table = queries.map((q) => `| ${q.name} | ${q.p50_ms} | ${q.p95_ms} | ${q.total} |`).join("\n");
    await writeFile(
      join(ROOT, "bench", "results", `${name}.md`),
      `# Admin search benchmark (${result.at})\n\nCommand: \`${result.command}\`. ${ROWS.toLocaleString()} orders and ${ROWS.toLocaleString()} payments${shards > 1 ? `, spread by customer over ${shards} order and ${shards} payment databases (one PostgreSQL server per shard; search merges them, decision 014)` : ""}; each query ${RUNS} times over HTTP through the service (page size 20, exact total count included). Machine: ${result.machine.nproc} cores, ${result.machine.memory_gib} GiB, ${result.machine.node}; commit ${result.machine.commit}.\n\n| query | p50 ms | p95 ms | matching rows |\n|---|---|---|---|\n${table}\n\nWorst p95: **${result.worst_p95_ms} ms**.\n`,
    );
  } finally {
    await http.close();
    await paymentsHttp.close();
    await stack.stop();
  }
}

/** Each database of a service in the stack's environment, with the customer numbers (cust-N) it holds. */
function databasesOf(env: Record<string, string>, prefix: string, single: string): { url: string; customers: number[] }[] {
  const map = loadShardMap(env, prefix, { name: "single", url: single });
  return map.databases.map((database, k) => ({
    url: database.url,
    customers: Array.from({ length: 20_000 }, (_, n) => n).filter((n) => map.owner[logicalShardOf(`cust-${n}`, map.logicalShards)] === k),
  }));
}
