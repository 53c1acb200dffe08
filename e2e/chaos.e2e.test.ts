import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkInvariants, ResilientCustomers } from "../bench/lib/chaos-load.ts";
import { startProcessStack } from "./support/stack.ts";

// The short version of `npm run chaos`: crashes of the order and payment services while customers
// keep ordering (the broker and database faults run in the full suite, on a stack of their own).
// The campaign service runs too: its database is one of the three whose outboxes must drain.
describe("crashes while customers keep ordering", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"), { PAYMENT_LATENCY_MS: "3" });
    await stack.spawn("campaign");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("loses no order, duplicates none, and pays each once after kill -9 of the order and payment services", async () => {
    let orderUrl = stack.order.url;
    const customers = new ResilientCustomers(() => orderUrl);
    customers.start(40);
    await sleep(2_000);

    stack.order.child.kill("SIGKILL");
    await stack.order.exited;
    await sleep(500);
    const order = await stack.spawn("order", { PORT: String(stack.order.port) });
    orderUrl = order.url;
    await sleep(2_000);

    stack.payment.child.kill("SIGKILL");
    await stack.payment.exited;
    await sleep(500);
    await stack.spawn("payment");
    await sleep(2_000);
    await customers.stop();

    expect(customers.accepted.size).toBeGreaterThan(100);
    const databases = {
      order: stack.env.ORDER_DATABASE_URL as string,
      payment: stack.env.PAYMENT_DATABASE_URL as string,
      campaign: stack.env.CAMPAIGN_DATABASE_URL as string,
    };
    let invariants = await checkInvariants(databases, customers);
    for (let i = 0; i < 120 && (invariants.orders_not_terminal > 0 || invariants.unpublished_outbox_rows > 0); i++) {
      await sleep(500);
      invariants = await checkInvariants(databases, customers);
    }
    expect(invariants).toEqual({
      orders_accepted: customers.accepted.size,
      lost_orders: 0,
      duplicated_orders: 0,
      double_payments: 0,
      orders_not_terminal: 0,
      unpublished_outbox_rows: 0,
    });
  });
});
