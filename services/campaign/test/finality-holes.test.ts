import { randomUUID } from "node:crypto";
import { eventually } from "@spgroup/infra/testing";
import { enqueueOutbox, readDeadLetters, withTransaction } from "@spgroup/platform";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { insertFinalityHole } from "../src/db/finality-holes.ts";
import { startIsolatedCampaignService } from "./support/harness.ts";
import { type HistoryOrder, referenceWinners } from "./support/reference-rule.ts";

const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000).toISOString();

// Through the real broker and consumer: messages go out through this service's own outbox to the
// orders.completed partitions it consumes, as the order service's would.
describe("a completion the campaign service could not apply holds FINAL back", () => {
  let h: Awaited<ReturnType<typeof startIsolatedCampaignService>>;
  let topic: string;
  let partitions: number;

  const publish = async (messages: { partition: number; payload: object }[]) => {
    await withTransaction(h.service.runtime.pool, (client) => enqueueOutbox(client, messages.map((m) => ({ topic, key: `test-${m.partition}`, partition: m.partition, payload: m.payload }))));
    h.service.runtime.relay.nudge();
  };
  const watermarks = (at: string) =>
    publish(Array.from({ length: partitions }, (_, partition) => ({ partition, payload: { event_id: randomUUID(), type: "OrdersWatermark", version: 1, occurred_at: at, data: { watermark: at, partition, source: "order_db" } } })));
  const completed = (o: HistoryOrder) => ({
    event_id: randomUUID(),
    type: "OrderCompleted",
    version: 1,
    occurred_at: o.created_at,
    data: { order_id: o.id, customer_id: o.customer_id, customer_name: o.customer_name, total_amount: o.total_amount, status: o.status, created_at: o.created_at, completed_at: o.created_at },
  });
  const current = async () => (await h.request("GET", "/api/admin/v1/campaigns/iphones")).json().data;
  const holes = async () => (await h.db.query("SELECT id::int, order_id, reason, resolved_by, resolution FROM finality_holes ORDER BY id")).rows;

  beforeAll(async () => {
    h = await startIsolatedCampaignService(inject("infra"), { CAMPAIGN_FINALIZE_INTERVAL_MS: "100" });
    topic = h.service.ctx.completedTopic;
    partitions = h.service.ctx.partitions;
    // The first message of every partition, so campaign_db holds the topic from its start.
    await watermarks("2000-01-01T00:00:00.000000Z");
    await eventually(async () => ((await h.db.query("SELECT count(*)::int AS n FROM partition_history")).rows[0].n === partitions ? true : undefined), 30_000, "history");
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(async () => {
    // A test that failed half-way must not leave its campaign open or its hole unresolved for the next.
    await h.db.query("UPDATE campaigns SET finalized_at = now() WHERE finalized_at IS NULL");
    await h.db.query("UPDATE finality_holes SET resolved_at = now(), resolved_by = 'test', resolution = 'reset' WHERE resolved_at IS NULL");
  });

  it("stays CLOSING, saying why, after the watermarks pass end_time; once the replay is applied, FINAL equals the rule", async () => {
    // The handler fails on one order with a non-transient error, as a statement timeout would.
    await h.db.query(`CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 'POISON1' THEN RAISE EXCEPTION 'cannot store this order now'; END IF; RETURN NEW; END $$`);
    await h.db.query("CREATE TRIGGER orders_poison BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
    const created = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "holes", start_time: secondsFromNow(-60), end_time: secondsFromNow(3600), total_reward: 2, max_tracked_orders: 5, min_order_amount: "100.00" });
    expect(created.statusCode).toBe(201);
    const policy = created.json().data;

    const order = (id: string, customer: string, amount: string, s: number): HistoryOrder => ({ id, customer_id: customer, customer_name: `Name ${customer}`, status: "SUCCESS", total_amount: amount, created_at: secondsFromNow(s) });
    // The poisoned order is the earliest customer's: without it FINAL would name someone else.
    const orders = [order("POISON1", "first", "500.00", -50), order("HA1", "alice", "300.00", -40), order("HB1", "bob", "300.00", -30), order("HC1", "carol", "50.00", -20)];
    await publish(orders.map((o, i) => ({ partition: i % partitions, payload: completed(o) })));
    await eventually(async () => ((await holes()).some((x) => x.order_id === "POISON1") ? true : undefined), 30_000, "the hole");

    const closed = await h.request("POST", `/api/admin/v1/campaigns/iphones/${policy.id}/close`);
    expect(closed.statusCode).toBe(200);
    await watermarks(secondsFromNow(1));
    const waiting = await eventually(async () => {
      const c = await current();
      return c.finality.watermarks.past_end === c.finality.watermarks.required ? c : undefined;
    }, 20_000, "watermarks past the end");
    expect(waiting.status).toBe("CLOSING");
    expect(waiting.finality.waiting_for).toEqual(["FINALITY_HOLES"]);
    expect(waiting.finality.holes).toMatchObject([{ order_id: "POISON1", reason: "FAILED", order_created_at: expect.any(String), resolved_at: null }]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await current()).status).toBe("CLOSING");

    // The cause is fixed; the operator replays the dead letter (the order service's Dead letters
    // page or `npm run dead-letters -- replay`, tested in services/order/test/dead-letters.test.ts):
    // the message, as it was, on its topic and partition again.
    await h.db.query("DROP TRIGGER orders_poison ON orders");
    const letters = await eventually(async () => {
      const read = await readDeadLetters({ brokers: [h.env.KAFKA_BROKERS as string], clientId: "test" }, [`${topic}.dlq`]);
      return read.complete && read.letters.length > 0 ? read.letters : undefined;
    }, 20_000, "the dead letter read back");
    expect(letters.map((l) => l.letter?.reason)).toEqual(["FAILED"]);
    const letter = letters[0]?.letter as NonNullable<(typeof letters)[number]["letter"]>;
    await publish([{ partition: letter.partition, payload: JSON.parse(letter.value) }]);
    const final = await eventually(async () => {
      const winners = (await h.request("GET", "/api/admin/v1/campaigns/iphones/winners")).json().data;
      return winners.state === "FINAL" ? winners : undefined;
    }, 30_000, "FINAL");
    const window = (await current()) as { start_time: string; end_time: string };
    const reference = referenceWinners(orders, { start: window.start_time, end: window.end_time, maxTracked: 5, minAmountCents: 10_000, totalReward: 2 });
    expect(reference).toEqual(["first", "alice"]);
    expect(final.winners.map((w: { customer_id: string }) => w.customer_id)).toEqual(reference);
    expect((await holes()).find((x) => x.order_id === "POISON1")).toMatchObject({ resolved_by: "replay" });
  });

  it("records a message dead-lettered twice (its redelivery after a lost offset commit) as one hole", async () => {
    const hole = { topic, partition: 0, offset: "987654", event_id: null, order_id: null, order_created_at: null, reason: "INVALID", errors: ["bad version"] };
    await insertFinalityHole(h.db, hole);
    await insertFinalityHole(h.db, hole);
    const { rows } = await h.db.query("SELECT count(*)::int AS n FROM finality_holes WHERE topic = $1 AND message_offset = 987654", [topic]);
    expect(rows[0].n).toBe(1);
  });

  it("blocks every campaign on a message whose order time is unreadable, until an operator resolves it with a reason", async () => {
    const created = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "unreadable", start_time: secondsFromNow(-60), end_time: secondsFromNow(3600) });
    expect(created.statusCode).toBe(201);
    const id = created.json().data.id;
    // A version this consumer does not know, with no readable time: dead-lettered as INVALID.
    await publish([{ partition: 0, payload: { event_id: randomUUID(), type: "OrderCompleted", version: 2, occurred_at: "later", data: { order_id: "V2ORDER", created: 17 } } }]);
    await eventually(async () => ((await holes()).some((x) => x.order_id === "V2ORDER") ? true : undefined), 30_000, "the hole");
    expect((await h.request("POST", `/api/admin/v1/campaigns/iphones/${id}/close`)).statusCode).toBe(200);
    await watermarks(secondsFromNow(1));
    const waiting = await eventually(async () => {
      const c = await current();
      return c.finality.watermarks.past_end === c.finality.watermarks.required ? c : undefined;
    }, 20_000, "watermarks past the end");
    expect(waiting.finality).toMatchObject({ waiting_for: ["FINALITY_HOLES"], holes: [{ order_id: "V2ORDER", reason: "INVALID", order_created_at: null }] });
    const hole = waiting.finality.holes[0].id;

    const url = `/api/admin/v1/campaigns/finality-holes/${hole}/resolve`;
    expect((await h.service.app.inject({ method: "POST", url, payload: { reason: "a test message" } })).statusCode).toBe(401);
    const blank = await h.request("POST", url, { reason: "    " });
    expect(blank.statusCode).toBe(400);
    expect((await current()).status).toBe("CLOSING");
    const resolved = await h.request("POST", url, { reason: "synthetic v2 message from a canary, never an order" });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().data).toMatchObject({ resolved_by: "test-operator", resolution: "synthetic v2 message from a canary, never an order" });
    await eventually(async () => ((await current()).status === "FINAL" ? true : undefined), 10_000, "FINAL");
    const list = (await h.request("GET", "/api/admin/v1/campaigns/finality-holes")).json().data;
    expect(list.find((x: { id: number }) => x.id === hole)).toMatchObject({ resolved_by: "test-operator" });
  });
});
