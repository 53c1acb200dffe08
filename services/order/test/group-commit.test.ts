import { TOPICS } from "@spgroup/contracts";
import { customerHeaders, eventually, type recordTopic } from "@spgroup/infra/testing";
import { isTransientDatabaseError } from "@spgroup/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createOrderWriter } from "../src/app/place-order.ts";
import type { PendingOrder } from "../src/db/orders.ts";
import { startIsolatedOrderService } from "./support.ts";

describe("group commit of placed orders", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let placed: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    // A wide window, so that a burst of concurrent POSTs certainly meets in batches.
    harness = await startIsolatedOrderService(inject("infra"), { ORDER_GROUP_COMMIT_WINDOW_MS: "50", ORDER_GROUP_COMMIT_WRITERS: "2" });
    placed = await harness.record(TOPICS.ordersPlaced);
  });
  afterAll(async () => {
    await harness.stop();
  });

  const post = async (customer: string, amount: string, key?: string) =>
    harness.service.app.inject({
      method: "POST",
      url: "/api/v1/orders",
      payload: { customer_id: customer, customer_name: `Shopper ${customer}`, total_amount: amount },
      headers: { ...(await customerHeaders(customer)), ...(key ? { "idempotency-key": key } : {}) },
    });

  /** A writer of this service's orders, with a wide window so that what is submitted together meets. */
  const writer = (windowMs = 50) => createOrderWriter({ pool: harness.db, relay: { nudge() {} } }, { windowMs, maxBatch: 100, maxConcurrent: 1 });
  /** Order `prefix`+i as the writer receives it; 20-character ids as newId makes them. */
  const pendingOrder = (prefix: string, i: number, order: { customer: string; name?: string; amount?: string; key?: string }): PendingOrder => {
    const id = `${prefix}${String(i).padStart(20 - prefix.length, "0")}`;
    return {
      id,
      status: "PROCESSING",
      totalAmount: order.amount ?? "10.00",
      customerId: order.customer,
      customerName: order.name ?? "Writer",
      topic: `${harness.topicPrefix}${TOPICS.ordersPlaced}`,
      payload: { event_id: crypto.randomUUID(), type: "OrderPlaced", version: 1, data: { order_id: id } },
      ...(order.key ? { idempotency: { key: order.key, requestHash: "same" } } : {}),
    };
  };

  it("writes a burst of orders with few statements, each request answered with its own order and event", async () => {
    const customers = Array.from({ length: 60 }, (_, i) => `burst-${i}`);
    const responses = await Promise.all(customers.map((c, i) => post(c, `${100 + i}.00`)));
    expect(responses.map((r) => r.statusCode)).toEqual(customers.map(() => 202));
    const orders = responses.map((r) => r.json().data as { id: string; customer_id: string; total_amount: string; created_at: string });
    // Each answer is its own request's order.
    expect(orders.map((o) => [o.customer_id, o.total_amount])).toEqual(customers.map((c, i) => [c, `${100 + i}.00`]));
    expect(new Set(orders.map((o) => o.id)).size).toBe(60);

    // One transaction per batch: the rows' inserting transaction ids (xmin) are far fewer than the rows.
    const { rows } = await harness.db.query<{ tx: number; stamps: number }>(
      "SELECT count(DISTINCT xmin::text)::int AS tx, count(DISTINCT created_at)::int AS stamps FROM orders WHERE customer_id LIKE 'burst-%'",
    );
    expect(rows[0]?.tx).toBeLessThanOrEqual(10);
    // Rows of one transaction share its start time as created_at (what the watermark's step 1 sees).
    expect(rows[0]?.stamps).toBe(rows[0]?.tx);

    // Every event carries its own order's data and created_at, to the microsecond.
    for (const order of orders) {
      const event = await eventually(async () => placed.messages.find((m) => (m.value.data as { order_id: string }).order_id === order.id), 10_000, "OrderPlaced");
      expect(event.key).toBe(order.customer_id);
      expect(event.value.data).toMatchObject({ customer_id: order.customer_id, total_amount: order.total_amount });
      expect((event.value.data as { created_at: string }).created_at.slice(0, 26)).toBe(order.created_at.slice(0, 26));
    }
  });

  it("creates one order for twins with one Idempotency-Key in a burst, and every neighbour's order", async () => {
    const twins = Array.from({ length: 4 }, () => post("twin", "250.00", "twin-key"));
    const others = Array.from({ length: 10 }, (_, i) => post(`neighbour-${i}`, "20.00", `key-${i}`));
    const [twinAnswers, otherAnswers] = await Promise.all([Promise.all(twins), Promise.all(others)]);
    expect(twinAnswers.filter((r) => r.statusCode === 202)).toHaveLength(1);
    expect(twinAnswers.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(new Set(twinAnswers.map((r) => r.json().data.id)).size).toBe(1);
    expect(otherAnswers.map((r) => r.statusCode)).toEqual(others.map(() => 202));
    expect((await harness.db.query("SELECT count(*)::int AS n FROM orders WHERE customer_id = 'twin'")).rows[0].n).toBe(1);
    expect((await harness.db.query("SELECT count(*)::int AS n FROM orders WHERE customer_id LIKE 'neighbour-%'")).rows[0].n).toBe(10);
  });

  it("answers each request of a batch that mixes new orders with a replayed key by its own outcome", async () => {
    const write = writer();
    const id = (i: number) => `GCMIX${String(i).padStart(15, "0")}`;
    const pending = (i: number, customer: string, key?: string) => pendingOrder("GCMIX", i, { customer, amount: `${i}.00`, ...(key ? { key } : {}) });
    expect((await write.submit(pending(1, "mix-k", "mix-key")))?.id).toBe(id(1));
    // One batch: a new order, a retry of the key above (nothing written for it), another new order.
    const outcomes = await Promise.all([pending(2, "mix-a"), pending(3, "mix-k", "mix-key"), pending(4, "mix-b")].map((p) => write.submit(p)));
    expect(outcomes.map((o) => o && [o.id, o.customer_id, o.total_amount])).toEqual([[id(2), "mix-a", "2.00"], undefined, [id(4), "mix-b", "4.00"]]);
    const { rows } = await harness.db.query<{ n: number }>("SELECT count(DISTINCT xmin::text)::int AS n FROM orders WHERE id = ANY($1::text[])", [[id(2), id(4)]]);
    expect(rows[0]?.n).toBe(1);
    expect((await harness.db.query("SELECT count(*)::int AS n FROM orders WHERE customer_id = 'mix-k'")).rows[0].n).toBe(1);
  });

  it("answers 503 for a batch whose session died mid-statement, once that session is gone and its orders are known unwritten", async () => {
    // Another transaction holds a key the batch needs, so the batch's statement waits on it.
    const blocker = await harness.db.connect();
    await blocker.query("BEGIN");
    await blocker.query("INSERT INTO orders (id, status, total_amount, customer_id, customer_name) VALUES ('GCBLOCKER00000000001', 'PROCESSING', 1, 'killed', 'K')");
    await blocker.query("INSERT INTO order_idempotency_keys (customer_id, key, request_hash, order_id) VALUES ('killed', 'held-key', 'h', 'GCBLOCKER00000000001')");
    try {
      const write = writer(20);
      const pending = (i: number, customer: string, key?: string) => pendingOrder("GCKILL", i, { customer, ...(key ? { key } : {}) });
      const outcomes = Promise.allSettled([pending(1, "killed-a"), pending(2, "killed", "held-key"), pending(3, "killed-b")].map((p) => write.submit(p)));
      const waiting = await eventually(
        async () =>
          (await harness.db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%order_idempotency_keys%' AND pid <> pg_backend_pid()")).rows[0]?.pid,
        10_000,
        "the batch waiting on the held key",
      );
      await harness.db.query("SELECT pg_terminate_backend($1)", [waiting]);
      const results = await outcomes;
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
      for (const r of results) expect(isTransientDatabaseError((r as PromiseRejectedResult).reason)).toBe(true);
    } finally {
      await blocker.query("ROLLBACK");
      blocker.release();
    }
    expect((await harness.db.query("SELECT count(*)::int AS n FROM orders WHERE id LIKE 'GCKILL%'")).rows[0].n).toBe(0);
  });

  it("fails only the bad row of a batch; its neighbours are written with their events", async () => {
    const write = writer();
    const pending = (i: number, name: string) => pendingOrder("GCBAD", i, { customer: `gc-bad-${i}`, name });
    // PostgreSQL refuses a NUL character in text: that row's statement fails.
    const outcomes = await Promise.allSettled([pending(1, "ok"), pending(2, "bad\u0000name"), pending(3, "ok"), pending(4, "ok")].map((p) => write.submit(p)));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const { rows } = await harness.db.query<{ customer_id: string }>("SELECT customer_id FROM orders WHERE customer_id LIKE 'gc-bad-%' ORDER BY customer_id");
    expect(rows.map((r) => r.customer_id)).toEqual(["gc-bad-1", "gc-bad-3", "gc-bad-4"]);
    const published = async () => placed.messages.filter((m) => m.key.startsWith("gc-bad-")).map((m) => m.key);
    await eventually(async () => ((await published()).length >= 3 ? true : undefined), 10_000, "three OrderPlaced");
    expect((await published()).sort()).toEqual(["gc-bad-1", "gc-bad-3", "gc-bad-4"]);
  });
});
