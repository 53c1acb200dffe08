import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { TOPICS } from "@spgroup/contracts";
import { eventually } from "@spgroup/infra/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedOrderService } from "./support.ts";

type Letter = { dead_letter_topic: string; dead_letter_partition: number; dead_letter_offset: string; topic: string; partition: number; offset: string; key: string; value: string; state: string; acted_by: string | null; note: string | null };

// The operators' console's dead letters (GET/POST /api/admin/v1/ops/dead-letters), against real
// Kafka: a message the order service cannot read is dead-lettered, listed, replayed once to its
// original topic and partition, and another is discarded with a reason; both in the activity log.
describe("dead letters in the operators' console", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let producer: Producer<string, string, string, string>;
  let dlt: string;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"));
    producer = new Producer({ clientId: "test", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    dlt = `${harness.topicPrefix}${TOPICS.paymentsCompleted}.dlq`;
  });
  afterAll(async () => {
    await producer.close();
    await harness.stop();
  });

  const call = (method: "GET" | "POST", url: string, payload?: object, headers = harness.adminHeaders) =>
    harness.service.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const list = async (query = "") => {
    const response = await call("GET", `/api/admin/v1/ops/dead-letters${query}`);
    expect(response.statusCode).toBe(200);
    return response.json().data as { topics: { dead_letter_topic: string; count: number; waiting: number }[]; letters: Letter[]; complete: boolean };
  };
  const at = (l: Letter) => `/api/admin/v1/ops/dead-letters/${l.dead_letter_topic}/${l.dead_letter_partition}/${l.dead_letter_offset}`;

  it("lists, replays once and discards dead letters, each in the activity log; a viewer only reads", async () => {
    const topic = `${harness.topicPrefix}${TOPICS.paymentsCompleted}`;
    await producer.send({ messages: [{ topic, key: "cust-dl-1", value: "{not json" }, { topic, key: "cust-dl-2", value: '{"type":"PaymentCompleted"}' }] });
    const letters = await eventually(async () => {
      const data = await list(`?topic=${dlt}`);
      return data.letters.length === 2 ? data : undefined;
    }, 20_000, "two dead letters listed");
    expect(letters.complete).toBe(true);
    expect(letters.topics).toEqual([{ dead_letter_topic: dlt, count: 2, waiting: 2 }]);
    const first = letters.letters.find((l) => l.key === "cust-dl-1") as Letter;
    const second = letters.letters.find((l) => l.key === "cust-dl-2") as Letter;
    expect(first).toMatchObject({ topic, value: "{not json", state: "waiting", acted_by: null });
    // Every topic's dead-letter topic is listed when no topic is named.
    expect((await list()).topics.map((t) => t.dead_letter_topic).sort()).toEqual(Object.values(TOPICS).map((t) => `${harness.topicPrefix}${t}.dlq`).sort());

    const viewer = { authorization: `Bearer ${(await harness.service.runtime.adminAuth.issue("vic", "viewer")).token}` };
    expect((await call("POST", `${at(first)}/replay`, undefined, viewer)).statusCode).toBe(403);

    const replayed = await call("POST", `${at(first)}/replay`);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json().data).toMatchObject({ state: "replayed", acted_by: "test-operator" });
    const again = await call("POST", `${at(first)}/replay`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error_code).toBe("ALREADY_SETTLED");

    expect((await call("POST", `${at(second)}/discard`, { reason: "  " })).statusCode).toBe(400);
    const discarded = await call("POST", `${at(second)}/discard`, { reason: "a test message with no order" });
    expect(discarded.statusCode).toBe(200);
    expect(discarded.json().data).toMatchObject({ state: "discarded", note: "a test message with no order" });
    // Waiting ones only: the replayed message failed again and is a new letter; the two acted on are not.
    const waiting = await eventually(async () => {
      const data = await list(`?topic=${dlt}&state=waiting`);
      return data.letters.length === 1 ? data : undefined;
    }, 20_000, "the replay dead-lettered again as a new letter");
    // Published again, as it was, to its original partition (a later offset there).
    expect(waiting.letters[0]).toMatchObject({ key: "cust-dl-1", value: "{not json", topic, partition: first.partition, state: "waiting" });
    expect(BigInt(waiting.letters[0]?.offset ?? "0")).toBeGreaterThan(BigInt(first.offset));

    // Places that are not dead letters of this platform.
    expect((await call("POST", `/api/admin/v1/ops/dead-letters/${harness.topicPrefix}orders.placed/0/0/replay`)).statusCode).toBe(404);
    expect((await call("POST", `/api/admin/v1/ops/dead-letters/${dlt}/0/999999/replay`)).statusCode).toBe(404);
    expect((await call("GET", "/api/admin/v1/ops/dead-letters?topic=someone.elses.dlq")).statusCode).toBe(404);
    expect((await call("POST", `/api/admin/v1/ops/dead-letters/${dlt}/0/-1/replay`)).statusCode).toBe(400);

    const activity = (await call("GET", "/api/admin/v1/ops/activity")).json().data as { action: string; actor: string; after: { state: string } }[];
    expect(activity.filter((a) => a.action.startsWith("dead-letter.")).map((a) => [a.action, a.actor, a.after.state])).toEqual([
      ["dead-letter.discard", "test-operator", "discarded"],
      ["dead-letter.replay", "test-operator", "replayed"],
    ]);
  });
});
