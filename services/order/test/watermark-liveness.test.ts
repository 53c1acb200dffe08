import { type IncomingMessage, request } from "node:http";
import { Admin, Consumer, stringDeserializers } from "@platformatic/kafka";
import { TOPICS } from "@spgroup/contracts";
import { createPool } from "@spgroup/platform";
import { eventually, type recordTopic, type testPool } from "@spgroup/infra/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { ADMIN_READ_APPLICATION_NAME, limitIdleTransactions, oldestOpenTransactionStart, seesAllSessions } from "../src/db/watermark.ts";
import { startIsolatedOrderService } from "./support.ts";

describe("watermark liveness", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let db: ReturnType<typeof testPool>;
  let completed: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"), { ORDER_IDLE_IN_TRANSACTION_TIMEOUT_MS: "1500", ORDER_WATERMARK_INTERVAL_MS: "100" });
    db = harness.db;
    completed = await harness.record(TOPICS.ordersCompleted);
  });
  afterAll(async () => {
    await harness.stop();
  });

  /** Whether a published watermark has passed `instant` (as the campaign service would see it). */
  const watermarkPassed = (instant: string) =>
    completed.messages.some((m) => m.value.type === "OrdersWatermark" && (m.value.data as { watermark: string }).watermark > instant);

  it("takes the margin off the current time when no transaction is open", async () => {
    const before = (await db.query<{ t: string }>("SELECT clock_timestamp() AS t")).rows[0]?.t as string;
    const x = await oldestOpenTransactionStart(db, 5_000);
    const after = (await db.query<{ t: string }>("SELECT clock_timestamp() AS t")).rows[0]?.t as string;
    expect(Date.parse(x)).toBeLessThanOrEqual(Date.parse(after) - 5_000);
    expect(Date.parse(x)).toBeGreaterThanOrEqual(Date.parse(before) - 5_000 - 1_000);
    expect(await seesAllSessions(db)).toBe(true);
  });

  it("sets the idle-transaction limit from many instances starting at once (it crashed all but one)", async () => {
    // Before: concurrent ALTER DATABASE … SET on one row failed with "tuple concurrently updated".
    const pools = Array.from({ length: 8 }, () => createPool(harness.env.ORDER_DATABASE_URL as string, 1, "starting-instance"));
    try {
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled(pools.map((pool) => limitIdleTransactions(pool, 1_500)));
        expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      }
      const { rows } = await db.query<{ setconfig: string[] }>(
        "SELECT setconfig FROM pg_db_role_setting WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      expect(rows[0]?.setconfig).toContain("idle_in_transaction_session_timeout=1500ms");
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it("is held by an idle open transaction only until the database ends it", async () => {
    const idle = new pg.Client({ connectionString: harness.env.ORDER_DATABASE_URL, application_name: "operator-psql" });
    const ended = new Promise<Error>((resolve) => idle.on("error", resolve));
    await idle.connect();
    await idle.query("BEGIN");
    const started = (await idle.query<{ t: string }>("SELECT now() AS t")).rows[0]?.t as string;
    // While it is open, step 1 cannot pass its start, though the margin has gone by.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Date.parse(await oldestOpenTransactionStart(db))).toBeLessThanOrEqual(Date.parse(started));
    // The operators' console names it as what holds the watermark.
    await eventually(async () => {
      const view = await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/ops/awaiting-payment", headers: harness.adminHeaders });
      expect(view.statusCode).toBe(200);
      const since = view.json().data.shards[0].open_transaction_since;
      return since !== null && Date.parse(since) <= Date.parse(started) ? true : undefined;
    }, 5_000, "the open transaction named");
    // ORDER_IDLE_IN_TRANSACTION_TIMEOUT_MS (1.5 s) ends it, and the watermark moves on past it.
    expect(String(await ended)).toMatch(/idle-in-transaction timeout|terminat/i);
    await eventually(async () => (watermarkPassed(started) ? true : undefined), 15_000, "a watermark past the idle transaction");
    await idle.end().catch(() => {});
  });

  it("is not held by a stalled CSV export, which runs on the read-only admin pool", async () => {
    // Enough rows that the export stalls on the unread socket with its cursor open.
    await db.query(
      `INSERT INTO orders (id, status, total_amount, customer_id, customer_name)
       SELECT 'W' || g, 'SUCCESS', 10, 'cust-wm-' || (g % 50), 'Export Row ' || g FROM generate_series(1, 60000) g`,
    );
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: harness.service.port, path: "/api/admin/v1/orders/export.csv", headers: harness.adminHeaders }, resolve);
      req.on("error", reject);
      req.end();
    });
    try {
      expect(response.statusCode).toBe(200);
      response.pause();
      const exporting = await eventually(async () => {
        const { rows } = await db.query<{ xact_start: string }>(
          "SELECT xact_start FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND xact_start IS NOT NULL",
          [ADMIN_READ_APPLICATION_NAME],
        );
        return rows[0]?.xact_start;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // The export's transaction is still open, yet step 1 and the published watermark pass it.
      const { rows } = await db.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND xact_start = $2", [ADMIN_READ_APPLICATION_NAME, exporting]);
      expect(rows).toHaveLength(1);
      expect(await oldestOpenTransactionStart(db)).not.toBe(exporting);
      expect(Date.parse(await oldestOpenTransactionStart(db))).toBeGreaterThan(Date.parse(exporting));
      await eventually(async () => (watermarkPassed(exporting) ? true : undefined), 15_000, "a watermark past the export's start");
    } finally {
      response.destroy();
    }
  });

  it("gives the admin read pool sessions that cannot write", async () => {
    const reads = createPool(harness.env.ORDER_DATABASE_URL as string, 1, ADMIN_READ_APPLICATION_NAME, { readOnly: true, statementTimeoutMs: 60_000 });
    try {
      await expect(reads.query("INSERT INTO orders (id, total_amount, customer_id, customer_name) VALUES ('Wro', 1, 'c', 'n')")).rejects.toThrow(/read-only transaction/);
    } finally {
      await reads.end();
    }
  });
  it("publishes watermarks to partitions added to orders.completed while it runs (no restart)", async () => {
    const topic = `${harness.topicPrefix}${TOPICS.ordersCompleted}`;
    const admin = new Admin({ clientId: "watermark-test-admin", bootstrapBrokers: [inject("infra").kafkaBrokers] });
    try {
      await admin.createPartitions({ topics: [{ name: topic, count: 6 }] });
    } finally {
      await admin.close();
    }
    // Only watermarks are published in this file, to every partition: records on partition 5
    // (its log end past 0) are watermarks the service sent there after it grew.
    const reader = new Consumer({ clientId: "watermark-test-offsets", groupId: `watermark-test-${Date.now()}`, bootstrapBrokers: [inject("infra").kafkaBrokers], deserializers: stringDeserializers });
    try {
      await eventually(
        async () => {
          const ends = await reader.listOffsets({ topics: [topic] });
          return (ends.get(topic)?.[5] ?? 0n) > 0n ? true : undefined;
        },
        60_000,
        "a watermark on partition 5, added while the service ran",
      );
    } finally {
      await reader.close(true);
    }
  });
});
