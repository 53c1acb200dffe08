import { customerHeaders, eventually } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

describe("a crash between the insert and the publish", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("loses no order: the outbox keeps the event and the next instance publishes it", async () => {
    // An order-service instance whose relay is off commits orders without ever publishing them:
    // exactly the state a crash right after the insert leaves behind.
    await stack.order.stop();
    const writer = await stack.spawn("order", { OUTBOX_RELAY_ENABLED: "false" });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${writer.url}/api/v1/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await customerHeaders(`crash-${i}`)) },
        body: JSON.stringify({ customer_id: `crash-${i}`, customer_name: "Crash Test", total_amount: 210 + i }),
      });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { data: { id: string } }).data.id);
    }
    writer.child.kill("SIGKILL");
    expect(await writer.exited).toBe(null);

    const unpublished = await stack.orderDb.query("SELECT count(*)::int AS n FROM outbox WHERE payload->>'type' = 'OrderPlaced'");
    expect(unpublished.rows[0].n).toBe(20);
    expect((await stack.paymentDb.query("SELECT count(*)::int AS n FROM payments")).rows[0].n).toBe(0);

    await stack.spawn("order");
    await eventually(
      async () => {
        const { rows } = await stack.orderDb.query("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status IN ('SUCCESS','FAILED')", [ids]);
        return rows[0].n === ids.length ? true : undefined;
      },
      30_000,
      "every order terminal after the restart",
    );
    const payments = await stack.paymentDb.query("SELECT order_id, count(*)::int AS n FROM payments GROUP BY order_id");
    expect(payments.rowCount).toBe(20);
    expect(payments.rows.every((r) => r.n === 1)).toBe(true);
  });
});
