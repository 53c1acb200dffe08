import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { OrdersCompletedTopicEvent } from "@spgroup/contracts";
import { eventually } from "@spgroup/infra/testing";
import { withTransaction } from "@spgroup/platform";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { ingestCompletedOrders } from "../src/app/ingest-completed-orders.ts";
import { startIsolatedCampaignService } from "./support/harness.ts";
import { historyFromTheStart } from "./support/history.ts";

const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

function completed(id: string, customer: string, amount: string, createdAt: string, status: "SUCCESS" | "FAILED" = "SUCCESS"): OrdersCompletedTopicEvent {
  return {
    event_id: randomUUID(),
    type: "OrderCompleted",
    version: 1,
    occurred_at: createdAt,
    data: { order_id: id, customer_id: customer, customer_name: `Name of ${customer}`, total_amount: amount, status, created_at: createdAt, completed_at: createdAt },
  };
}

// Each test starts its own service on its own database and topics, and creates the campaign and
// orders it needs: the service holds one open campaign at a time, so shared state would chain them.
describe("campaign admin API", () => {
  let h: Awaited<ReturnType<typeof startIsolatedCampaignService>>;

  beforeEach(async () => {
    h = await startIsolatedCampaignService(inject("infra"));
    await historyFromTheStart(h.service.runtime.pool, h.service.ctx.completedTopic, h.service.ctx.partitions);
  });
  afterEach(async () => {
    await h?.stop();
  });

  const ingest = (events: OrdersCompletedTopicEvent[]) =>
    withTransaction(h.service.runtime.pool, (client) => ingestCompletedOrders(client, events.map((event) => ({ event, topic: "t", partition: 0, offset: 0n }))));

  /** An ACTIVE campaign from ten minutes ago for an hour; returns its id. */
  const createCampaign = async (policy: Record<string, unknown> = {}): Promise<number> => {
    const response = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "11.11 iPhone rush", description: "Hot sale", start_time: minutesFromNow(-10), end_time: minutesFromNow(60), ...policy });
    expect(response.statusCode).toBe(201);
    return response.json().data.id;
  };

  /** early (500.00) five minutes ago; then, a minute ago, alice 200.00, bob 150.00 and 200.01, carol FAILED. */
  const rushOrders = () => {
    const t = (s: number) => new Date(Date.now() - 60_000 + s * 1000).toISOString();
    return [
      completed("EARLY1", "early", "500.00", minutesFromNow(-5)),
      completed("A1", "alice", "200.00", t(1)),
      completed("B1", "bob", "150.00", t(2)),
      completed("B2", "bob", "200.01", t(3)),
      completed("C1", "carol", "999.00", t(4), "FAILED"),
    ];
  };
  const winnerIds = async () =>
    (await h.request("GET", "/api/admin/v1/campaigns/iphones/winners")).json().data.winners.map((w: { customer_id: string }) => w.customer_id);

  it("requires an operator token on every campaign route", async () => {
    for (const [method, url] of [
      ["GET", "/api/admin/v1/campaigns/iphones"],
      ["POST", "/api/admin/v1/campaigns/iphones"],
      ["PUT", "/api/admin/v1/campaigns/iphones/1"],
      ["POST", "/api/admin/v1/campaigns/iphones/1/close"],
      ["GET", "/api/admin/v1/campaigns/finality-holes"],
      ["POST", "/api/admin/v1/campaigns/finality-holes/1/resolve"],
      ["GET", "/api/admin/v1/campaigns/iphones/winners"],
      ["GET", "/api/admin/v1/campaigns/iphones/audit"],
      ["GET", "/api/admin/v1/campaigns/iphones/audit.csv"],
      ["GET", "/api/admin/v1/campaigns/iphones/stream"],
    ] as const) {
      const response = await h.service.app.inject({ method, url, payload: method === "GET" ? undefined : {} });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it("answers 404 before any campaign exists", async () => {
    expect((await h.request("GET", "/api/admin/v1/campaigns/iphones")).statusCode).toBe(404);
  });

  it("rejects invalid campaigns with a 400 and creates nothing", async () => {
    for (const body of [
      { name: "x", start_time: minutesFromNow(10), end_time: minutesFromNow(-10) },
      { name: "x", start_time: minutesFromNow(-10), end_time: minutesFromNow(10), total_reward: 60, max_tracked_orders: 50 },
      { name: "x", start_time: minutesFromNow(-10), end_time: minutesFromNow(10), min_order_amount: "200.005" },
      { name: "x", start_time: minutesFromNow(-10), end_time: minutesFromNow(10), total_reward: 0 },
      { name: "x", start_time: "yesterday", end_time: minutesFromNow(10) },
      { name: "x", start_time: minutesFromNow(-10), end_time: minutesFromNow(10), bonus: true },
    ]) {
      const response = await h.request("POST", "/api/admin/v1/campaigns/iphones", body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().code).toBe(400);
    }
    expect((await h.db.query("SELECT count(*)::int AS n FROM campaigns")).rows[0].n).toBe(0);
  });

  it("creates an ACTIVE campaign with the seed's defaults and refuses a second open one", async () => {
    await ingest([completed("EARLY1", "early", "500.00", minutesFromNow(-5))]);
    const response = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "11.11 iPhone rush", description: "Hot sale", start_time: minutesFromNow(-10), end_time: minutesFromNow(60) });
    expect(response.statusCode).toBe(201);
    const campaign = response.json().data;
    expect(campaign).toMatchObject({ status: "ACTIVE", policy: { total_reward: 20, min_order_amount: "200.00", max_tracked_orders: 50 }, finalized_at: null });
    // Orders already stored count from the start.
    expect(campaign.inventory).toEqual({ total: 20, awarded: 1, remaining: 19 });
    const second = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "again", start_time: minutesFromNow(-10), end_time: minutesFromNow(60) });
    expect(second.statusCode).toBe(409);
    expect(second.json().error_code).toBe("CAMPAIGN_ALREADY_OPEN");
  });

  it("shows PROVISIONAL winners as orders arrive and explains the tracked customers", async () => {
    await createCampaign();
    await ingest(rushOrders());
    const winners = (await h.request("GET", "/api/admin/v1/campaigns/iphones/winners")).json().data;
    expect(winners.state).toBe("PROVISIONAL");
    expect(winners.winners.map((w: { customer_id: string }) => w.customer_id)).toEqual(["early", "bob"]);
    expect(winners.inventory).toEqual({ total: 20, awarded: 2, remaining: 18 });
    const audit = (await h.request("GET", "/api/admin/v1/campaigns/iphones/audit")).json().data;
    expect(audit.tracked.map((r: { customer_id: string; reason: string }) => [r.customer_id, r.reason])).toEqual([
      ["early", "WINNER"],
      ["alice", "AMOUNT_NOT_ABOVE_MINIMUM"],
      ["bob", "WINNER"],
    ]);
    const csv = await h.request("GET", "/api/admin/v1/campaigns/iphones/audit.csv");
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body.split("\n")[0]).toBe("rank,customer_id,customer_name,first_order_at,first_order_id,max_order_amount,winner,reason");
    expect(csv.body).toContain('"bob","Name of bob"');
    // One customer's standing: her row, ranked among all of them.
    const bob = (await h.request("GET", "/api/admin/v1/campaigns/iphones/audit?customer_id=bob")).json().data;
    expect(bob.tracked).toEqual([expect.objectContaining({ customer_id: "bob", rank: 3, winner: true })]);
    expect((await h.request("GET", "/api/admin/v1/campaigns/iphones/audit?customer_id=nobody")).json().data.tracked).toEqual([]);
  });

  it("recomputes the standings at once when the policy changes", async () => {
    await ingest(rushOrders());
    const campaignId = await createCampaign();
    expect(await winnerIds()).toEqual(["early", "bob"]);
    const response = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaignId}`, { min_order_amount: "199.99", total_reward: 2 });
    expect(response.statusCode).toBe(200);
    const winners = (await h.request("GET", "/api/admin/v1/campaigns/iphones/winners")).json().data;
    expect(winners.winners.map((w: { customer_id: string }) => w.customer_id)).toEqual(["early", "alice"]);
    expect(winners.inventory).toEqual({ total: 2, awarded: 2, remaining: 0 });
    expect((await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaignId}`, { total_reward: 99 })).statusCode).toBe(400);
    expect((await h.request("PUT", "/api/admin/v1/campaigns/iphones/999999", { name: "nope" })).statusCode).toBe(404);
  });

  it("streams standings changes to a live client", async () => {
    await ingest(rushOrders());
    await createCampaign({ min_order_amount: "199.99", total_reward: 2 });
    const events: string[] = [];
    const request = httpRequest(`http://127.0.0.1:${h.service.port}/api/admin/v1/campaigns/iphones/stream?access_token=${h.token}`);
    request.on("response", (response) => response.on("data", (chunk: Buffer) => events.push(chunk.toString())));
    request.end();
    try {
      await eventually(async () => (events.join("").includes("event: standings") ? true : undefined), 5_000, "first snapshot");
      await ingest([completed("D1", "dave", "300.00", new Date(Date.now() - 50_000).toISOString())]);
      // dave is tracked but prizes (2) are already taken by earlier customers; the audit changes, the
      // winners do not. A new earliest customer changes the winners:
      await ingest([completed("Z0", "zoe", "300.00", minutesFromNow(-9))]);
      await eventually(async () => (events.join("").includes('"customer_id":"zoe"') ? true : undefined), 5_000, "zoe in the stream");
    } finally {
      request.destroy();
    }
  });

  it("turns FINAL only once every partition's watermark is past the end, then refuses changes", async () => {
    await ingest([...rushOrders(), completed("Z0", "zoe", "300.00", minutesFromNow(-9))]);
    const campaignId = await createCampaign({ min_order_amount: "199.99", total_reward: 2 });
    const end = new Date(Date.now() - 1_000).toISOString();
    expect((await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaignId}`, { end_time: end })).json().data.status).toBe("CLOSING");
    const partitions = h.service.ctx.partitions;
    const watermark = (partition: number): OrdersCompletedTopicEvent => ({
      event_id: randomUUID(),
      type: "OrdersWatermark",
      version: 1,
      occurred_at: new Date().toISOString(),
      data: { watermark: new Date().toISOString(), partition, source: "order_db" },
    });
    const topic = h.service.ctx.completedTopic;
    const all = Array.from({ length: partitions }, (_, p) => p);
    await withTransaction(h.service.runtime.pool, (client) =>
      ingestCompletedOrders(client, all.slice(1).map((p) => ({ event: watermark(p), topic, partition: p, offset: 0n }))),
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await h.request("GET", "/api/admin/v1/campaigns/iphones")).json().data.status).toBe("CLOSING");
    await withTransaction(h.service.runtime.pool, (client) => ingestCompletedOrders(client, [{ event: watermark(0), topic, partition: 0, offset: 0n }]));
    const final = await eventually(async () => {
      const winners = (await h.request("GET", "/api/admin/v1/campaigns/iphones/winners")).json().data;
      return winners.state === "FINAL" ? winners : undefined;
    }, 5_000);
    expect(final.winners.map((w: { customer_id: string }) => w.customer_id)).toEqual(["zoe", "early"]);
    expect((await h.request("GET", "/api/admin/v1/campaigns/iphones")).json().data).toMatchObject({ status: "FINAL", inventory: { total: 2, awarded: 2, remaining: 0 } });
    const lateEdit = await h.request("PUT", `/api/admin/v1/campaigns/iphones/${campaignId}`, { name: "late edit" });
    expect([lateEdit.statusCode, lateEdit.json().error_code]).toEqual([409, "CAMPAIGN_FINAL"]);
    await expect(h.db.query("DELETE FROM campaign_winners")).rejects.toThrow(/immutable/);
    // History: a new campaign may now be created.
    expect((await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "next", start_time: minutesFromNow(1), end_time: minutesFromNow(30) })).json().data.status).toBe("SCHEDULED");
    // And the history lists both, newest first, the FINAL one with its winners.
    const history = (await h.request("GET", "/api/admin/v1/campaigns/iphones/history")).json().data;
    expect(history.slice(0, 2).map((c: { name: string; status: string; winners: number; latest_audit: unknown }) => [c.name, c.status, c.winners, c.latest_audit])).toEqual([
      ["next", "SCHEDULED", 0, null],
      [expect.any(String), "FINAL", 2, null],
    ]);
    expect(history[1].id).toBe(campaignId);
    expect((await h.request("GET", "/api/admin/v1/campaigns/iphones/history?limit=0")).statusCode).toBe(400);
  });
});
