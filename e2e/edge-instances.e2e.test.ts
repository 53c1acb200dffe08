// An order-service instance with ORDER_ROLE=edge takes orders and nothing else: no outbox relay,
// no payment-result consumer, no sweeps (decision 017). Its orders still reach payment and come
// back SUCCESS or FAILED, through the background work of the instance with ORDER_ROLE=all.
import { customerHeaders, eventually } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startProcessStack } from "./support/stack.ts";

describe("edge order-service instances", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;

  beforeAll(async () => {
    // Watermarks (which wake the relay) once a minute: an edge's orders leave by the relay's idle poll.
    stack = await startProcessStack(inject("infra"), { ORDER_WATERMARK_INTERVAL_MS: "60000" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("take orders that the other instance's relay publishes and whose payment results it applies, once each", async () => {
    const edge = await stack.spawn("order", { ORDER_ROLE: "edge" });
    // Ready, and with no consumer to report on: it is in no consumer group.
    const ready = await fetch(`${edge.url}/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, boolean> };
    expect(body.checks).not.toHaveProperty("consuming");

    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${edge.url}/api/v1/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(await customerHeaders(`edge-${i}`)) },
        body: JSON.stringify({ customer_id: `edge-${i}`, customer_name: "Edge Customer", total_amount: 250 + i }),
      });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { data: { id: string } }).data.id);
    }
    await eventually(
      async () => {
        const { rows } = await stack.orderDb.query("SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status IN ('SUCCESS','FAILED')", [ids]);
        return rows[0].n === ids.length ? true : undefined;
      },
      30_000,
      "every order taken by the edge terminal",
    );
    // The edge published nothing itself (no relay, no watermarks) and consumes nothing.
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    const published = metrics.match(/^spgroup_events_published_total(?:\{[^}]*\})? (\d+)/m)?.[1];
    expect(Number(published ?? 0)).toBe(0);
    expect(metrics).not.toMatch(/^spgroup_consumer_consuming /m);
    expect((await (await fetch(`${stack.order.url}/metrics`)).text()).match(/^spgroup_events_published_total(?:\{[^}]*\})? (\d+)/m)?.[1]).toBeDefined();
    const payments = await stack.paymentDb.query("SELECT order_id, count(*)::int AS n FROM payments WHERE order_id = ANY($1) GROUP BY order_id", [ids]);
    expect(payments.rowCount).toBe(ids.length);
    expect(payments.rows.every((r) => r.n === 1)).toBe(true);
  });
});
