import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { TOPICS } from "@spgroup/contracts";
import { eventually } from "@spgroup/infra/testing";
import { partitionOfKey } from "@spgroup/platform";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startIsolatedOrderService } from "./support.ts";

const DEAD_LETTERS_SCRIPT = fileURLToPath(new URL("../../../infra/stack/dead-letters.ts", import.meta.url));

type Letter = {
  dead_letter_topic: string;
  dead_letter_partition: number;
  dead_letter_offset: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  state: string;
  acted_by: string | null;
  note: string | null;
};

// The operators' console's dead letters (GET/POST /api/admin/v1/ops/dead-letters) and
// `npm run dead-letters`, against real Kafka: messages the order service cannot apply are
// dead-lettered, listed, replayed once to their original topic and partition (from the API and
// from the command), or discarded with a reason; each in the activity log.
describe("dead letters in the operators' console", () => {
  let harness: Awaited<ReturnType<typeof startIsolatedOrderService>>;
  let producer: Producer<string, string, string, string>;
  let dlt: string;
  let topic: string;

  beforeAll(async () => {
    harness = await startIsolatedOrderService(inject("infra"));
    producer = new Producer({ clientId: "test", bootstrapBrokers: [inject("infra").kafkaBrokers], serializers: stringSerializers, acks: ProduceAcks.ALL });
    topic = `${harness.topicPrefix}${TOPICS.paymentsCompleted}`;
    dlt = `${topic}.dlq`;
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
  /** The letters of `key` on payments.completed, oldest first, once there are `n`. */
  const lettersOf = (key: string, n: number) =>
    eventually(async () => {
      // Past the listing's 2 s cache, so a new letter shows.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const found = (await list(`?topic=${dlt}`)).letters.filter((l) => l.key === key).reverse();
      return found.length === n ? found : undefined;
    }, 30_000, `${n} dead letter(s) of ${key}`);

  it("lists, replays once (API and command) and discards dead letters, each in the activity log; a viewer only reads", async () => {
    // On a partition other than its key's, so a replay keyed again would land elsewhere.
    const partition = (partitionOfKey("cust-dl-1", 4) + 1) % 4;
    await producer.send({
      messages: [
        { topic, partition, key: "cust-dl-1", value: '{"type":"PaymentCompleted","version":1}' },
        { topic, key: "cust-dl-2", value: "{not json" },
      ],
    });
    const [first] = (await lettersOf("cust-dl-1", 1)) as [Letter];
    const [second] = (await lettersOf("cust-dl-2", 1)) as [Letter];
    const listed = await list(`?topic=${dlt}`);
    expect(listed.complete).toBe(true);
    expect(listed.topics).toEqual([{ dead_letter_topic: dlt, count: 2, waiting: 2 }]);
    expect(first).toMatchObject({ topic, partition, value: '{"type":"PaymentCompleted","version":1}', state: "waiting", acted_by: null });
    expect(second).toMatchObject({ topic, value: "{not json" });
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

    // Not JSON: a replay could only fail again; it is discarded with a reason.
    const notJson = await call("POST", `${at(second)}/replay`);
    expect(notJson.statusCode).toBe(409);
    expect(notJson.json().error_code).toBe("NOT_REPLAYABLE");
    expect((await call("POST", `${at(second)}/discard`, { reason: "  " })).statusCode).toBe(400);
    const discarded = await call("POST", `${at(second)}/discard`, { reason: "a test message with no order" });
    expect(discarded.statusCode).toBe(200);
    expect(discarded.json().data).toMatchObject({ state: "discarded", note: "a test message with no order" });

    // The replay reached the consumer again, on the original partition, and failed again: a new letter.
    const [, retried] = (await lettersOf("cust-dl-1", 2)) as [Letter, Letter];
    expect(retried).toMatchObject({ topic, partition, state: "waiting" });
    expect(BigInt(retried.offset)).toBeGreaterThan(BigInt(first.offset));

    // The command replays the waiting ones (only that one) through the service, as its operator.
    const { stdout } = await promisify(execFile)(process.execPath, [DEAD_LETTERS_SCRIPT, "replay", TOPICS.paymentsCompleted], {
      env: { ...process.env, ...harness.env, ORDER_SERVICE_URL: `http://127.0.0.1:${harness.service.port}`, KAFKA_BROKERS: inject("infra").kafkaBrokers, KAFKA_TOPIC_PREFIX: harness.topicPrefix },
      timeout: 60_000,
    });
    expect(stdout).toContain("1 dead letter(s) replayed");
    expect((await list(`?topic=${dlt}&state=replayed`)).letters.map((l) => [l.dead_letter_offset, l.acted_by])).toEqual(
      expect.arrayContaining([
        [retried.dead_letter_offset, "dead-letters-cli"],
        [first.dead_letter_offset, "test-operator"],
      ]),
    );

    // Places that are not dead letters of this platform.
    expect((await call("POST", `/api/admin/v1/ops/dead-letters/${harness.topicPrefix}orders.placed/0/0/replay`)).statusCode).toBe(404);
    expect((await call("POST", `/api/admin/v1/ops/dead-letters/${dlt}/0/999999/replay`)).statusCode).toBe(404);
    expect((await call("GET", "/api/admin/v1/ops/dead-letters?topic=someone.elses.dlq")).statusCode).toBe(404);
    expect((await call("POST", `/api/admin/v1/ops/dead-letters/${dlt}/0/-1/replay`)).statusCode).toBe(400);

    const activity = (await call("GET", "/api/admin/v1/ops/activity")).json().data as { action: string; actor: string; after: { state: string } }[];
    expect(activity.filter((a) => a.action.startsWith("dead-letter.")).map((a) => [a.action, a.actor, a.after.state])).toEqual([
      ["dead-letter.replay", "dead-letters-cli", "replayed"],
      ["dead-letter.discard", "test-operator", "discarded"],
      ["dead-letter.replay", "test-operator", "replayed"],
    ]);
  });

  it("replays neither to a partition the topic does not have nor a second copy of the same message", async () => {
    const letter = (partition: number, offset: string) =>
      JSON.stringify({ reason: "FAILED", errors: ["test"], topic, partition, offset, key: "cust-dl-3", value: '{"type":"PaymentCompleted","version":1,"copy":true}', dead_lettered_at: new Date().toISOString() });
    // Written straight to the dead-letter topic: a forged partition, and two copies of one message
    // (the outbox publishes at least once, so a dead letter can be written twice).
    await producer.send({
      messages: [
        { topic: dlt, partition: 3, key: "forged", value: letter(99, "5") },
        { topic: dlt, partition: 3, key: "copy", value: letter(1, "7") },
        { topic: dlt, partition: 3, key: "copy", value: letter(1, "7") },
      ],
    });
    const [forged, copyA, copyB] = await eventually(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const found = (await list(`?topic=${dlt}`)).letters.filter((l) => l.key === "cust-dl-3").sort((a, b) => Number(BigInt(a.dead_letter_offset) - BigInt(b.dead_letter_offset)));
      return found.length === 3 ? found : undefined;
    }, 30_000, "the three written letters");
    const refused = await call("POST", `${at(forged as Letter)}/replay`);
    expect([refused.statusCode, refused.json().error_code]).toEqual([409, "NOT_REPLAYABLE"]);
    expect((await call("POST", `${at(copyA as Letter)}/replay`)).statusCode).toBe(200);
    const second = await call("POST", `${at(copyB as Letter)}/replay`);
    expect([second.statusCode, second.json().error_code]).toEqual([409, "ALREADY_SETTLED"]);
    // An offset spelled with leading zeros is the same letter.
    const padded = await call("POST", `/api/admin/v1/ops/dead-letters/${dlt}/${(copyA as Letter).dead_letter_partition}/000${(copyA as Letter).dead_letter_offset}/replay`);
    expect([padded.statusCode, padded.json().error_code]).toEqual([409, "ALREADY_SETTLED"]);
  });
});
