import { customerHeaders, eventually } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

const ORDERS = 500;

describe("order placement end to end (service processes, Kafka, PostgreSQL)", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"), { PAYMENT_APPROVAL_RATIO: "0.8" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`takes ${ORDERS} orders over HTTP to SUCCESS or FAILED, each with exactly one payment of its amount`, async () => {
    const placed: { id: string; total_amount: string }[] = [];
    for (let batch = 0; batch < ORDERS / 50; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const n = batch * 50 + i;
          const response = await fetch(`${stack.order.url}/api/v1/orders`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(await customerHeaders(`e2e-${n % 97}`)) },
            body: JSON.stringify({ customer_id: `e2e-${n % 97}`, customer_name: `Customer ${n % 97}`, total_amount: `${(n % 400) + 1}.${String(n % 100).padStart(2, "0")}` }),
          });
          expect(response.status).toBe(202);
          return ((await response.json()) as { data: { id: string; total_amount: string } }).data;
        }),
      );
      placed.push(...responses);
    }
    expect(new Set(placed.map((o) => o.id)).size).toBe(ORDERS);

    await eventually(
      async () => {
        const { rows } = await stack.orderDb.query("SELECT count(*)::int AS n FROM orders WHERE status IN ('SUCCESS', 'FAILED')");
        return rows[0].n === ORDERS ? true : undefined;
      },
      60_000,
      "every order terminal",
    );

    const orders = (await stack.orderDb.query("SELECT id, status, total_amount FROM orders")).rows;
    const payments = (await stack.paymentDb.query("SELECT order_id, status, total_amount FROM payments")).rows;
    expect(payments).toHaveLength(ORDERS);
    const paymentByOrder = new Map(payments.map((p) => [p.order_id, p]));
    for (const order of orders) {
      const payment = paymentByOrder.get(order.id);
      expect(payment, order.id).toBeDefined();
      expect(payment.total_amount).toBe(order.total_amount);
      expect(payment.status).toBe(order.status);
    }
    const statuses = new Set(orders.map((o) => o.status));
    expect(statuses).toEqual(new Set(["SUCCESS", "FAILED"]));
    // Every domain event left the outboxes (watermarks are written continuously, so they are not counted).
    const unpublished = async () => {
      let n = 0;
      for (const db of [stack.orderDb, stack.paymentDb]) n += (await db.query("SELECT count(*)::int AS n FROM outbox WHERE payload->>'type' <> 'OrdersWatermark'")).rows[0].n;
      return n;
    };
    await eventually(async () => ((await unpublished()) === 0 ? true : undefined), 20_000, "empty outboxes");
  });
});
