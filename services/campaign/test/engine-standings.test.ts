import { randomUUID } from "node:crypto";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { TOPICS } from "@spgroup/contracts";
import { eventually } from "@spgroup/infra/testing";
import { readDeadLetters } from "@spgroup/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedCampaignService } from "./support/harness.ts";

const at = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

// campaign.flink.standings as anyone who can write to the topic could fill it: only a campaign that
// exists and a minute inside its window are kept; an event of the wrong kind on either topic is
// dead-lettered, never skipped in silence (on orders.completed it is a finality hole).
describe("Apache Flink's standings, as the campaign service takes them", () => {
  let h: Awaited<ReturnType<typeof startIsolatedCampaignService>>;
  let producer: Producer<string, string, string, string>;
  let campaignId: number;

  beforeAll(async () => {
    h = await startIsolatedCampaignService(inject("infra"));
    producer = new Producer({ clientId: "test", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    const created = await h.request("POST", "/api/admin/v1/campaigns/iphones", { name: "standings", start_time: at(-10 * 60_000), end_time: at(30 * 60_000) });
    expect(created.statusCode).toBe(201);
    campaignId = created.json().data.id;
  });
  afterAll(async () => {
    await producer.close();
    await h.stop();
  });

  const standings = (id: number, minuteEnd: string, customer: string) => ({
    event_id: randomUUID(),
    type: "EngineStandings",
    version: 1,
    occurred_at: new Date().toISOString(),
    data: {
      campaign_id: id,
      engine: "Apache Flink 2.2.1 (1-minute micro-batch)",
      minute_end: minuteEnd,
      customers_so_far: 1,
      winners: [{ rank: 1, customer_id: customer, customer_name: customer, first_order_at: at(-5 * 60_000), max_order_amount: "300.00" }],
    },
  });
  const send = (topic: string, value: object) => producer.send({ messages: [{ topic: `${h.topicPrefix}${topic}`, key: "k", value: JSON.stringify(value) }] });
  const stored = async () => (await h.request("GET", `/api/admin/v1/campaigns/iphones/${campaignId}/engine-standings`)).json().data;

  it("keeps a minute of an existing campaign's window, and ignores an unknown campaign, a far-future minute and an event of another kind", async () => {
    await send(TOPICS.flinkStandings, standings(campaignId, at(-4 * 60_000), "real"));
    await eventually(async () => ((await stored())?.winners?.[0]?.customer_id === "real" ? true : undefined), 20_000, "the real minute stored");
    // A campaign that does not exist, a minute years after the window, an order on the standings topic.
    await send(TOPICS.flinkStandings, standings(campaignId + 1000, at(-3 * 60_000), "ghost"));
    await send(TOPICS.flinkStandings, standings(campaignId, "2099-01-01T00:00:00Z", "future"));
    await send(TOPICS.flinkStandings, { event_id: randomUUID(), type: "OrderCompleted", version: 1, occurred_at: at(0), data: {} });
    // A later real minute behind them on the same partition: once it is stored, the others were read.
    await send(TOPICS.flinkStandings, standings(campaignId, at(-2 * 60_000), "later"));
    await eventually(async () => ((await stored())?.winners?.[0]?.customer_id === "later" ? true : undefined), 20_000, "the later minute stored");
    expect((await h.db.query("SELECT count(*)::int AS n FROM campaign_engine_standings")).rows[0].n).toBe(1);
    // The far-future minute would have kept every later real minute out for good.
    expect((await stored()).minute_end).not.toMatch(/^2099/);
    // The order on the wrong topic was dead-lettered, and is no finality hole (it is not orders.completed).
    const letters = await eventually(async () => {
      const read = await readDeadLetters({ brokers: [inject("infra").kafkaBrokers], clientId: "test" }, [`${h.topicPrefix}${TOPICS.flinkStandings}.dlq`]);
      return read.complete && read.letters.length > 0 ? read.letters : undefined;
    }, 20_000, "the dead letter");
    expect(letters.map((l) => [l.letter?.reason, JSON.parse(l.letter?.value ?? "{}").type])).toEqual([["INVALID", "OrderCompleted"]]);
    expect((await h.db.query("SELECT count(*)::int AS n FROM finality_holes")).rows[0].n).toBe(0);
  });

  it("takes a standings event on orders.completed as a finality hole, not as an order or standings", async () => {
    await send(TOPICS.ordersCompleted, standings(campaignId, at(-1 * 60_000), "misrouted"));
    const hole = await eventually(async () => (await h.db.query("SELECT reason, order_id, order_created_at FROM finality_holes")).rows[0], 20_000, "the hole");
    expect(hole).toMatchObject({ reason: "INVALID", order_id: null, order_created_at: null });
    expect((await stored()).winners[0].customer_id).toBe("later");
  });
});
