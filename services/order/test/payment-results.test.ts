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
});
