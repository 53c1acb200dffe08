import { AdminAuth, loadPlatformConfig } from "@spgroup/platform";
import { customerHeaders, eventually } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SEED_RULE_SQL } from "../services/campaign/test/support/harness.ts";
import { startProcessStack } from "./support/stack.ts";

describe("the hot-sale campaign end to end (two order and two campaign instances, real Kafka)", () => {
  let stack: Awaited<ReturnType<typeof startProcessStack>>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    stack = await startProcessStack(inject("infra"), { PAYMENT_APPROVAL_RATIO: "0.75", PAYMENT_LATENCY_MS: "3", ORDER_WATERMARK_INTERVAL_MS: "200" });
    const auth = new AdminAuth(loadPlatformConfig("e2e", { port: 0, databaseUrlVar: "UNUSED", databaseUrl: "postgres://unused" }, stack.env).admin);
    headers = { authorization: `Bearer ${(await auth.issue("e2e")).token}`, "content-type": "application/json" };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("makes FINAL exactly the winners the reference rule gives on the order database's successful orders", async () => {
    const secondOrder = await stack.spawn("order");
    const campaignA = await stack.spawn("campaign");
    const campaignB = await stack.spawn("campaign");

    const start = new Date(Date.now() - 1_000).toISOString();
    const created = await fetch(`${campaignA.url}/api/admin/v1/campaigns/iphones`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "E2E rush", start_time: start, end_time: new Date(Date.now() + 3_600_000).toISOString(), total_reward: 5, max_tracked_orders: 12, min_order_amount: "200.00" }),
    });
    expect(created.status).toBe(201);
    const campaign = ((await created.json()) as { data: { id: number } }).data;

    // 40 customers, 3 orders each, amounts around the threshold, some always declined, through
    // both order-service instances.
    const orderUrls = [stack.order.url, secondOrder.url];
    const amounts = ["150.00", "200.00", "200.01", "350.00", "90.00", "500.00"];
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 40 }, async (_, c) => {
          const customer = c % 7 === 0 ? `DECLINE-${c}` : `fan-${c}`;
          const response = await fetch(`${orderUrls[(c + round) % 2]}/api/v1/orders`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(await customerHeaders(customer)) },
            body: JSON.stringify({ customer_id: customer, customer_name: `Fan ${c}`, total_amount: amounts[(c * 7 + round) % amounts.length] }),
          });
          expect(response.status).toBe(202);
        }),
      );
    }

    // Provisional winners show up while orders flow.
    await eventually(async () => {
      const response = await fetch(`${campaignB.url}/api/admin/v1/campaigns/iphones/winners`, { headers });
      const body = (await response.json()) as { data: { state: string; winners: unknown[] } };
      return body.data.state === "PROVISIONAL" && body.data.winners.length > 0 ? true : undefined;
    }, 20_000, "provisional winners");

    // Close the window now; FINAL must wait for every order created inside it to settle.
    const closed = await fetch(`${campaignB.url}/api/admin/v1/campaigns/iphones/${campaign.id}`, { method: "PUT", headers, body: JSON.stringify({ end_time: new Date().toISOString() }) });
    expect(closed.status).toBe(200);
    const window = ((await closed.json()) as { data: { start_time: string; end_time: string } }).data;

    const final = await eventually(async () => {
      const response = await fetch(`${campaignA.url}/api/admin/v1/campaigns/iphones/winners`, { headers });
      const body = (await response.json()) as { data: { state: string; winners: { customer_id: string }[]; inventory: { total: number; awarded: number; remaining: number } } };
      return body.data.state === "FINAL" ? body.data : undefined;
    }, 30_000, "FINAL winners");

    // Every order created in the window was terminal before the result became final.
    const pending = await stack.orderDb.query("SELECT count(*)::int AS n FROM orders WHERE status NOT IN ('SUCCESS','FAILED') AND created_at <= $1", [window.end_time]);
    expect(pending.rows[0].n).toBe(0);
    const expected = (await stack.orderDb.query(SEED_RULE_SQL, [window.start_time, window.end_time, 12, "200.00", 5, "%"])).rows.map((r) => r.customer_id);
    expect(expected.length).toBeGreaterThan(0);
    expect(final.winners.map((w) => w.customer_id)).toEqual(expected);
    expect(final.inventory).toEqual({ total: 5, awarded: expected.length, remaining: 5 - expected.length });
    // Both instances agree, and the result was written once.
    const fromB = (await (await fetch(`${campaignB.url}/api/admin/v1/campaigns/iphones/winners`, { headers })).json()) as { data: { winners: { customer_id: string }[] } };
    expect(fromB.data.winners.map((w) => w.customer_id)).toEqual(expected);
    expect((await stack.campaignDb.query("SELECT count(*)::int AS n FROM campaign_winners")).rows[0].n).toBe(expected.length);
    const again = await fetch(`${campaignA.url}/api/admin/v1/campaigns/iphones/${campaign.id}`, { method: "PUT", headers, body: JSON.stringify({ name: "too late" }) });
    expect(again.status).toBe(409);
  });
});
