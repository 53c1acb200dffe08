// The platform on several order and payment databases (shards by customer), with real processes,
// Kafka and PostgreSQL: a customer is never split, admin search and export see one table, and the
// campaign's FINAL winners are exactly the reference rule's over every shard's orders, also when
// one shard is slow to publish watermarks or down for a while.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { ROOT, shardEnv, startPostgres } from "@spgroup/infra";
import { databaseUrl } from "@spgroup/infra/local-stack";
import { customerHeaders, eventually, recordTopic, testPool } from "@spgroup/infra/testing";
import { AdminAuth, loadPlatformConfig, loadShardMap, logicalShardOf, logicalShardOfId, partitionOfKey } from "@spgroup/platform";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SEED_RULE_SQL } from "../services/campaign/test/support/harness.ts";
import { getPort } from "./support/ports.ts";
import { startProcessStack } from "./support/stack.ts";

type Winners = { state: string; winners: { customer_id: string }[] };
type CampaignBody = { id: number; start_time: string; end_time: string; finality: { waiting_for: string[]; watermarks: { behind: { source: string }[] } } };

describe.each([2, 4])("%i shards by customer", (shardCount) => {
  const tag = randomBytes(3).toString("hex");
  let stack: Awaited<ReturnType<typeof startProcessStack>>;
  let campaignUrl: string;
  let headers: Record<string, string>;
  let env: Record<string, string>;
  const orderDbs: pg.Pool[] = [];
  const paymentDbs: pg.Pool[] = [];
  // The last shard lives on a PostgreSQL server of its own, which this test stops and starts.
  let ownServer: Awaited<ReturnType<typeof startPostgres>> | undefined;
  const ownServerOptions = { dataDir: join(ROOT, ".data", "test", `shard-server-${tag}`), port: 0 };

  beforeAll(async () => {
    const infra = inject("infra");
    ownServerOptions.port = await getPort();
    ownServer = await startPostgres(ownServerOptions);
    const servers = [...Array.from({ length: shardCount - 1 }, () => infra.postgresUrl), ownServer.url("postgres")];
    env = { ...shardEnv(servers, `s${tag}_`), ORDER_WATERMARK_INTERVAL_MS: "200", PAYMENT_APPROVAL_RATIO: "0.8", PAYMENT_LATENCY_MS: "2" };
    stack = await startProcessStack(infra, env);
    campaignUrl = (await stack.spawn("campaign")).url;
    for (const [list, service] of [[orderDbs, "order"], [paymentDbs, "payment"]] as const) {
      for (const [k, server] of servers.entries()) list.push(testPool(databaseUrl(server, `s${tag}_${service}_${k}`)));
    }
    const auth = new AdminAuth(loadPlatformConfig("e2e", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" }, stack.env).admin);
    headers = { authorization: `Bearer ${(await auth.issue("e2e")).token}`, "content-type": "application/json" };
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([...orderDbs, ...paymentDbs].map((p) => p.end()));
    await ownServer?.stop();
  });

  const placeOrders = (customers: string[], amount: (i: number) => string, orderUrl?: string) =>
    Promise.all(
      customers.map(async (customer, i) => {
        const response = await fetch(`${orderUrl ?? stack.order.url}/api/v1/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(await customerHeaders(customer)) },
          body: JSON.stringify({ customer_id: customer, customer_name: `Fan ${customer}`, total_amount: amount(i) }),
        });
        return response.status;
      }),
    );
  const rowsOf = async (dbs: pg.Pool[], sql: string, params: unknown[] = []) => (await Promise.all(dbs.map((db) => db.query(sql, params)))).map((r) => r.rows);
  const campaignNow = async (): Promise<CampaignBody> => {
    const response = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones`, { headers });
    return ((await response.json()) as { data: CampaignBody }).data;
  };
  const winnersNow = async (): Promise<Winners> => ((await (await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/winners`, { headers })).json()) as { data: Winners }).data;

  it(
    "keeps each customer in one shard, searches all shards as one table, and makes FINAL exactly the rule's winners",
    async () => {
      const placedTopic = recordTopic(inject("infra").kafkaBrokers, `${stack.topicPrefix}orders.placed`);
      const created = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: `Sharded ${shardCount}`, start_time: new Date(Date.now() - 1_000).toISOString(), end_time: new Date(Date.now() + 3_600_000).toISOString(), total_reward: 8, max_tracked_orders: 20, min_order_amount: "200.00" }),
      });
      expect(created.status).toBe(201);
      const customers = Array.from({ length: 48 }, (_, c) => (c % 9 === 0 ? `DECLINE-${tag}-${c}` : `fan-${tag}-${c}`));
      const amounts = ["150.00", "200.00", "200.01", "350.00", "90.00", "500.00", "210.00"];
      for (let round = 0; round < 2; round++) expect(await placeOrders(customers, (i) => amounts[(i * 5 + round) % amounts.length] as string)).toEqual(customers.map(() => 202));

      // One shard slow to publish: an open transaction on the last order database holds its
      // watermark (step 1), so the campaign cannot become FINAL and says which shard it waits for.
      const slowShard = orderDbs.at(-1) as pg.Pool;
      const holder = await slowShard.connect();
      await holder.query("BEGIN");
      await holder.query("SELECT txid_current()");
      const closed = await fetch(`${campaignUrl}/api/admin/v1/campaigns/iphones/${((await created.json()) as { data: { id: number } }).data.id}`, {
        method: "PUT",
        headers,
        body: JSON.stringify({ end_time: new Date().toISOString() }),
      });
      expect(closed.status).toBe(200);
      const window = ((await closed.json()) as { data: CampaignBody }).data;
      const waiting = await eventually(async () => {
        const c = await campaignNow();
        const behind = c.finality.watermarks.behind.map((b) => b.source);
        return c.finality.waiting_for.includes("WATERMARKS") && behind.length === 1 ? behind : undefined;
      }, 30_000, "the campaign waiting for the slow shard only");
      expect(waiting).toEqual([`order_${shardCount - 1}`]);
      await new Promise((done) => setTimeout(done, 1_500));
      expect((await winnersNow()).state).not.toBe("FINAL");
      await holder.query("ROLLBACK");
      holder.release();

      const final = await eventually(async () => {
        const w = await winnersNow();
        return w.state === "FINAL" ? w : undefined;
      }, 40_000, "FINAL winners");

      // The reference rule over the union of every shard's orders, in one session.
      const all = (await rowsOf(orderDbs, "SELECT id, status::text AS status, total_amount, customer_id, created_at FROM orders")).flat();
      const scratch = await (orderDbs[0] as pg.Pool).connect();
      let expected: string[];
      try {
        await scratch.query("BEGIN");
        // A temporary table shadows the shard's own orders table in this session only.
        await scratch.query("CREATE TEMP TABLE orders (id text, status text, total_amount numeric, customer_id text, created_at timestamptz) ON COMMIT DROP");
        await scratch.query("INSERT INTO orders SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::timestamptz[])", [
          all.map((o) => o.id),
          all.map((o) => o.status),
          all.map((o) => o.total_amount),
          all.map((o) => o.customer_id),
          all.map((o) => o.created_at),
        ]);
        expected = (await scratch.query(SEED_RULE_SQL, [window.start_time, window.end_time, 20, "200.00", 8, "%"])).rows.map((r) => r.customer_id);
      } finally {
        await scratch.query("ROLLBACK");
        scratch.release();
      }
      expect(expected.length).toBeGreaterThan(0);
      expect(final.winners.map((w) => w.customer_id)).toEqual(expected);

      // Every shard holds orders, and each customer's orders and payments are in her shard only.
      const map = loadShardMap(stack.env, "ORDER", { name: "unused", url: "postgres://unused" });
      const orderRows = await rowsOf(orderDbs, "SELECT id, customer_id FROM orders");
      const paymentRows = await rowsOf(paymentDbs, "SELECT id, order_id, customer_id FROM payments");
      for (const [k, rows] of orderRows.entries()) {
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          expect(map.owner[logicalShardOf(row.customer_id, map.logicalShards)], row.customer_id).toBe(k);
          expect(logicalShardOfId(row.id)).toBe(logicalShardOf(row.customer_id, map.logicalShards));
        }
        expect(paymentRows[k]?.map((p) => p.order_id).sort()).toEqual(rows.map((o) => o.id).sort());
      }
      // Its events are keyed by customer on the partition the Java client would choose.
      const placed = await placedTopic;
      await eventually(async () => (placed.messages.length >= customers.length * 2 ? true : undefined), 20_000, "every OrderPlaced recorded");
      for (const m of placed.messages) expect(m.partition, m.key).toBe(partitionOfKey(m.key, 4));
      await placed.close();

      // Admin search, stats, export and the shard list over every shard, as one table.
      const ordered = all.map((o) => o.id);
      const page = await fetch(`${stack.order.url}/api/admin/v1/orders/search?sort=customer_id,-total_amount&size=7&page=3`, { headers });
      const body = (await page.json()) as { data: { id: string }[]; metadata: { total: number } };
      expect(body.metadata.total).toBe(ordered.length);
      const reference = (await (orderDbs[0] as pg.Pool).query(
        "SELECT id FROM unnest($1::text[], $2::text[], $3::numeric[]) AS t(id, customer_id, total_amount) ORDER BY customer_id, total_amount DESC, id DESC LIMIT 7 OFFSET 14",
        [all.map((o) => o.id), all.map((o) => o.customer_id), all.map((o) => o.total_amount)],
      )).rows.map((r) => r.id);
      expect(body.data.map((o) => o.id)).toEqual(reference);
      const csv = await (await fetch(`${stack.order.url}/api/admin/v1/orders/export.csv?sort=created_at`, { headers })).text();
      expect(csv.trim().split("\n")).toHaveLength(ordered.length + 1);
      const shards = (await (await fetch(`${stack.order.url}/api/admin/v1/ops/shards`, { headers })).json()) as { data: { shards: { database: string; rows: number }[] } };
      expect(shards.data.shards.map((s) => s.database)).toEqual(Array.from({ length: shardCount }, (_, k) => `order_${k}`));
      expect(shards.data.shards.reduce((sum, s) => sum + s.rows, 0)).toBe(ordered.length);
      const paymentShards = (await (await fetch(`${stack.payment.url}/api/admin/v1/payments/shards`, { headers })).json()) as typeof shards;
      expect(paymentShards.data.shards.map((s) => s.database)).toEqual(Array.from({ length: shardCount }, (_, k) => `payment_${k}`));
      expect(paymentShards.data.shards.reduce((sum, s) => sum + s.rows, 0)).toBe((await rowsOf(paymentDbs, "SELECT id FROM payments")).flat().length);
      const one = await fetch(`${stack.order.url}/api/v1/orders/${ordered[ordered.length - 1]}`, { headers });
      expect(one.status).toBe(200);
    },
    150_000,
  );

  it(
    "takes orders on the other shards while one is down, and pays them all once it is back",
    async () => {
      const down = orderDbs.length - 1;
      const map = loadShardMap(stack.env, "ORDER", { name: "unused", url: "postgres://unused" });
      const customers = Array.from({ length: 40 }, (_, c) => `later-${tag}-${c}`);
      const onDown = customers.filter((c) => map.owner[logicalShardOf(c, map.logicalShards)] === down);
      expect(onDown.length).toBeGreaterThan(0);
      // Orders of the shard that goes down, whose slow payer answers after it is gone: the payment
      // service then holds their events with nowhere to write them.
      const slow = Array.from({ length: 60 }, (_, c) => `SLOW-${tag}-${c}`).filter((c) => map.owner[logicalShardOf(c, map.logicalShards)] === down).slice(0, 3);
      expect(await placeOrders(slow, () => "250.00")).toEqual(slow.map(() => 202));
      await new Promise((done) => setTimeout(done, 500));
      await ownServer?.stop();
      const statuses = await placeOrders(customers, () => "250.00");
      // The down shard's customers are told to retry; nobody else notices.
      expect(statuses).toEqual(customers.map((c) => (onDown.includes(c) ? 503 : 202)));
      // The instance stays ready meanwhile, and the other shards' customers are served to the end:
      // their orders are paid and completed while the shard is still down (the consumers set the
      // down shard's events aside instead of waiting for it).
      expect((await fetch(`${stack.order.url}/ready`)).status).toBe(200);
      const served = customers.filter((c) => !onDown.includes(c));
      await eventually(
        async () => {
          const rows = (await rowsOf(orderDbs.slice(0, down), "SELECT status::text AS status FROM orders WHERE customer_id = ANY($1)", [served])).flat();
          return rows.length === served.length && rows.every((r) => r.status === "SUCCESS" || r.status === "FAILED") ? true : undefined;
        },
        30_000,
        "the other shards' orders settled while one shard is down",
      );
      // An order-service process started while the shard is down starts all the same, and serves
      // the other shards' customers at once.
      const late = await stack.spawn("order");
      const other = served[0] as string;
      const down1 = onDown[0] as string;
      expect(await placeOrders([other, down1], () => "120.00", late.url)).toEqual([202, 503]);
      ownServer = await startPostgres(ownServerOptions);
      // It brings the shard up once the server answers (its customers are then served by it too).
      await eventually(async () => ((await placeOrders([down1], () => "120.00", late.url))[0] === 202 ? true : undefined), 30_000, "the late process serving the shard once it is back");
      // Those customers retry (503 came with Retry-After) until their shard answers again.
      for (const customer of onDown) {
        await eventually(async () => ((await placeOrders([customer], () => "250.00"))[0] === 202 ? true : undefined), 30_000, `an order of ${customer} accepted`);
      }
      // Every accepted order is paid or declined (none lost, none failed by the timeout), in its shard.
      await eventually(
        async () => {
          // The two orders of 120.00 went through the late process: counted apart.
          const rows = (await rowsOf(orderDbs, "SELECT status::text AS status FROM orders WHERE customer_id LIKE $1", [`later-${tag}-%`])).flat();
          return rows.length === customers.length + 2 && rows.every((r) => r.status === "SUCCESS" || r.status === "FAILED") ? true : undefined;
        },
        40_000,
        "every later order settled",
      );
      const payments = (await rowsOf(paymentDbs, "SELECT count(*)::int AS n FROM payments WHERE customer_id LIKE $1", [`later-${tag}-%`])).flat();
      expect(payments.reduce((sum, r) => sum + r.n, 0)).toBe(customers.length + 2);
      // The slow payers' orders, held through the outage, are charged once and settled (the
      // simulated gateway declines some at random: PAYMENT_APPROVAL_RATIO).
      await eventually(
        async () => {
          const rows = (await rowsOf(orderDbs, "SELECT status::text AS status FROM orders WHERE customer_id = ANY($1)", [slow])).flat();
          return rows.length === slow.length && rows.every((r) => r.status === "SUCCESS" || r.status === "FAILED") ? true : undefined;
        },
        40_000,
        "the slow payers' orders settled",
      );
      const slowPayments = (await rowsOf(paymentDbs, "SELECT status::text AS status, decline_reason FROM payments WHERE customer_id = ANY($1)", [slow])).flat();
      expect(slowPayments).toHaveLength(slow.length);
      // Decided by the gateway, not by the deadline: the charge made before the outage is the one recorded.
      expect(slowPayments.filter((p) => p.decline_reason?.startsWith("not charged"))).toEqual([]);
    },
    120_000,
  );
});
