import { TOPICS } from "@spgroup/contracts";
import { eventually, type recordTopic, type testPool } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { paymentCompleted, startIsolatedOrderService } from "./support.ts";

describe("payment results", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let db: ReturnType<typeof testPool>;
  let completed: Awaited<ReturnType<typeof recordTopic>>;

  beforeAll(async () => {
    // A short payment timeout, so the timeout path is exercised within the test.
    harness = await startIsolatedOrderService(inject("infra"), { ORDER_PAYMENT_TIMEOUT_MS: "1500", ORDER_EXPIRY_SWEEP_MS: "100" });
    db = harness.db;
    completed = await harness.record(TOPICS.ordersCompleted);
  });
  afterAll(async () => {
    await harness.stop();
  });

  const place = (customer: string, amount: number) => harness.place(customer, amount);
  const statusOf = (id: string) => harness.statusOf(id);
  const completionsOf = (id: string) => completed.messages.filter((m) => (m.value.data as { order_id: string }).order_id === id);

  it("completes an order exactly once, however often its payment result is delivered", async () => {
    const order = await place("cust-pay-1", 300);
    const result = paymentCompleted(order, "SUCCESS");
    await harness.publishPaymentResults([result, result]);
    await harness.publishPaymentResults([result]);
    // A contradicting second result for the same order must not move it either.
    await harness.publishPaymentResults([paymentCompleted(order, "FAILED")]);
    await eventually(async () => ((await statusOf(order.id)) === "SUCCESS" ? true : undefined), 10_000, "SUCCESS");
    await eventually(async () => (completionsOf(order.id).length > 0 ? true : undefined), 10_000, "OrderCompleted");
    await eventually(async () => ((await db.query("SELECT 1 FROM late_payment_results WHERE order_id = $1", [order.id])).rowCount === 1 ? true : undefined));
    expect(await statusOf(order.id)).toBe("SUCCESS");
    expect(completionsOf(order.id)).toHaveLength(1);
    expect(completionsOf(order.id)[0]?.value).toMatchObject({
      type: "OrderCompleted",
      data: { order_id: order.id, status: "SUCCESS", total_amount: "300.00", created_at: order.created_at },
    });
  });

  it("moves an order to FAILED when its payment fails", async () => {
    const order = await place("cust-pay-2", 20);
    await harness.publishPaymentResults([paymentCompleted(order, "FAILED")]);
    await eventually(async () => ((await statusOf(order.id)) === "FAILED" ? true : undefined), 10_000, "FAILED");
  });

  it("fails an order whose payment never comes, and records a late result without applying it", async () => {
    const order = await place("cust-pay-3", 500);
    await eventually(async () => ((await statusOf(order.id)) === "FAILED" ? true : undefined), 10_000, "timeout FAILED");
    await eventually(async () => (completionsOf(order.id).length === 1 ? true : undefined), 10_000, "OrderCompleted FAILED");
    await harness.publishPaymentResults([paymentCompleted(order, "SUCCESS")]);
    const late = await eventually(async () => (await db.query("SELECT * FROM late_payment_results WHERE order_id = $1", [order.id])).rows[0]);
    expect(late).toMatchObject({ status: "SUCCESS", order_status: "FAILED" });
    expect(await statusOf(order.id)).toBe("FAILED");
    expect(completionsOf(order.id)).toHaveLength(1);
    expect(completionsOf(order.id)[0]?.value).toMatchObject({ data: { status: "FAILED" } });
  });

  it("shows what awaits payment, oldest first, and an order stuck past the timeout as overdue (money at risk)", async () => {
    const view = async (query = "") => {
      const response = await harness.service.app.inject({ method: "GET", url: `/api/admin/v1/ops/awaiting-payment${query}`, headers: harness.adminHeaders });
      expect(response.statusCode).toBe(200);
      return response.json().data as { payment_timeout_ms: number; shards: { database: string; orders: { id: string; overdue: boolean }[]; total: number }[] };
    };
    // A stuck order: locked (as by a hung payment-result transaction) before the timeout, so the
    // sweep skips it, and then left past the timeout (1.5 s).
    await db.query("INSERT INTO orders (id, status, total_amount, customer_id, customer_name, created_at) VALUES ('STUCK-1', 'PROCESSING', 300, 'cust-stuck', 'Stuck', now())");
    const holder = await db.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM orders WHERE id = 'STUCK-1' FOR UPDATE");
      await new Promise((resolve) => setTimeout(resolve, 1_700));
      const all = await view();
      expect(all.payment_timeout_ms).toBe(1500);
      expect(all.shards).toHaveLength(1);
      expect(all.shards[0]?.orders[0]).toMatchObject({ id: "STUCK-1", overdue: true });
      const overdue = await view("?overdue=true");
      expect(overdue.shards[0]?.orders.map((o) => o.id)).toEqual(["STUCK-1"]);
      expect(overdue.shards[0]?.total).toBe(1);
      // Created at or before a given instant (a campaign's end_time).
      expect((await view(`?created_before=${new Date(Date.now() + 60_000).toISOString()}`)).shards[0]?.orders.map((o) => o.id)).toEqual(["STUCK-1"]);
      expect((await view("?created_before=2020-01-01T00:00:00Z")).shards[0]?.total).toBe(0);
      const bad = await harness.service.app.inject({ method: "GET", url: "/api/admin/v1/ops/awaiting-payment?created_before=0000-01-01T00:00:00Z", headers: harness.adminHeaders });
      expect(bad.statusCode).toBe(400);
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
    }
    // Unlocked, the sweep fails it like any other.
    await eventually(async () => ((await statusOf("STUCK-1")) === "FAILED" ? true : undefined), 10_000, "stuck order failed by the sweep");
    expect((await view("?overdue=true")).shards[0]?.total).toBe(0);
  });
});
